// Layout rules the code must keep: server/ and worker/ never import each
// other (what both need lives in common/ or gen/), common/ imports neither,
// nobody edits gen/ by hand (checked by scripts/test.sh), and source files
// stay small; SQL only in server/store/; and every relative import is one
// that the import tables of README.md, server/README.md and worker/README.md
// allow (test/support/import-tables.ts reads them).
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import test from "ava";
import { covers, judge, readImportTable } from "./support/import-tables.js";

const ROOT = path.resolve(import.meta.dirname, "..");

function sources(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir)).flatMap((name) => {
    const rel = path.join(dir, name);
    return statSync(path.join(ROOT, rel)).isDirectory() ? sources(rel) : rel.endsWith(".ts") ? [rel] : [];
  });
}

function importsOf(file: string): string[] {
  const text = readFileSync(path.join(ROOT, file), "utf8");
  return [...text.matchAll(/from\s+["']([^"']+)["']|import\(["']([^"']+)["']\)/g)]
    .map((m) => m[1] ?? m[2]!)
    .filter((s) => s.startsWith("."))
    .map((s) => path.relative(ROOT, path.resolve(path.dirname(path.join(ROOT, file)), s)));
}

const forbidden: Record<string, string[]> = { server: ["worker", "cli"], worker: ["server", "cli"], common: ["server", "worker", "cli"] };

for (const [dir, banned] of Object.entries(forbidden)) {
  test(`${dir}/ does not import ${banned.join(" or ")}/`, (t) => {
    const bad = sources(dir).flatMap((f) => importsOf(f).filter((i) => banned.some((b) => i.startsWith(`${b}/`))).map((i) => `${f} -> ${i}`));
    t.deepEqual(bad, []);
  });
}

test("source files stay under 400 lines", (t) => {
  const big = ["server", "worker", "common", "cli"].flatMap(sources)
    .map((f) => [f, readFileSync(path.join(ROOT, f), "utf8").split("\n").length] as const)
    .filter(([, n]) => n > 400);
  t.deepEqual(big, []);
});

test("every source file starts with a header comment", (t) => {
  const bare = ["server", "worker", "common", "cli"].flatMap(sources)
    .filter((f) => !/^(#!.*\n)?\/\//.test(readFileSync(path.join(ROOT, f), "utf8")));
  t.deepEqual(bare, []);
});

// SQL lives in server/store/ only (repository functions; transactions opened there):
// nothing else imports kysely, not even its types, and no query is built elsewhere.
const outsideStore = () => ["server", "worker", "common", "cli"].flatMap(sources).filter((f) => !f.startsWith(`server${path.sep}store${path.sep}`));

test("only server/store/ imports kysely", (t) => {
  const bad = outsideStore().filter((f) => /from\s+["']kysely(\/[^"']*)?["']|import\(["']kysely/.test(readFileSync(path.join(ROOT, f), "utf8")));
  t.deepEqual(bad, []);
});

test("no query builder calls outside server/store/", (t) => {
  const QUERY = /\.(selectFrom|selectNoFrom|updateTable|insertInto|replaceInto|deleteFrom|mergeInto|transaction)\(|\bsql`/;
  const bad = outsideStore().flatMap((f) => readFileSync(path.join(ROOT, f), "utf8").split("\n")
    .flatMap((line, i) => (QUERY.test(line) ? [`${f}:${i + 1}: ${line.trim()}`] : [])));
  t.deepEqual(bad, []);
});

// The import tables are the rules: every row's files import only what it lists.
const TABLES = ["README.md", "server/README.md", "worker/README.md"];

function specifiersOf(file: string): string[] {
  const text = readFileSync(path.join(ROOT, file), "utf8");
  return [...text.matchAll(/from\s+["']([^"']+)["']|import\(["']([^"']+)["']\)/g)].map((m) => m[1] ?? m[2]!);
}

for (const readme of TABLES) {
  test(`${readme}: every relative import is one its import table allows`, (t) => {
    const rules = readImportTable(readme);
    const bad = rules.flatMap((rule) => (rule.subject.endsWith("/") ? sources(rule.subject.slice(0, -1)) : [rule.subject])
      .flatMap((file) => specifiersOf(file).flatMap((s) => judge(rule, file, s) ?? [])));
    t.deepEqual(bad, []);
  });

  test(`${readme}: the import table names only what exists, in its grammar`, (t) => {
    const unknown = readImportTable(readme).flatMap((r) => r.unknown.map((term) => `${r.subject}: ${term}`));
    t.deepEqual(unknown, []);
  });
}

for (const readme of TABLES.filter((r) => r !== "README.md")) {
  test(`${readme}: every source file of its folder has exactly one row`, (t) => {
    const rules = readImportTable(readme);
    const folder = path.dirname(readme);
    const off = sources(folder).filter((f) => rules.filter((r) => covers(r.subject, f)).length !== 1);
    t.deepEqual(off, []);
  });
}

test("README.md's import table has a row for each top-level source folder", (t) => {
  const subjects = readImportTable("README.md").map((r) => r.subject);
  t.deepEqual(["cli/", "common/", "server/", "worker/", "web/"].filter((f) => !subjects.includes(f)), []);
});

test("the import tables' judge refuses what a row does not list", (t) => {
  const rule = { readme: "x", subject: "server/gateway/", allowed: ["server/store/", "server/errors.ts"], nodeOnly: false, unknown: [] };
  t.is(judge(rule, "server/gateway/router.ts", "../store/db.js"), undefined);
  t.is(judge(rule, "server/gateway/router.ts", "./negotiate.js"), undefined);
  t.is(judge(rule, "server/gateway/router.ts", "../errors.js"), undefined);
  t.regex(judge(rule, "server/gateway/router.ts", "../api/convert.js") ?? "", /server\/api\/convert\.ts/);
  t.regex(judge(rule, "server/gateway/router.ts", "../logger.js") ?? "", /server\/logger\.ts/);
  t.is(judge({ ...rule, nodeOnly: true }, "server/gateway/router.ts", "node:fs"), undefined);
  t.truthy(judge({ ...rule, nodeOnly: true }, "server/gateway/router.ts", "yaml"));
});
