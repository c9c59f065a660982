// Benchmark sizes: small defaults that keep `npm run bench` within about five
// minutes on a 2-core machine, and the sizes issue 6 names (BENCH_SCALE=full).
import type { ApiSizes } from "./api-read-latency.js";
import type { DispatchSizes } from "./dispatch-latency.js";
import type { IdleSizes } from "./idle-workers.js";
import type { TailSizes } from "./log-tail-lag.js";
import type { AppendSizes } from "./log-append.js";
import type { ThroughputSizes } from "./log-throughput.js";
import type { SchedulerSizes } from "./scheduler-throughput.js";
import type { WebSizes } from "./web-log.js";

export type Scale = "default" | "full";

export interface Sizes {
  dispatch: DispatchSizes;
  tail: TailSizes;
  throughput: ThroughputSizes;
  append: AppendSizes;
  scheduler: SchedulerSizes;
  idle: IdleSizes;
  api: ApiSizes;
  web: WebSizes;
}

export function sizesFor(scale: Scale): Sizes {
  if (scale === "full") {
    return {
      dispatch: { triggers: 500, pollerSamples: 50 },
      tail: { lines: 600, intervalMs: 50 },
      throughput: { megabytes: 200 },
      append: { totalMegabytes: 64 },
      scheduler: { runs: 10_000, workers: 200 },
      idle: { streams: 10_000, h2Streams: 50_000, idleSeconds: 30 },
      api: { clients: 200, seconds: 15, builds: 200 },
      web: { lines: 600, intervalMs: 50, megabytes: 100 },
    };
  }
  return {
    dispatch: { triggers: 100, pollerSamples: 15 },
    tail: { lines: 100, intervalMs: 50 },
    throughput: { megabytes: 20 },
    append: { totalMegabytes: 16 },
    scheduler: { runs: 2_000, workers: 50 },
    idle: { streams: 2_000, h2Streams: 4_000, idleSeconds: 10 },
    api: { clients: 200, seconds: 5, builds: 50 },
    web: { lines: 100, intervalMs: 50, megabytes: 50 },
  };
}
