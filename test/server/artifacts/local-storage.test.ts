// The local-directory artifact storage (put/get/list/delete by key, streamed,
// size-limited, atomic) and artifact path normalisation.
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { buffer } from "node:stream/consumers";
import test, { type ExecutionContext } from "ava";
import { normaliseArtifactPath } from "../../../server/artifacts/artifact-path.js";
import { LocalArtifactStorage } from "../../../server/artifacts/local-storage.js";
import { ArtifactTooLargeError } from "../../../server/artifacts/storage.js";
import { InvalidArgumentError } from "../../../server/errors.js";

function storage(t: ExecutionContext): { root: string; s: LocalArtifactStorage } {
  const root = mkdtempSync(path.join(os.tmpdir(), "jobserv-storage-"));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  return { root, s: new LocalArtifactStorage(root) };
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

test("put streams, get reads back, list filters by prefix, delete removes", async (t) => {
  const { s } = storage(t);
  const big = Buffer.alloc(3 * 1024 * 1024 + 7, 0xab);
  t.deepEqual(await s.put("p/1/r/a/big.bin", Readable.from([big.subarray(0, 1000), big.subarray(1000)]), { maxBytes: big.length }), { size: big.length });
  await s.put("p/1/r/b.txt", Readable.from([Buffer.from("b")]), { maxBytes: 10 });
  await s.put("p/1/r2/c.txt", Readable.from([Buffer.from("c")]), { maxBytes: 10 });
  await s.put("p/11/r/d.txt", Readable.from([Buffer.from("d")]), { maxBytes: 10 });
  const got = await s.get("p/1/r/a/big.bin");
  t.is(got?.size, big.length);
  t.true((await buffer(got!.body)).equals(big));
  t.deepEqual((await collect(s.list("p/1/r/"))).map((o) => [o.key, o.size]).sort(), [["p/1/r/a/big.bin", big.length], ["p/1/r/b.txt", 1]]);
  t.deepEqual((await collect(s.list("p/1"))).map((o) => o.key).sort(), ["p/1/r/a/big.bin", "p/1/r/b.txt", "p/1/r2/c.txt", "p/11/r/d.txt"]);
  t.deepEqual(await collect(s.list("nothing/")), []);
  await s.delete("p/1/r/b.txt");
  await s.delete("p/1/r/b.txt");
  t.is(await s.get("p/1/r/b.txt"), undefined);
  t.is(await s.get("p/1/r/a"), undefined, "a folder is not an object");
});

test("a put over the limit fails, leaves nothing and keeps the previous object", async (t) => {
  const { root, s } = storage(t);
  await s.put("p/1/r/x", Readable.from([Buffer.from("old")]), { maxBytes: 10 });
  const e = await t.throwsAsync(s.put("p/1/r/x", Readable.from([Buffer.alloc(6), Buffer.alloc(6)]), { maxBytes: 10 }));
  t.true(e instanceof ArtifactTooLargeError);
  t.is((await buffer((await s.get("p/1/r/x"))!.body)).toString(), "old");
  t.deepEqual(readdirSync(path.join(root, "~incoming")), []);
});

test("keys that would leave the root are refused", async (t) => {
  const { s } = storage(t);
  await t.throwsAsync(s.put("../escape", Readable.from([Buffer.from("x")]), { maxBytes: 10 }));
  await t.throwsAsync(s.get("a/../../escape"));
});

const normalised = test.macro((t, raw: string, want: string) => t.is(normaliseArtifactPath(raw), want));
test("normalises a//b", normalised, "a//b", "a/b");
test("normalises ./a/./b", normalised, "./a/./b", "a/b");
test("keeps dots inside names", normalised, "a/..b/c..", "a/..b/c..");

const refused = test.macro({
  exec: (t, raw: string) => t.throws(() => normaliseArtifactPath(raw), { instanceOf: InvalidArgumentError }),
  title: (_p, raw: string) => `refuses ${JSON.stringify(raw.length > 20 ? `${raw.slice(0, 8)}... (${raw.length} chars)` : raw)}`,
});
for (const raw of ["../x", "a/../../x", "a/..", "/etc/passwd", "a\\b", "a\0b", "a\nb", "", "./", "dir/", "x".repeat(701)]) test(refused, raw);
