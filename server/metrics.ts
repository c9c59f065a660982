// Prometheus metrics of one server instance, on a registry injected by
// main.ts (never prom-client's global one): Node.js and process defaults,
// and jobserv's own. Store-wide gauges (queue depth, runs by status, store
// up) are read from the store on each scrape, so every instance reports the
// same values for them; the others count this instance's work (dispatch
// latency and completed builds from the run lifecycle's events). Label values
// are bounded: webhook events outside a known list count as "other".
import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import { Status } from "../gen/jobserv/v1/status_pb.js";
import type { LifecycleEvent, LifecycleListener } from "./builds/lifecycle-events.js";
import { pingStore, type Store } from "./store/db.js";
import { queuedRunsByHostTag, runsByStatus } from "./store/run-counts.js";
import { workerHostTags } from "./store/workers.js";
import { listSurges } from "./store/surges.js";
import type { Logger } from "./logger.js";
import type { Forge, WebhookOutcome } from "./gateway/webhook-log.js";

export interface MetricsSources {
  /** Read at scrape time only (the store opens after the metrics exist, so its errors can be counted). */
  store: () => Store;
  /** Pull streams open on this instance. */
  connectedWorkers: () => number;
  log: Logger;
}

/** The statuses a run can have, always reported (0 when none). */
const RUN_STATUSES = [Status.QUEUED, Status.RUNNING, Status.UPLOADING, Status.CANCELLING, Status.PASSED, Status.FAILED];

/** Webhook event names reported as such (the header is the sender's word: anything else is "other"). */
const WEBHOOK_EVENTS: Record<string, readonly string[]> = {
  github: ["ping", "push", "pull_request", "issue_comment"],
  gitlab: ["Merge Request Hook", "Note Hook", "Push Hook", "Tag Push Hook"],
};

export class ServerMetrics implements LifecycleListener {
  private readonly dispatchLatency: Histogram;
  private readonly logBytes: Counter;
  private readonly rpcDuration: Histogram<"method" | "code">;
  private readonly storeErrors: Counter;
  private readonly webhooks: Counter<"forge" | "event" | "outcome">;
  private readonly buildsCompleted: Counter<"status">;

  /** What /metrics exposes: this instance's metrics and the process's. */
  readonly registry: Registry;

