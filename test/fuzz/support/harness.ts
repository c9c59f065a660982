// What every fuzz test shares: the seed and case count (JOBSERV_FUZZ_SEED,
// JOBSERV_FUZZ_CASES overrides), a /healthz poller in its own thread (so the
// test's own work does not count as the server's latency), timed cases, and
// one assertion at the end listing every failing case with the seed and
// index that replay it.
import { spawn } from "node:child_process";
import { Worker } from "node:worker_threads";
import type { ExecutionContext } from "ava";
import { prng, type Prng } from "../../support/prng.js";

const boundFromEnv = (name: string, fallback: number): number => {
  const v = Number(process.env[name] ?? "");
  return v > 0 ? v : fallback;
};

// The bounds catch stalls: the probe that made this suite found answers of 38-120 s and /healthz
// waiting as long. They leave room for a 2-core machine running two whole suites at once, where
// legitimate answers took up to 2.5 s and /healthz trailed the control by up to 520 ms.
/** A case's answer must come within this (JOBSERV_FUZZ_ANSWER_MS). */
export const ANSWER_BOUND_MS = boundFromEnv("JOBSERV_FUZZ_ANSWER_MS", 5000);
/** /healthz must never wait longer than this beyond the control while the fuzz runs (JOBSERV_FUZZ_HEALTH_MS). */
export const HEALTH_BOUND_MS = boundFromEnv("JOBSERV_FUZZ_HEALTH_MS", 1000);

export interface FuzzConfig {
  seed: number;
  /** The most cases to run. */
  cases: number;
  /** Only this case (JOBSERV_FUZZ_CASE), to replay one failure. */
  only: number | undefined;
  /** Cases start until this much time has passed (JOBSERV_FUZZ_BUDGET_S), so CI time stays bounded on a busy machine. */
  budgetMs: number;
  /** Cases in flight at once. */
  concurrency: number;
}

const envNumber = (name: string): number | undefined => {
  const v = process.env[name];
  return v === undefined || v.trim() === "" ? undefined : Number(v);
};

/** The seed (default: fixed per suite, so CI is repeatable), the number of cases and the time budget. */
export function fuzzConfig(defaultSeed: number, defaultCases: number): FuzzConfig {
  return {
    seed: (envNumber("JOBSERV_FUZZ_SEED") ?? defaultSeed) >>> 0,
    cases: Math.max(1, Math.floor(envNumber("JOBSERV_FUZZ_CASES") ?? defaultCases)),
    only: envNumber("JOBSERV_FUZZ_CASE"),
    budgetMs: (envNumber("JOBSERV_FUZZ_BUDGET_S") ?? 30) * 1000,
    concurrency: 2,
  };
}

export interface FuzzCase {
  kind: string;
  what: string;
  send: () => Promise<Answer>;
}

