// V8 flags for the API process. Why: under load every request in flight is still alive when the young
// generation fills, so each scavenge copies all of them; with V8's default 16 MiB semi-space that
// happened every ~50 ms and took ~10 ms (a fifth of the CPU, and the p99). 64 MiB makes scavenges four
// times rarer for at most ~150 MiB more memory (bench/results/api-load.md).
// Used by `npm start` (scripts/start.mjs) and the API load benchmark; package.json's "start" script
// repeats the flag because JSON cannot import it.
export const serverNodeFlags = ["--max-semi-space-size=64"];
