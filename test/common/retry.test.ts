// common/retry.ts: attempts, back-off with jitter and cap, classify, the
// elapsed-time limit and the abort signal, driven with real timers.
import { Code, ConnectError } from "@connectrpc/connect";
import test from "ava";
import { retry, retryConnectErrors, retryDelayMs } from "../../common/retry.js";

/** A call that fails `failures` times (with the errors given, or a plain Error), then returns its attempt number. */
function flaky(failures: number, errors: unknown[] = []) {
  const calls: number[] = [];
  const fn = async (attempt: number) => {
    calls.push(Date.now());
    if (attempt <= failures) throw errors[attempt - 1] ?? new Error(`failure ${attempt}`);
    return attempt;
  };
  return { fn, calls };
}

test("a call that succeeds at once is made once", async (t) => {
  const { fn, calls } = flaky(0);
  t.is(await retry(fn, { baseMs: 1000 }), 1);
  t.is(calls.length, 1);
});

test("failures are retried until a call succeeds, its value returned", async (t) => {
  const { fn, calls } = flaky(3);
  t.is(await retry(fn, { baseMs: 1 }), 4);
  t.is(calls.length, 4);
});

test("after `attempts` calls the last failure is thrown as it was", async (t) => {
  const { fn, calls } = flaky(10);
  const e = await t.throwsAsync(retry(fn, { attempts: 3, baseMs: 1 }));
  t.is(e.message, "failure 3");
  t.is(calls.length, 3);
});

test("classify 'fail' stops at once; it sees the error and the attempt number", async (t) => {
  const final = new Error("final");
  const { fn, calls } = flaky(10, [new Error("a"), final]);
  const seen: [string, number][] = [];
  const e = await t.throwsAsync(retry(fn, { baseMs: 1, classify: (err, n) => { seen.push([(err as Error).message, n]); return err === final ? "fail" : "retry"; } }));
  t.is(e, final);
  t.is(calls.length, 2);
  t.deepEqual(seen, [["a", 1], ["final", 2]]);
});

test("waits double from baseMs, are capped, and without jitter are exact", (t) => {
  const o = { baseMs: 100, capMs: 500, jitter: false };
  t.deepEqual([1, 2, 3, 4, 5].map((n) => retryDelayMs(n, o)), [100, 200, 400, 500, 500]);
  t.is(retryDelayMs(1000, { baseMs: 100, capMs: 5_000, jitter: false }), 5_000, "no overflow on a long outage");
});

test("jittered waits fall in [d/2, d] and are not all alike", (t) => {
  const waits = Array.from({ length: 200 }, () => retryDelayMs(3, { baseMs: 100 }));
  t.true(waits.every((w) => w >= 200 && w <= 400), String(waits.filter((w) => w < 200 || w > 400)));
  t.true(new Set(waits.map((w) => Math.round(w))).size > 20);
});

test("the calls are spaced by the waits", async (t) => {
  const { fn, calls } = flaky(2);
  await retry(fn, { baseMs: 60, jitter: false });
  t.true(calls[1]! - calls[0]! >= 55, `first wait ${calls[1]! - calls[0]!} ms`);
  t.true(calls[2]! - calls[1]! >= 115, `second wait ${calls[2]! - calls[1]!} ms`);
});

test("onRetry hears each failure that will be retried, with its wait, not the last one", async (t) => {
  const { fn } = flaky(5);
  const heard: [number, number][] = [];
  await t.throwsAsync(retry(fn, { attempts: 3, baseMs: 2, jitter: false, onRetry: (_e, n, d) => heard.push([n, d]) }));
  t.deepEqual(heard, [[1, 2], [2, 4]]);
});

test("maxElapsedMs gives up rather than wait past it", async (t) => {
  const { fn, calls } = flaky(100);
  const waits: number[] = [];
  await t.throwsAsync(retry(fn, { baseMs: 1_000, jitter: false, maxElapsedMs: 2_500, onRetry: (_e, _n, d) => waits.push(d) }));
  // One wait of 1 s; the next (2 s) would end past 2.5 s: two calls, and no second wait.
  t.is(calls.length, 2);
  t.deepEqual(waits, [1_000]);
});

test("an abort during a wait ends it at once with the last failure", async (t) => {
  const ac = new AbortController();
  const { fn, calls } = flaky(100);
  const start = Date.now();
  setTimeout(() => ac.abort(), 50);
  const e = await t.throwsAsync(retry(fn, { baseMs: 10_000, signal: ac.signal }));
  t.is(e.message, "failure 1");
  t.is(calls.length, 1);
  t.true(Date.now() - start < 2_000, `took ${Date.now() - start} ms`);
});

test("a signal aborted before a failure means no retry", async (t) => {
  const ac = new AbortController();
  ac.abort();
  const { fn, calls } = flaky(100);
  await t.throwsAsync(retry(fn, { baseMs: 1, signal: ac.signal }));
  t.is(calls.length, 1);
});

test("retryConnectErrors: broken connections and transient codes retry, answers fail", (t) => {
  t.is(retryConnectErrors(new Error("socket hang up")), "retry");
  t.is(retryConnectErrors(new ConnectError("x", Code.Unavailable)), "retry");
  t.is(retryConnectErrors(new ConnectError("x", Code.ResourceExhausted)), "retry");
  t.is(retryConnectErrors(new ConnectError("x", Code.PermissionDenied)), "fail");
  t.is(retryConnectErrors(new ConnectError("x", Code.FailedPrecondition)), "fail");
  t.is(retryConnectErrors(new ConnectError("x", Code.NotFound)), "fail");
});
