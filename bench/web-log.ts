// Benchmark 7: the web page's console log in a real browser (Debian's
// chromium through puppeteer-core), against a server process and a real
// worker running a container.
// - Line lag: a container prints a line every `intervalMs` stamped with its
//   clock (busybox adjtimex); the run page, opened before it starts, records
//   when each line first shows in its DOM. Baseline, same run, same lines: a
//   plain Node client following TailLog.
// - Large log: a finished run with a `megabytes` log; time from opening the
//   run page to its first line and to its last line in the DOM, and the
//   longest task that blocked the page meanwhile. Baselines, same run: the
//   same console.log fetched and put in a <pre> at once (the naive page), and
//   the same bytes through TailLog in a plain Node client.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Browser, Page } from "puppeteer-core";
import { launchChromium, logMarks, newTab, recordLogMarks, recordTicks, ticks } from "../test/support/browser.js";
import { lagMeter, tickScript } from "./log-tail-lag.js";
import { apiClients, projectYaml, waitForRun, type Api } from "./support/api.js";
import { freshDb } from "./support/bench-db.js";
import { row, type Row } from "./support/report.js";
import { startServerProcess, type ServerProcess } from "./support/server-process.js";
import { nowMs, summarize, waitFor } from "./support/stats.js";
import { spawnRealWorker, type WorkerProcess } from "./support/worker-process.js";

export interface WebSizes { lines: number; intervalMs: number; megabytes: number }


// Lines of 94 bytes with a colour escape, as build logs have.
const LINE_BYTES = 94;
const bigScript = (s: WebSizes) => `#!/bin/sh\nawk 'BEGIN { for (i = 1; i <= ${Math.ceil(s.megabytes * 1e6 / LINE_BYTES)}; i++) printf "line %09d \\033[33mwarn\\033[0m the quick brown fox jumps over the lazy dog 0123456789abcdefghij\\n", i }'\necho "the very last line"`;

interface Rig { server: ServerProcess; worker: WorkerProcess; api: Api; browser: Browser; page: Page; stop(): Promise<void> }

async function rig(name: string): Promise<Rig> {
  const db = await freshDb("sqlite");
  const server = await startServerProcess(db.url);
  const worker = spawnRealWorker(server.url, name, ["web"]);
  const profile = mkdtempSync(path.join(os.tmpdir(), "jobserv-bench-chromium-"));
  const browser = await launchChromium(profile);
  const page = await newTab(browser);
  await page.goto(`${server.url}/`); // the server builds the page's assets once, on first need
  return {
    server, worker, api: apiClients(server.url), browser, page,
    async stop() {
      await browser.close();
      rmSync(profile, { recursive: true, force: true });
      await worker.stop();
      await server.stop();
      await db.drop();
    },
  };
}

/** Lags (ms) of the tick lines read by a Node TailLog follower. */
async function nodeTailLags(api: Api, project: string): Promise<number[]> {
  const meter = lagMeter();
  const decoder = new TextDecoder();
  for await (const msg of api.runs.tailLog({ ref: { project, buildNumber: 1, run: "r" }, follow: true })) meter.feed(decoder.decode(msg.data, { stream: true }));
  return meter.samples;
}

export async function benchWebLogLag(s: WebSizes): Promise<Row[]> {
  const r = await rig("web-lag");
  try {
    await r.api.projects.createProject({ name: "weblag", definitionYaml: projectYaml("web", tickScript(s)), public: true });
    await recordTicks(r.page);
    await r.api.builds.triggerBuild({ project: "weblag", triggerName: "ci" });
    const [node] = await Promise.all([nodeTailLags(r.api, "weblag"), r.page.goto(`${r.server.url}/projects/weblag/builds/1/runs/r/`)]);
    await waitFor(async () => (Object.keys(await ticks(r.page)).length >= s.lines ? true : undefined), 30_000, `${s.lines} lines in the page; worker said:\n${r.worker.output()}`);
    const page = summarize(Object.values(await ticks(r.page)).map((x) => x.seen - x.printed));
    const base = summarize(node);
    if (base.n !== s.lines) throw new Error(`the Node client saw ${base.n} of ${s.lines} lines`);
    const common = { bench: "7 web log lag", size: `${page.n} lines, 1 per ${s.intervalMs} ms`, unit: "ms", baselineLabel: "TailLog in Node" };
    return [
      row({ ...common, figure: "p50 printed → page DOM", value: page.p50, baseline: base.p50, target: "", met: null }),
      row({ ...common, figure: "p99 printed → page DOM", value: page.p99, baseline: base.p99, target: "p99 <= 1000 ms", met: page.p99 <= 1000 }),
    ];
  } finally {
    await r.stop();
  }
}

