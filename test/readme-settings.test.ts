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
const READ = /\b(?:env|environment)(?:\[\s*"(JOBSERV_\w+)"\s*\]|\.(?:raw|string|integer|durationMs|port|bytes|oneOf|httpUrl|flag)\(\s*"(JOBSERV_\w+)")/g;
const read = new Set([...code.matchAll(READ)].map((m) => m[1] ?? m[2]!));
const mentioned = new Set([...code.matchAll(/\bJOBSERV_[A-Z0-9_]*[A-Z0-9]\b/g)].map((m) => m[0]));

/**
 * The names each backticked entry of README's table rows may stand for: a full
 * name, or a shorthand such as `_TAGS` after `JOBSERV_WORKER_NAME`, which
 * replaces some of the previous full name's trailing words (none to all but
 * the first two: `_DELAY_MS` after `JOBSERV_LOG_ARCHIVE`, `_PATH_STYLE` after
 * `JOBSERV_S3_ENDPOINT`, `_MAX_RUN_BYTES` after `JOBSERV_ARTIFACT_MAX_FILE_BYTES`).
 */
function tableEntries(): string[][] {
  const entries: string[][] = [];
  for (const line of readme.split("\n").filter((l) => l.startsWith("| `"))) {
    for (const cell of line.split("|")) {
      let last: string[] = [];
      for (const [, name] of cell.matchAll(/`(JOBSERV_[A-Z0-9_]+|_[A-Z0-9_]+)`/g)) {
        const words = name!.split("_").filter(Boolean);
        if (name!.startsWith("JOBSERV_")) {
          entries.push([name!]);
          last = words;
          continue;
        }
        const candidates: string[] = [];
        for (let keep = 2; keep <= last.length; keep++) candidates.push([...last.slice(0, keep), ...words].join("_"));
        entries.push(candidates);
      }
    }
  }
  return entries;
}

const tableNames = () => new Set(tableEntries().flat());

test("the code reads environment variables (the pattern finds them)", (t) => {
  t.true(read.has("JOBSERV_PORT") && read.has("JOBSERV_WORKER_TAGS") && read.has("JOBSERV_TOKEN"), [...read].join(" "));
});

test("every variable the code reads is in README's settings table", (t) => {
  const table = tableNames();
  t.deepEqual([...read].filter((n) => !table.has(n)).sort(), []);
});

test("every variable in README's settings table is read by the code", (t) => {
  t.deepEqual(tableEntries().filter((names) => !names.some((n) => read.has(n))).map((names) => names.join(" or ")), []);
});

test("every other JOBSERV_ name in the code is documented in the README", (t) => {
  const table = tableNames();
  t.deepEqual([...mentioned].filter((n) => !readme.includes(n) && !table.has(n)).sort(), []);
});
