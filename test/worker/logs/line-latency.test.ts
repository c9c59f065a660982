// A finished line leaves the worker without waiting on a timer: the masker
// releases masked text up to the last newline at once (when no secret holds a
// newline), and the shipper sends a line as soon as no send is in flight,
// gathering what comes meanwhile into the next request, which a busy stream
// sends no sooner than minIntervalMs after the last one began. No byte is
// lost or reordered, and secrets split across writes stay masked.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import test from "ava";
import { SecretMasker } from "../../../worker/logs/mask.js";
import { LogShipper } from "../../../worker/logs/shipper.js";

const b = (s: string) => Buffer.from(s);

test("the masker releases whole lines at once and still masks secrets split across writes", (t) => {
  const m = new SecretMasker(["s3cr3t-value-0123456789"]);
  t.is(m.push(b("line one\n")).toString(), "line one\n", "a finished line is not held back");
  t.is(m.push(b("token s3cr3t-val")).toString(), "", "an unfinished line that may end in a secret waits");
  t.is(m.push(b("ue-0123456789 done\nnext s3cr")).toString(), "token *** done\n");
  t.is(m.flush().toString(), "next s3cr");
});

test("a secret holding a newline still holds back across lines", (t) => {
  const m = new SecretMasker(["-----BEGIN KEY-----\nabcdef"]);
  t.is(m.push(b("x\n-----BEGIN KEY-----\n")).toString(), "", "the first line could start the secret");
  t.is(Buffer.concat([m.push(b("abcdef\n")), m.flush()]).toString(), "x\n***\n");
  t.is(m.flush().toString(), "");
});

function spoolDir(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "jobserv-shipper-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test("a line is sent at once, not after flushMs; a partial line waits for the timer", async (t) => {
  const sent: { at: number; offset: number; data: string }[] = [];
  let stored = "";
  const shipper = new LogShipper(async (offset, data) => {
    sent.push({ at: performance.now(), offset, data: Buffer.from(data).toString() });
    stored = stored.slice(0, offset) + Buffer.from(data).toString();
    return { committed: stored.length, cancelRequested: false };
  }, { chunkBytes: 64 * 1024, flushMs: 60_000, spoolDir: spoolDir(t) });
  const t0 = performance.now();
  shipper.write(b("hello world\n"));
  await new Promise((r) => setTimeout(r, 100));
  t.is(sent.length, 1, "the line went without waiting for flushMs");
  t.true(sent[0]!.at - t0 < 50);
  shipper.write(b("no newline yet"));
  await new Promise((r) => setTimeout(r, 100));
  t.is(sent.length, 1, "a partial line waits (for flushMs or its newline)");
  shipper.write(b(" ... done\n"));
  await new Promise((r) => setTimeout(r, 100));
  t.is(sent.length, 2);
  t.is(stored, "hello world\nno newline yet ... done\n");
  await shipper.close();
});

test("lines written while a send is in flight go together in the next request, in order, none lost", async (t) => {
  const calls: number[] = [];
  let stored = Buffer.alloc(0);
  let release: (() => void) | undefined;
  const shipper = new LogShipper(async (offset, data) => {
    calls.push(data.length);
    if (calls.length === 1) await new Promise<void>((r) => { release = r; });
    else await new Promise((r) => setTimeout(r, Math.random() * 3));
    stored = Buffer.concat([stored.subarray(0, offset), data]);
    return { committed: stored.length, cancelRequested: false };
  }, { chunkBytes: 64 * 1024, flushMs: 60_000, spoolDir: spoolDir(t) });
  let expected = "";
  const line = (i: number) => `line ${i} ${"x".repeat(i % 50)}\n`;
  for (let i = 0; i < 100; i++) { shipper.write(b(line(i))); expected += line(i); }
  await new Promise((r) => setTimeout(r, 20));
  t.is(calls.length, 1, "one request in flight, the rest gathered");
  const gathered = Buffer.byteLength(expected) - calls[0]!;
  release!();
  for (let i = 100; i < 2_000; i++) {
    shipper.write(b(line(i))); expected += line(i);
    if (i % 37 === 0) await new Promise((r) => setTimeout(r, 1));
  }
  await shipper.close();
  t.is(stored.toString(), expected, "every byte, in order");
  t.true(calls.length < 2_000 / 2, `requests gather lines (${calls.length} requests for 2000 lines)`);
  t.true(calls[1]! >= gathered, "the second request carried every line written meanwhile");
});

test("a busy stream against a server that answers at once: requests at least minIntervalMs apart; close() does not wait for the interval", async (t) => {
  const starts: number[] = [];
  let stored = Buffer.alloc(0);
  const shipper = new LogShipper(async (offset, data) => {
    starts.push(performance.now());
    stored = Buffer.concat([stored.subarray(0, offset), data]);
    return { committed: stored.length, cancelRequested: false };
  }, { chunkBytes: 64 * 1024, flushMs: 60_000, spoolDir: spoolDir(t), minIntervalMs: 40 });
  let expected = "";
  const t0 = performance.now();
  for (let i = 0; performance.now() - t0 < 400; i++) {
    const line = `line ${i}\n`;
    shipper.write(b(line));
    expected += line;
    await new Promise((r) => setImmediate(r));
  }
  const closing = performance.now();
  await shipper.close();
  t.true(performance.now() - closing < 30, "the rest went at once");
  t.is(stored.toString(), expected, "every byte, in order");
  // About 400 / 40 requests (a line every turn, each answered at once, would otherwise go one by one).
  t.true(starts.length <= 400 / 40 + 3, `${starts.length} requests`);
  for (let i = 1; i < starts.length - 1; i++) t.true(starts[i]! - starts[i - 1]! >= 35, `request ${i}: ${(starts[i]! - starts[i - 1]!).toFixed(1)} ms after the one before`);
});
