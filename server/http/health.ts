// grpc.health.v1.Health on the API port: SERVING while the injected probe
// (the store answers) resolves, NOT_SERVING otherwise, and NOT_SERVING from
// the moment the instance starts to drain (open Watch streams get it at once,
// then end, before the port closes). The empty service name means the whole
// server; each served service name reports the same status.
import { Code, ConnectError, type ConnectRouter, type ServiceImpl } from "@connectrpc/connect";
import { HealthCheckResponse_ServingStatus as ServingStatus, type Health } from "../../gen/grpc/health/v1/health_pb.js";

export interface HealthConfig {
  /** Fully-qualified names of the services this port serves (asked at call time). */
  services: () => readonly string[];
  /** Resolves true when the server can do its work (e.g. the store answers). */
  probe: () => Promise<unknown>;
  /** A probe slower than this counts as failed; default 2 s. */
  probeTimeoutMs?: number;
  /** How often Watch re-probes to notice a change; default 5 s. */
  watchIntervalMs?: number;
  /** Aborted when the instance starts draining. */
  stopping?: AbortSignal;
}

/** Fully-qualified names of the services registered on `router` so far. */
export function servedServices(router: ConnectRouter): string[] {
  return [...new Set(router.handlers.map((h) => h.service.typeName))];
}

export function createHealthService(config: HealthConfig): ServiceImpl<typeof Health> {
  const { probeTimeoutMs = 2_000, watchIntervalMs = 5_000 } = config;
  const known = (service: string) => service === "" || config.services().includes(service);
  const stopping = config.stopping ?? new AbortController().signal;
  const status = async (): Promise<ServingStatus> => {
    if (stopping.aborted) return ServingStatus.NOT_SERVING;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(false), probeTimeoutMs); });
    try {
      const ok = await Promise.race([config.probe().then(() => true, () => false), timeout]);
      return ok ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
    } finally {
      clearTimeout(timer);
    }
  };
  return {
    async check(req) {
      if (!known(req.service)) throw new ConnectError(`unknown service "${req.service}"`, Code.NotFound);
      return { status: await status() };
    },
    async *watch(req, ctx) {
      // An unknown service stays unknown (the served set is fixed), but the call is kept open as the protocol asks.
      if (!known(req.service)) {
        yield { status: ServingStatus.SERVICE_UNKNOWN };
        if (!ctx.signal.aborted) await new Promise<void>((resolve) => ctx.signal.addEventListener("abort", () => resolve(), { once: true }));
        return;
      }
      let last: ServingStatus | undefined;
      while (!ctx.signal.aborted) {
        const now = await status();
        if (now !== last) yield { status: now };
        last = now;
        if (stopping.aborted) return; // NOT_SERVING was sent: the stream ends before the port closes
        await new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(timer);
            ctx.signal.removeEventListener("abort", done);
            stopping.removeEventListener("abort", done);
            resolve();
          };
          const timer = setTimeout(done, watchIntervalMs);
          ctx.signal.addEventListener("abort", done, { once: true });
          stopping.addEventListener("abort", done, { once: true });
        });
      }
    },
  };
}
