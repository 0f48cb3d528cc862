#!/usr/bin/env node
// Fails when apps/web re-declares by hand a shape that graphql-codegen generates from the API's schema
// (issue 15): the web must import GraphQL types from @/gql (generated) or read them from a fragment, so a
// schema change reaches every page through the type checker instead of drifting past a hand-kept copy.
//
// Source of truth: apps/server/schema.graphql (printed by `npm run build -w @stratum/server`; committed).
// Checked: every .ts/.tsx under apps/web/src except the generated src/gql/. Flagged:
//   - a union of two or more string literals whose members are all values of one schema enum
//     (`type Role = "OWNER" | "CURATOR" | …`, `decision: "ACCEPT" | "REJECT"`): use the generated enum
//     type (`Role`, `ReviewDecisionKind`), or `Exclude<…>` / `Extract<…>` of it for a subset;
//   - an interface or object type alias named like a schema object, interface, input or enum type
//     (`interface Job { … }`, `type SelectionItem = { … }`): use the generated type or a fragment's.
// A line may opt out with the comment `generated-types: allow` (say why beside it).
// Run by `npm run lint -w @stratum/web` (so by turbo's lint and .ci/run).
// Usage: node scripts/check-generated-types.mjs [files…]   (exit 0 clean, 1 with file:line: reason)
import { readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { buildSchema, isEnumType, isInputObjectType, isInterfaceType, isObjectType } from "graphql";
import ts from "typescript";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const schemaPath = process.env.STRATUM_SCHEMA ?? path.join(root, "apps/server/schema.graphql");
const webSrc = path.join(root, "apps/web/src");

const schema = buildSchema(readFileSync(schemaPath, "utf8"));
/** enum name → its values */
const enums = new Map();
/** names of the schema's own types that codegen emits */
const typeNames = new Set();
for (const [name, type] of Object.entries(schema.getTypeMap())) {
  if (name.startsWith("__")) continue;
  if (isEnumType(type)) enums.set(name, new Set(type.getValues().map((v) => v.name)));
  if (isEnumType(type) || isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) typeNames.add(name);
}
for (const root of ["Query", "Mutation", "Subscription"]) typeNames.delete(root);

function sources(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) {
      if (p !== path.join(webSrc, "gql") && name !== "node_modules") out.push(...sources(p));
    } else if (/\.(ts|tsx)$/.test(name) && !name.endsWith(".d.ts")) out.push(p);
  }
  return out;
}

/** The enum every literal of the union belongs to, or null. */
function enumOfUnion(node) {
  const values = [];
  for (const t of node.types) {
    if (!ts.isLiteralTypeNode(t) || !ts.isStringLiteral(t.literal)) return null;
    values.push(t.literal.text);
  }
  if (values.length < 2) return null;
  for (const [name, set] of enums) if (values.every((v) => set.has(v))) return name;
  return null;
}

export function check(file, text) {
  const problems = [];
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, file.endsWith(".tsx") ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const lines = text.split("\n");
  const report = (node, reason) => {
    const line = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
    if (!/generated-types: allow/.test(lines[line] ?? "")) problems.push(`${path.relative(root, file)}:${line + 1}: ${reason}`);
  };
  const visit = (node) => {
    if (ts.isUnionTypeNode(node)) {
      const e = enumOfUnion(node);
      if (e) report(node, `a hand-written copy of the generated enum ${e} (${node.getText(sf)}); import ${e} from "@/gql/graphql" (Exclude/Extract for a subset)`);
    }
    if ((ts.isInterfaceDeclaration(node) || (ts.isTypeAliasDeclaration(node) && ts.isTypeLiteralNode(node.type))) && typeNames.has(node.name.text)) {
      report(node, `${node.name.text} re-declares the schema's type of that name; use the generated type or a fragment's (FragmentType / ResultOf)`);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return problems;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // Self-test on every run: the check must still catch the copies issue 15 found (a role union, a Job shape).
  const probe = check(path.join(webSrc, "probe.ts"), 'type Role = "OWNER" | "CURATOR" | "REVIEWER" | "VIEWER";\ninterface Job { id: string }\nconst tone: "ok" | "bad" = "ok";\n');
  if (probe.length !== 2) {
    console.error(`check-generated-types: self-test failed, expected 2 findings on the probe, got ${probe.length}:\n${probe.join("\n")}`);
    process.exit(2);
  }
  const files = process.argv.length > 2 ? process.argv.slice(2).map((f) => path.resolve(f)) : sources(webSrc);
  const problems = files.flatMap((f) => check(f, readFileSync(f, "utf8")));
  if (problems.length) {
    console.error(`check-generated-types: ${problems.length} hand-written GraphQL shape(s) in apps/web (schema: ${path.relative(root, schemaPath)})`);
    for (const p of problems) console.error(`  ${p}`);
    process.exit(1);
  }
  console.log(`check-generated-types: ${files.length} files, ${enums.size} enums, no hand-written copy of a generated GraphQL type`);
}