export async function benchWebBigLog(s: WebSizes): Promise<Row[]> {
  const r = await rig("web-big");
  try {
    await r.api.projects.createProject({ name: "webbig", definitionYaml: projectYaml("web", bigScript(s)), public: true });
    await r.api.builds.triggerBuild({ project: "webbig", triggerName: "ci" });
    const run = await waitForRun(r.api, "webbig", 1, "r", 600_000, 200);
    const bytes = Number(run.logSize);
    const runUrl = `${r.server.url}/projects/webbig/builds/1/runs/r/`;

    // The run page: first line and whole log, from the start of the navigation.
    await recordLogMarks(r.page);
    await r.page.goto(runUrl);
    await r.page.waitForSelector('.log-panel[data-state="complete"]', { timeout: 600_000 });
    const marks = await logMarks(r.page);
    const last = await r.page.$$eval(".log-line .lt", (els) => els.at(-1)?.textContent);
    if (last !== "the very last line") throw new Error(`the page ends with ${JSON.stringify(last)}`);

    // Baseline 1: the naive page, the whole console.log into a <pre>, painted.
    await r.page.goto(`${r.server.url}/healthz`);
    const naive = await r.page.evaluate(`(async () => {
      let longest = 0;
      new PerformanceObserver((l) => { for (const e of l.getEntries()) longest = Math.max(longest, e.duration); }).observe({ type: "longtask" });
      const t0 = performance.now();
      const text = await (await fetch(${JSON.stringify(`${runUrl}console.log`)})).text();
      const pre = document.createElement("pre");
      pre.textContent = text;
      document.body.replaceChildren(pre);
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      pre.scrollIntoView({ block: "end" });
      const shown = performance.now() - t0;
      await new Promise((r) => setTimeout(r, 100));
      return { shown, longest };
    })()`) as { shown: number; longest: number };

    // Baseline 2: the same bytes through TailLog in Node.
    const t0 = nowMs();
    let firstByte = 0;
    let got = 0;
    for await (const msg of r.api.runs.tailLog({ ref: { project: "webbig", buildNumber: 1, run: "r" } })) {
      firstByte ||= nowMs() - t0;
      got += msg.data.length;
    }
    const lastByte = nowMs() - t0;
    if (got !== bytes) throw new Error(`TailLog in Node got ${got} of ${bytes} bytes`);

    const size = `${(bytes / 1e6).toFixed(0)} MB, ${(bytes / LINE_BYTES / 1e3).toFixed(0)}k lines`;
    const common = { bench: "7 web large log", size, unit: "ms" };
    return [
      row({ ...common, figure: "first line in the page", value: marks.first, baseline: naive.shown, baselineLabel: "whole log into a <pre>", target: "", met: null }),
      row({ ...common, figure: "last line in the page", value: marks.complete, baseline: naive.shown, baselineLabel: "whole log into a <pre>", target: "", met: null }),
      row({ ...common, figure: "longest blocked task", value: marks.longestTask, baseline: naive.longest, baselineLabel: "whole log into a <pre>", target: "no freeze: < 200 ms", met: marks.longestTask < 200 }),
      row({ ...common, figure: "first line vs first byte", value: marks.first, baseline: firstByte, baselineLabel: "TailLog in Node", target: "", met: null }),
      row({ ...common, figure: "last line vs last byte", value: marks.complete, baseline: lastByte, baselineLabel: "TailLog in Node", target: "", met: null }),
    ];
  } finally {
    await r.stop();
  }
}
