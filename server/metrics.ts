// Prometheus metrics of one server instance, on a registry injected by
// main.ts (never prom-client's global one). Store-wide gauges (queue depth,
// runs by status) are read from the store on each scrape, so every instance
// reports the same values for them; the others count this instance's work
// (dispatch latency from the run lifecycle's assignment events).
import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import { Status } from "../gen/jobserv/v1/status_pb.js";
import type { LifecycleEvent, LifecycleListener } from "./builds/lifecycle-events.js";
import type { Store } from "./store/db.js";
import { queuedRunsByHostTag, runsByStatus } from "./store/run-counts.js";
import type { Logger } from "./logger.js";

export interface MetricsSources {
  store: Store;
  /** Pull streams open on this instance. */
  connectedWorkers: () => number;
  log: Logger;
}

/** The statuses a run can have, always reported (0 when none). */
const RUN_STATUSES = [Status.QUEUED, Status.RUNNING, Status.UPLOADING, Status.CANCELLING, Status.PASSED, Status.FAILED];

export class ServerMetrics implements LifecycleListener {
  private readonly dispatchLatency: Histogram;
  private readonly logBytes: Counter;
  private readonly rpcDuration: Histogram<"method" | "code">;

  constructor(readonly registry: Registry, sources: MetricsSources) {
    const registers = [registry];
    new Gauge({
      name: "jobserv_queued_runs", help: "Runs waiting for a worker, by host-tag pattern (store-wide).",
      labelNames: ["host_tag"], registers,
      async collect() {
        this.reset();
        for (const { hostTag, count } of await storeRead(sources.log, () => queuedRunsByHostTag(sources.store.db), [])) this.set({ host_tag: hostTag }, count);
      },
    });
    new Gauge({
      name: "jobserv_runs", help: "Runs in the store by status (store-wide).",
      labelNames: ["status"], registers,
      async collect() {
        this.reset();
        const counts = await storeRead(sources.log, () => runsByStatus(sources.store.db), undefined);
        if (!counts) return;
        for (const s of RUN_STATUSES) this.set({ status: Status[s].toLowerCase() }, counts.get(s) ?? 0);
      },
    });
    new Gauge({
      name: "jobserv_connected_workers", help: "Worker Pull streams open on this instance.", registers,
      collect() { this.set(sources.connectedWorkers()); },
    });
    this.dispatchLatency = new Histogram({
      name: "jobserv_dispatch_latency_seconds", help: "Time from a run being queued to its assignment being pushed to a worker on this instance.",
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600], registers,
    });
    this.logBytes = new Counter({
      name: "jobserv_log_bytes_ingested_total", help: "Console-log bytes committed through this instance: worker appends and server notes (resends not counted).", registers,
    });
    this.rpcDuration = new Histogram({
      name: "jobserv_rpc_duration_seconds",
      help: "RPCs handled by this instance, by method and status code; a streaming call is timed until its stream ends.",
      labelNames: ["method", "code"], registers,
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 60, 600],
    });
  }

  onLifecycleEvent(e: LifecycleEvent): void {
    if (e.kind === "run" && e.queuedAt !== undefined) this.observeDispatch(e.queuedAt, e.time);
  }

  /** A run queued at `queuedAtMs` was pushed to its worker at `assignedAtMs`. */
  observeDispatch(queuedAtMs: number, assignedAtMs: number): void {
    this.dispatchLatency.observe(Math.max(0, assignedAtMs - queuedAtMs) / 1000);
  }

  /** `bytes` new console-log bytes were committed. */
  countLogBytes(bytes: number): void {
    this.logBytes.inc(bytes);
  }

  /** A server interceptor timing every RPC; the code is that of the error thrown, or OK. */
  interceptor(): Interceptor {
    return (next) => async (req) => {
      const start = performance.now();
      const labels = { method: `${req.service.typeName}/${req.method.name}` };
      const done = (e?: unknown) => this.rpcDuration.observe({ ...labels, code: codeName(e, req.signal) }, (performance.now() - start) / 1000);
      let res;
      try {
        res = await next(req);
      } catch (e) {
        done(e);
        throw e;
      }
      if (!res.stream) {
        done();
        return res;
      }
      return { ...res, message: observeStream(res.message, done) };
    };
  }
}

/** Times a response stream until it ends; one left unfinished (the client went away) counts as Canceled. */
async function* observeStream<T>(messages: AsyncIterable<T>, done: (e?: unknown) => void): AsyncGenerator<T> {
  // The Canceled error is made only if needed: one per open stream (with its stack) adds up over thousands of idle Pulls.
  let ended = false;
  let error: unknown;
  try {
    yield* messages;
    ended = true;
  } catch (e) {
    ended = true;
    error = e;
    throw e;
  } finally {
    done(ended ? error : new ConnectError("stream not consumed to its end", Code.Canceled));
  }
}

function codeName(e: unknown, signal: AbortSignal): string {
  // A client that went away: the handler may still end normally (e.g. Pull closes its queue) or break.
  if (signal.aborted && !(e instanceof ConnectError)) return "Canceled";
  if (e === undefined) return "OK";
  // Anything but a ConnectError Connect answers with Internal.
  return Code[e instanceof ConnectError ? e.code : Code.Internal];
}

/** A scrape must not fail because the store is briefly away: the gauge is left empty. */
async function storeRead<T, D>(log: Logger, read: () => Promise<T>, fallback: D): Promise<T | D> {
  try {
    return await read();
  } catch (e) {
    log.warn({ err: e }, "metrics: store read failed");
    return fallback;
  }
}
