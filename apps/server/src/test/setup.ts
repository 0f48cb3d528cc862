// Loaded before every test file: TypeGraphQL's decorators need the Reflect metadata API.
import "reflect-metadata";
// Password hashing at N = 2^10 instead of 2^17 (128 MiB, ~0.4 s per hash): suites create and sign in
// many users. attack-auth.test.ts keeps one check at the real cost.
process.env.STRATUM_SCRYPT_LOG2_N ??= "10";
