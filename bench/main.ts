// `npm run bench`: runs the benchmark suite, prints each figure beside the
// baseline measured in the same run, and writes bench/results/latest.json.
//   BENCH_SCALE=full (or --full)   the sizes of issue 6 (slower: tens of minutes)
//   --only=dispatch,tail,...       a subset: dispatch, tail, throughput, append, scheduler, idle, api, web-lag, web-big
//   BENCH_CPU_PROF=<dir>           run the server processes under node --cpu-prof
//   --soak [--minutes=N]           only the soak: mixed load for N minutes (default 2), RSS growth and p99 drift
import path from "node:path";
import { benchApiReadLatency } from "./api-read-latency.js";
import { benchDispatchLatency } from "./dispatch-latency.js";
import { benchIdleWorkers } from "./idle-workers.js";
import { benchLogTailLag } from "./log-tail-lag.js";
import { benchLogAppend } from "./log-append.js";
import { benchLogThroughput } from "./log-throughput.js";
import { formatTable, writeResults, type Row } from "./support/report.js";
import { benchSchedulerThroughput } from "./scheduler-throughput.js";
import { benchSoak } from "./soak.js";
import { sizesFor, type Scale } from "./sizes.js";
import { benchWebBigLog, benchWebLogLag } from "./web-log.js";

const args = process.argv.slice(2);
const scale: Scale = args.includes("--full") || process.env["BENCH_SCALE"] === "full" ? "full" : "default";
const soak = args.includes("--soak");
const minutesArg = args.find((a) => a.startsWith("--minutes="))?.slice("--minutes=".length);
const minutes = minutesArg === undefined ? 2 : Number(minutesArg);
if (!(minutes > 0)) throw new Error(`--minutes=${minutesArg}: a positive number of minutes`);
const only = soak ? ["soak"] : args.find((a) => a.startsWith("--only="))?.slice("--only=".length).split(",");
const sizes = sizesFor(scale);

const suite: [string, () => Promise<Row[]>][] = [
  ["dispatch", () => benchDispatchLatency(sizes.dispatch)],
  ["tail", () => benchLogTailLag(sizes.tail)],
  ["throughput", () => benchLogThroughput(sizes.throughput)],
  ["append", () => benchLogAppend(sizes.append)],
  ["scheduler", () => benchSchedulerThroughput(sizes.scheduler)],
  ["idle", () => benchIdleWorkers(sizes.idle)],
  ["api", () => benchApiReadLatency(sizes.api)],
  ["web-lag", () => benchWebLogLag(sizes.web)],
  ["web-big", () => benchWebBigLog(sizes.web)],
  // Only with --soak (or --only=soak): it runs for minutes.
  ["soak", () => benchSoak(minutes)],
];

const rows: Row[] = [];
const failures: { bench: string; error: string }[] = [];
const started = Date.now();
for (const [name, run] of suite) {
  if (only ? !only.includes(name) : name === "soak") continue;
  const t0 = Date.now();
  process.stdout.write(`bench ${name} ... `);
  try {
    const got = await run();
    rows.push(...got);
    console.log(`${((Date.now() - t0) / 1000).toFixed(1)} s`);
  } catch (e) {
    console.log(`FAILED: ${(e as Error).stack ?? String(e)}`);
    failures.push({ bench: name, error: (e as Error).message });
  }
}

const file = path.join(import.meta.dirname, "results", soak ? "soak.json" : "latest.json");
writeResults(file, rows, { scale, sizes, failures, seconds: (Date.now() - started) / 1000 });
console.log(`\nscale: ${scale}; ${((Date.now() - started) / 1000).toFixed(0)} s; ratio = jobserv / baseline (latency and memory: lower is better; throughput: higher is better)\n`);
console.log(formatTable(rows));
for (const r of rows.filter((x) => x.note)) console.log(`- ${r.bench} / ${r.figure}: ${r.note}`);
console.log(`\nwritten to ${path.relative(process.cwd(), file)}`);
process.exit(failures.length ? 1 : 0);
