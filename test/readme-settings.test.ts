// README's settings table is complete and current: every environment
// variable the code reads (server/, worker/, cli/, common/) is in it, every
// variable in it is read somewhere, and every other JOBSERV_ name the code
// uses (trigger params such as JOBSERV_DEFINITION_FILE) is documented in the
// README. Shorthand cells such as "`JOBSERV_WORKER_NAME`, `_TAGS`" count as
// JOBSERV_WORKER_TAGS (the shorthand replaces as many trailing words).
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

const code = ["server", "worker", "cli", "common"].flatMap(sources).map((f) => readFileSync(path.join(ROOT, f), "utf8")).join("\n");
const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");

/** Variables read through `env["X"]` or an EnvReader method (`env.port("X", ...)`). */
const READ = /\b(?:env|environment)(?:\[\s*"(JOBSERV_\w+)"\s*\]|\.(?:raw|string|integer|durationMs|port|bytes|oneOf|httpUrl)\(\s*"(JOBSERV_\w+)")/g;
const read = new Set([...code.matchAll(READ)].map((m) => m[1] ?? m[2]!));
const mentioned = new Set([...code.matchAll(/\bJOBSERV_[A-Z0-9_]*[A-Z0-9]\b/g)].map((m) => m[0]));

/** Names in the README's table rows, shorthands expanded against the cell's previous full name. */
function tableNames(): Set<string> {
  const names = new Set<string>();
  for (const line of readme.split("\n").filter((l) => l.startsWith("| `"))) {
    for (const cell of line.split("|")) {
      let last: string[] = [];
      for (const [, name] of cell.matchAll(/`(JOBSERV_[A-Z0-9_]+|_[A-Z0-9_]+)`/g)) {
        const words = name!.split("_").filter(Boolean);
        const full = name!.startsWith("JOBSERV_") ? words : [...last.slice(0, last.length - words.length), ...words];
        names.add(full.join("_"));
        last = full;
      }
    }
  }
  return names;
}

test("the code reads environment variables (the pattern finds them)", (t) => {
  t.true(read.has("JOBSERV_PORT") && read.has("JOBSERV_WORKER_TAGS") && read.has("JOBSERV_TOKEN"), [...read].join(" "));
});

test("every variable the code reads is in README's settings table", (t) => {
  const table = tableNames();
  t.deepEqual([...read].filter((n) => !table.has(n)).sort(), []);
});

test("every variable in README's settings table is read by the code", (t) => {
  t.deepEqual([...tableNames()].filter((n) => !read.has(n)).sort(), []);
});

test("every other JOBSERV_ name in the code is documented in the README", (t) => {
  const table = tableNames();
  t.deepEqual([...mentioned].filter((n) => !readme.includes(n) && !table.has(n)).sort(), []);
});
