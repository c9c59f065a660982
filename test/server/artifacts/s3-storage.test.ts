// The S3-compatible artifact storage against a real S3-compatible server
// (s3rver on loopback): the storage contract (streamed
// put, get from an offset, list by prefix, delete), multipart uploads,
// failed and oversized uploads leaving nothing visible, prefixes keeping
// deployments apart, presigned URLs.
import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { buffer } from "node:stream/consumers";
import test from "ava";
import { S3ArtifactStorage } from "../../../server/artifacts/s3-storage.js";
import { ArtifactTooLargeError } from "../../../server/artifacts/storage.js";
import { startS3Server } from "../../support/s3-server.js";

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** `data` in chunks of `size` bytes, as an upload body arrives. */
async function* chunks(data: Buffer, size = 64 * 1024): AsyncIterable<Uint8Array> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

test("put, get (whole and from an offset), list by prefix, delete; prefixes keep two deployments apart", async (t) => {
  const s3 = await startS3Server(t);
  const s = new S3ArtifactStorage(s3.storage("site-a/"));
  const other = new S3ArtifactStorage(s3.storage("site-b"));
  t.teardown(() => { s.close(); other.close(); });
  const data = randomBytes(100_000);
  t.deepEqual(await s.put("p/1/r/a/data.bin", chunks(data, 7_000), { maxBytes: data.length }), { size: data.length });
  await s.put("p/1/r/b.txt", chunks(Buffer.from("b")), { maxBytes: 10 });
  await s.put("p/1/r2/c.txt", chunks(Buffer.from("c")), { maxBytes: 10 });
  await s.put("p/11/r/d.txt", chunks(Buffer.from("d")), { maxBytes: 10 });
  await other.put("p/1/r/b.txt", chunks(Buffer.from("other")), { maxBytes: 10 });

  const whole = await s.get("p/1/r/a/data.bin");
  t.is(whole?.size, data.length);
  t.true((await buffer(whole!.body)).equals(data));
  const tail = await s.get("p/1/r/a/data.bin", 99_000);
  t.is(tail?.size, data.length, "size is the whole object's");
  t.true((await buffer(tail!.body)).equals(data.subarray(99_000)));
  for (const from of [data.length, data.length + 5]) {
    const end = await s.get("p/1/r/a/data.bin", from);
    t.is(end?.size, data.length);
    t.is((await buffer(end!.body)).length, 0, `from ${from}: no bytes`);
  }
  t.is(await s.get("p/1/r/missing"), undefined);
  t.is(await s.get("p/1/r/missing", 3), undefined);

  t.deepEqual((await collect(s.list("p/1/r/"))).map((o) => [o.key, o.size]).sort(), [["p/1/r/a/data.bin", data.length], ["p/1/r/b.txt", 1]]);
  t.deepEqual((await collect(s.list("p/1"))).map((o) => o.key).sort(), ["p/1/r/a/data.bin", "p/1/r/b.txt", "p/1/r2/c.txt", "p/11/r/d.txt"]);
  t.deepEqual((await collect(other.list(""))).map((o) => o.key), ["p/1/r/b.txt"], "the other prefix sees only its own");
  t.is((await buffer((await other.get("p/1/r/b.txt"))!.body)).toString(), "other");

  await s.delete("p/1/r/b.txt");
  await s.delete("p/1/r/b.txt");
  t.is(await s.get("p/1/r/b.txt"), undefined);
  t.is((await buffer((await other.get("p/1/r/b.txt"))!.body)).toString(), "other", "delete stays inside its prefix");
});

test("a multipart upload streams in parts and reads back byte for byte; a repeated put replaces", async (t) => {
  const s3 = await startS3Server(t);
  const s = new S3ArtifactStorage(s3.storage());
  t.teardown(() => s.close());
  const data = randomBytes(20 * 1024 * 1024 + 13); // three parts of 8 MiB
  t.deepEqual(await s.put("p/1/r/big.bin", chunks(data), { maxBytes: 2 ** 30 }), { size: data.length });
  t.true((await buffer((await s.get("p/1/r/big.bin"))!.body)).equals(data));
  await s.put("p/1/r/big.bin", chunks(Buffer.from("small now")), { maxBytes: 2 ** 30 });
  const again = await s.get("p/1/r/big.bin");
  t.is(again?.size, 9);
  t.is((await buffer(again!.body)).toString(), "small now");
});

test("an oversized or failing upload throws and leaves nothing visible (nor replaces what was there)", async (t) => {
  const s3 = await startS3Server(t);
  const s = new S3ArtifactStorage(s3.storage());
  t.teardown(() => s.close());
  await s.put("p/1/r/keep.bin", chunks(Buffer.from("the first upload")), { maxBytes: 100 });

  // Over the limit in the first part, and over it after several parts.
  await t.throwsAsync(s.put("p/1/r/small-limit.bin", chunks(randomBytes(1000)), { maxBytes: 999 }), { instanceOf: ArtifactTooLargeError });
  await t.throwsAsync(s.put("p/1/r/keep.bin", chunks(randomBytes(18 * 1024 * 1024)), { maxBytes: 17 * 1024 * 1024 }), { instanceOf: ArtifactTooLargeError });

  async function* breaks(): AsyncIterable<Uint8Array> {
    yield* chunks(randomBytes(10 * 1024 * 1024));
    throw new Error("client went away");
  }
  await t.throwsAsync(s.put("p/1/r/broken.bin", breaks(), { maxBytes: 2 ** 30 }), { message: "client went away" });

  t.deepEqual((await collect(s.list("p/"))).map((o) => o.key), ["p/1/r/keep.bin"]);
  t.is((await buffer((await s.get("p/1/r/keep.bin"))!.body)).toString(), "the first upload");
});

test("a presigned URL reads the object without credentials; one naming an unknown key is refused", async (t) => {
  const s3 = await startS3Server(t);
  const s = new S3ArtifactStorage(s3.storage("pre/"));
  t.teardown(() => s.close());
  await s.put("p/1/r/report.html", Readable.from([Buffer.from("<p>ok</p>")]), { maxBytes: 100 });
  const url = await s.presign("p/1/r/report.html", 60);
  t.regex(url, /X-Amz-Signature=/);
  const res = await fetch(url);
  t.is(res.status, 200);
  t.is(await res.text(), "<p>ok</p>");
  // s3rver checks the access key of V4 requests (not their signature): a URL naming another key is refused.
  const forged = new URL(url);
  forged.searchParams.set("X-Amz-Credential", forged.searchParams.get("X-Amz-Credential")!.replace(/^[^/]+/, "NOT-A-KEY"));
  t.is((await fetch(forged)).status, 403);
});
