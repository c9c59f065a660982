// The parser threads: a large definition parses off the event loop to the same result as inline, its
// errors keep key path and position, and a parse past the time budget is refused (the thread replaced).
import test from "ava";
import { DefinitionCache } from "../../../server/projects/definition-cache.js";
import { ProjectDefinitionError } from "../../../server/projects/definition-error.js";
import { parseProjectDefinition } from "../../../server/projects/parse.js";
import { ParsePool } from "../../../server/projects/parse-pool.js";
import { BASE, yml } from "./helpers.js";

const withParams = (n: number, extra: string[] = []) =>
  yml("timeout: 5", "params:", ...Array.from({ length: n }, (_, i) => `  P${i}: v${i}`), ...extra, ...BASE.slice(1));

test("a pooled parse equals the inline one; its errors keep key path and position", async (t) => {
  const pool = new ParsePool({ size: 1, timeoutMs: 60_000, maxOldGenerationSizeMb: 256 });
  t.teardown(() => pool.close());
  const text = withParams(3_000);
  t.deepEqual(await pool.parse(text), parseProjectDefinition(text));
  const err = await t.throwsAsync(pool.parse(withParams(3_000, ["  P7: again"])), { instanceOf: ProjectDefinitionError });
  t.is(err?.message, 'params.P7 (line 3003, column 3): duplicate key "P7" (map keys must be unique)');
});

test("a parse past the time budget is refused, and the pool goes on", async (t) => {
  const pool = new ParsePool({ size: 1, timeoutMs: 1, maxOldGenerationSizeMb: 256 });
  t.teardown(() => pool.close());
  await t.throwsAsync(pool.parse(withParams(4_000)), { instanceOf: ProjectDefinitionError, message: /took longer than 1 ms to parse \(the limit\)/ });
  await t.throwsAsync(pool.parse(withParams(4_000)), { message: /took longer than 1 ms/ }); // a fresh thread, same budget
});

test("the cache parses a content once and hands out the same definition", async (t) => {
  const cache = new DefinitionCache(4, new ParsePool({ size: 1, timeoutMs: 60_000, maxOldGenerationSizeMb: 256 }));
  t.teardown(() => cache.close());
  const large = withParams(2_000);
  const first = await cache.parse(large);
  t.is(await cache.parse(`${large}`), first);
  t.is(await cache.parse(yml(...BASE)), await cache.parse(yml(...BASE)));
  await t.throwsAsync(cache.parse(yml(...BASE, "# \uD800")), { instanceOf: ProjectDefinitionError, message: /line 15, column 3: lone UTF-16 surrogate/ });
});
