#!/usr/bin/env node
// Fails when a test, benchmark, script or doc refers to a path outside the repository: a fresh clone has
// nothing beside it, so a sibling folder of the checkout or a folder of the author's machine there means a
// test that fails (or silently skips) for every new user. Tests read what the repository holds (data/demo, fixtures) or what they generate.
//
// Checked: every git-tracked test file (*.test.*, __tests__/, e2e/), bench/, scripts/, .ci/ and every *.md.
// Flagged:
//   - absolute paths into machine folders (the home, mount and work folders listed in ABSOLUTE, or a
//     Windows drive);
//   - a relative `../…` literal that leaves the repository when resolved from the file's folder, or whose
//     folder does not exist from there and that leaves the repository when resolved from its root (a
//     `path.resolve(repoRoot, "../<sibling>/…")` lookup).
// A line may opt out with the comment `check-paths: allow` (say why beside it).
// Usage: node scripts/check-paths.mjs   (exit 0 clean, 1 with a list of file:line: reason)
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const self = path.relative(root, fileURLToPath(import.meta.url));

const CHECKED = [
  /(^|\/)__tests__\//,
  /\.(test|spec)\.[cm]?[jt]sx?$/,
  /^e2e\//,
  /^bench\//,
  /^scripts\//,
  /^\.ci\//,
  /\.md$/i,
];
const SKIP = [/(^|\/)node_modules\//, /(^|\/)dist\//];
const ABSOLUTE = /(?<![\w.:/-])(\/(?:work|home|Users|root|mnt|srv)\/[\w.@-]+|[A-Z]:\\[\w.\\-]+)/g;
const RELATIVE = /(?<![\w./-])((?:\.\.\/)+[\w.@-][\w.@/-]*)/g;

const inside = (p) => p === root || p.startsWith(root + path.sep);
/** A path in the repository that git ignores: made by the build (codegen output), absent from a fresh clone. */
const generated = (p) => {
  try {
    execFileSync("git", ["check-ignore", "-q", "--no-index", path.relative(root, p)], { cwd: root });
    return true;
  } catch {
    return false;
  }
};

const files = execFileSync("git", ["ls-files", "-z"], { cwd: root, encoding: "utf8" })
  .split("\0")
  .filter((f) => f && f !== self && CHECKED.some((re) => re.test(f)) && !SKIP.some((re) => re.test(f)));

const problems = [];
for (const file of files) {
  const full = path.join(root, file);
  if (!existsSync(full)) continue; // deleted in the work tree
  const dir = path.dirname(full);
  const lines = readFileSync(full, "utf8").split("\n");
  lines.forEach((line, i) => {
    if (line.includes("check-paths: allow")) return;
    for (const m of line.matchAll(ABSOLUTE)) problems.push(`${file}:${i + 1}: absolute machine path ${m[1]}`);
    for (const m of line.matchAll(RELATIVE)) {
      const rel = m[1].replace(/[.)]+$/, ""); // sentence punctuation after a path in prose
      const fromFile = path.resolve(dir, rel);
      if (!inside(fromFile)) problems.push(`${file}:${i + 1}: ${rel} leaves the repository`);
      // A sibling module (`../index.js` for index.ts) lives in a folder that exists; a sibling of the checkout does not.
      // Nor, in a fresh clone, does a folder the build generates (apps/server/src/test/gql): git ignores those.
      else if (!existsSync(path.dirname(fromFile)) && !inside(path.resolve(root, rel)) && !generated(fromFile))
        problems.push(`${file}:${i + 1}: ${rel} leaves the repository (resolved from its root)`);
    }
  });
}

if (problems.length) {
  console.error(`check-paths: ${problems.length} reference(s) to paths outside the repository:`);
  for (const p of problems) console.error(`  ${p}`);
  console.error("Use files the repository holds (data/demo, fixtures) by paths relative to it, or generate them.");
  process.exit(1);
}
console.log(`check-paths: ${files.length} files, no path outside the repository`);