/** The PRNG of case `index`: each case is replayable alone from (seed, index). */
export function caseRng(seed: number, index: number): Prng {
  return prng((seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0);
}

// Polls /healthz and, at the same moment, a trivial HTTP server in another
// process (the control). On a machine shared by many jobs both can wait for
// a CPU; the control's wait is taken off, so what is measured is the time
// jobserv itself kept /healthz waiting.
const POLLER = `
const { parentPort, workerData } = require("node:worker_threads");
let worst = 0, worstAt = 0, worstRaw = 0, polls = 0, failures = 0, stop = false;
parentPort.on("message", () => { stop = true; });
const timed = async (url) => {
  const started = performance.now();
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(30000) });
    await res.arrayBuffer();
    return { ms: performance.now() - started, ok: res.ok };
  } catch { return { ms: performance.now() - started, ok: false }; }
};
(async () => {
  while (!stop) {
    const at = performance.timeOrigin + performance.now();
    const [health, control] = await Promise.all([timed(workerData.url), timed(workerData.control)]);
    polls++;
    if (!health.ok) failures++;
    worstRaw = Math.max(worstRaw, health.ms);
    if (health.ms - control.ms > worst) { worst = health.ms - control.ms; worstAt = at; }
    await new Promise((r) => setTimeout(r, 50));
  }
  parentPort.postMessage({ worst, worstAt, worstRaw, polls, failures });
})();
`;

const CONTROL = "require('node:http').createServer((q, s) => s.end('ok')).listen(0, '127.0.0.1', function () { console.log(this.address().port); })";

export interface HealthReport {
  /** The longest /healthz wait beyond the control's at the same moment. */
  worst: number;
  /** When that poll was sent (epoch ms). */
  worstAt: number;
  /** The longest /healthz wait as measured. */
  worstRaw: number;
  polls: number;
  failures: number;
}

/**
 * Waits until the server has settled after its start (its start-up sweeps
 * keep it busy for a moment after /healthz first answers): `quiet`
 * consecutive /healthz answers within 100 ms, for at most `maxMs`.
 */
export async function settle(url: string, quiet = 10, maxMs = 15_000): Promise<void> {
  const until = Date.now() + maxMs;
  let streak = 0;
  while (streak < quiet && Date.now() < until) {
    const started = performance.now();
    await (await fetch(`${url}/healthz`)).arrayBuffer();
    streak = performance.now() - started < 100 ? streak + 1 : 0;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Polls `<url>/healthz` (and the control) every 50 ms from a worker thread until stopped. */
export async function startHealthPoller(t: ExecutionContext, url: string): Promise<{ stop: () => Promise<HealthReport> }> {
  await settle(url);
  const control = spawn(process.execPath, ["-e", CONTROL], { stdio: ["ignore", "pipe", "inherit"] });
  t.teardown(() => { control.kill(); });
  const port = await new Promise<number>((resolve, reject) => {
    control.stdout.once("data", (d: Buffer) => resolve(Number(d.toString().trim())));
    control.once("exit", () => reject(new Error("the control server exited")));
  });
  const worker = new Worker(POLLER, { eval: true, workerData: { url: `${url}/healthz`, control: `http://127.0.0.1:${port}/` } });
  return {
    stop: () => new Promise<HealthReport>((resolve, reject) => {
      worker.once("message", (m: HealthReport) => { void worker.terminate(); control.kill(); resolve(m); });
      worker.once("error", reject);
      worker.postMessage("stop");
    }),
  };
}

export interface Answer {
  /** The HTTP status; for gRPC the grpc-status trailer is in `detail`. */
  status: number;
  /** Whether the answer is a server fault (5xx, or gRPC INTERNAL/UNKNOWN/UNAVAILABLE). */
  fault: boolean;
  detail: string;
}

/** Collects failing cases; `assert` fails the test with all of them and the replay line. */
export class FuzzLog {
  private failures = 0;
  /** Failing cases by cause, with one example each. */
  readonly causes = new Map<string, { count: number; example: string }>();
  worstMs = 0;
  count = 0;
  /** Start and end (epoch ms) of each case, to name the ones in flight when /healthz was slowest. */
  private readonly spans: { index: number; kind: string; what: string; from: number; to: number }[] = [];

  constructor(private readonly suite: string, private readonly cfg: FuzzConfig) {}

  /** Runs one case: `send` must answer within ANSWER_BOUND_MS without a server fault. */
  async run(index: number, kind: string, what: string, send: () => Promise<Answer>): Promise<void> {
    const started = performance.now();
    const from = performance.timeOrigin + started;
    let answer: Answer;
    try {
      answer = await send();
    } catch (e) {
      answer = { status: 0, fault: true, detail: `no answer: ${(e as Error).message}` };
    }
    const ms = performance.now() - started;
    this.spans.push({ index, kind, what, from, to: from + ms });
    this.count++;
    this.worstMs = Math.max(this.worstMs, ms);
    const problems: string[] = [];
    if (answer.fault) problems.push(`server fault ${answer.status} ${answer.detail.slice(0, 200)}`);
    if (ms > ANSWER_BOUND_MS) problems.push(`answered after ${Math.round(ms)} ms (bound ${ANSWER_BOUND_MS})`);
    if (problems.length > 0) {
      // Grouped by cause: the protocol or route, and the answer with numbers and odd bytes taken out.
      const cause = `${kind.split(" ")[0]}: ${ms > ANSWER_BOUND_MS && !answer.fault ? "slow answer" : printable(answer.detail).replace(/\d+/g, "N").slice(0, 90)}`;
      const group = this.causes.get(cause) ?? { count: 0, example: `case ${index} [${kind}] ${printable(what).slice(0, 200)}: ${problems.join("; ")}` };
      group.count++;
      this.causes.set(cause, group);
      this.failures++;
    }
  }

  /**
   * Runs cases 0..cfg.cases-1 (or only cfg.only), `cfg.concurrency` at a
   * time, starting no new case once the time budget is spent.
   */
  async runAll(make: (index: number) => FuzzCase): Promise<void> {
    const until = performance.now() + this.cfg.budgetMs;
    const indexes = this.cfg.only !== undefined ? [this.cfg.only] : Array.from({ length: this.cfg.cases }, (_, i) => i);
    let next = 0;
    await Promise.all(Array.from({ length: this.cfg.concurrency }, async () => {
      while (next < indexes.length && performance.now() < until) {
        const index = indexes[next++]!;
        const c = make(index);
        await this.run(index, c.kind, c.what, c.send);
      }
    }));
  }

  /** One assertion over every case and the health poller's report. */
  assert(t: ExecutionContext, health: HealthReport): void {
    const replay = `replay: JOBSERV_FUZZ_SEED=${this.cfg.seed} JOBSERV_FUZZ_CASE=<case>`;
    t.log(`${this.suite}: ${this.count} of ${this.cfg.only !== undefined ? 1 : this.cfg.cases} cases within the budget, seed ${this.cfg.seed}, slowest answer ${Math.round(this.worstMs)} ms, /healthz worst ${Math.round(health.worstRaw)} ms, ${Math.round(health.worst)} ms beyond the control, over ${health.polls} polls`);
    const shown = [...this.causes].sort((a, b) => b[1].count - a[1].count)
      .map(([cause, g]) => `${g.count}× ${cause}\n    e.g. ${g.example}`).join("\n");
    t.true(this.count > 0, "no case ran within the budget");
    t.is(this.failures, 0, `${this.failures} failing cases; ${replay}\n${shown}`);
    const inFlight = this.spans.filter((c) => c.from <= health.worstAt + health.worst && c.to >= health.worstAt)
      .map((c) => `case ${c.index} [${c.kind}] ${c.what.slice(0, 160)} (${Math.round(c.to - c.from)} ms)`).join("\n");
    t.true(health.worst <= HEALTH_BOUND_MS, `/healthz waited ${Math.round(health.worst)} ms longer than the control server (bound ${HEALTH_BOUND_MS}); ${replay}; in flight then:\n${inFlight}`);
    t.is(health.failures, 0, `/healthz failed ${health.failures} times; ${replay}`);
  }
}

/** `text` with control characters and replacement characters shown as `.`. */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\ufffd]/g, ".");
}

/** An HTTP answer as a fuzz Answer (5xx is a fault). */
export async function httpAnswer(res: Response): Promise<Answer> {
  const text = await res.text();
  return { status: res.status, fault: res.status >= 500, detail: text.slice(0, 300) };
}
