// Layout rules the code must keep: server/ and worker/ never import each
// other (what both need lives in common/ or gen/), common/ imports neither,
// nobody edits gen/ by hand (checked by scripts/test.sh), and source files
// stay small; SQL only in server/store/.
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import test from "ava";

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