  constructor(instance: Registry, sources: MetricsSources) {
    const registers = [instance];
    new Gauge({
      name: "jobserv_queued_runs",
      help: "Runs waiting for a worker, by host-tag pattern (store-wide); 0 for the host tags of registered workers with nothing queued.",
      labelNames: ["host_tag"], registers,
      async collect() {
        this.reset();
        const db = sources.store().db;
        const [queued, tags] = await Promise.all([storeRead(sources.log, () => queuedRunsByHostTag(db), []), storeRead(sources.log, () => workerHostTags(db), [])]);
        for (const tag of tags) this.set({ host_tag: tag }, 0);
        for (const { hostTag, count } of queued) this.set({ host_tag: hostTag }, count);
      },
    });
    new Gauge({
      name: "jobserv_store_up", help: "1 if the store answered a trivial query at scrape time, else 0.", registers,
      async collect() {
        this.set(await storeRead(sources.log, async () => { await pingStore(sources.store()); return 1; }, 0));
      },
    });
    this.storeErrors = new Counter({
      name: "jobserv_store_errors_total", help: "Store statements that failed and connections that could not be had, on this instance.", registers,
    });
    this.webhooks = new Counter({
      name: "jobserv_webhook_deliveries_total", help: "Forge webhook deliveries received by this instance, by forge, event and outcome.",
      labelNames: ["forge", "event", "outcome"], registers,
    });
    this.buildsCompleted = new Counter({
      name: "jobserv_builds_completed_total", help: "Builds that completed on this instance (their last run finished here), by status.",
      labelNames: ["status"], registers,
    });
    for (const status of ["passed", "failed"]) this.buildsCompleted.inc({ status }, 0);
    new Gauge({
      name: "jobserv_runs", help: "Runs in the store by status (store-wide).",
      labelNames: ["status"], registers,
      async collect() {
        this.reset();
        const counts = await storeRead(sources.log, () => runsByStatus(sources.store().db), undefined);
        if (!counts) return;
        for (const s of RUN_STATUSES) this.set({ status: Status[s].toLowerCase() }, counts.get(s) ?? 0);
      },
    });
    new Gauge({
      name: "jobserv_surge", help: "1 for each host-tag pattern in surge (store-wide): surge-only workers take its runs.",
      labelNames: ["host_tag"], registers,
      async collect() {
        this.reset();
        for (const s of await storeRead(sources.log, () => listSurges(sources.store().db), [])) this.set({ host_tag: s.host_tag }, 1);
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
    this.registry = Registry.merge([processMetrics(), instance]);
  }

  onLifecycleEvent(e: LifecycleEvent): void {
    if (e.kind === "run" && e.queuedAt !== undefined) this.observeDispatch(e.queuedAt, e.time);
    if (e.kind === "build") this.buildStatus(e.status);
  }

  /** A run queued at `queuedAtMs` was pushed to its worker at `assignedAtMs`. */
  observeDispatch(queuedAtMs: number, assignedAtMs: number): void {
    this.dispatchLatency.observe(Math.max(0, assignedAtMs - queuedAtMs) / 1000);
  }

  /** `bytes` new console-log bytes were committed. */
  countLogBytes(bytes: number): void {
    this.logBytes.inc(bytes);
  }

  /** A store statement or connection failed. */
  countStoreError(): void {
    this.storeErrors.inc();
  }

  /** A webhook delivery was answered; `event` is the forge's event header. */
  countWebhook(forge: Forge, event: string, outcome: WebhookOutcome): void {
    this.webhooks.inc({ forge, event: WEBHOOK_EVENTS[forge]!.includes(event) ? event : "other", outcome });
  }

  /** A build's status changed; PASSED and FAILED are completions. */
  buildStatus(status: Status): void {
    if (status === Status.PASSED || status === Status.FAILED) this.buildsCompleted.inc({ status: Status[status].toLowerCase() });
  }

  /** A call answered outside Connect's interceptors (a lean stream) ended: `canceled` when its client went away. */
  observeRpc(method: string, seconds: number, error: unknown, canceled: boolean): void {
    this.rpcDuration.observe({ method, code: codeName(error, canceled) }, seconds);
  }

  /** A server interceptor timing every RPC; the code is that of the error thrown, or OK. */
  interceptor(): Interceptor {
    return (next) => async (req) => {
      const start = performance.now();
      const labels = { method: `${req.service.typeName}/${req.method.name}` };
      const done = (e?: unknown) => this.rpcDuration.observe({ ...labels, code: codeName(e, req.signal.aborted) }, (performance.now() - start) / 1000);
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

function codeName(e: unknown, aborted: boolean): string {
  // A client that went away: the handler may still end normally (e.g. Pull closes its queue) or break.
  if (aborted && !(e instanceof ConnectError)) return "Canceled";
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

let processRegistry: Registry | undefined;

/**
 * Node.js and process metrics (process_*, nodejs_*) on a registry of their
 * own, made once per process: they describe the process, not a server
 * instance, and prom-client's collectors (an event-loop delay monitor, a GC
 * observer) cannot be stopped, so each server started in one process (tests)
 * must not add another. Gauges named like counters, which promtool refuses,
 * are left out (nodejs_active_{handles,requests,resources} by type remain).
 */
function processMetrics(): Registry {
  if (processRegistry) return processRegistry;
  processRegistry = new Registry();
  collectDefaultMetrics({ register: processRegistry });
  for (const name of ["nodejs_active_handles_total", "nodejs_active_requests_total", "nodejs_active_resources_total"]) processRegistry.removeSingleMetric(name);
  return processRegistry;
}
