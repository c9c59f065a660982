// A lightweight simulated worker: a client of the real WorkerService protocol
// over real sockets (Connect, HTTP/1.1, as the default worker) with no
// containers. It registers, keeps a Pull stream open and hands each
// Assignment to a callback, which usually reports the run PASSED at once.
import { createClient, type Client, type Transport } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { Status } from "../../gen/jobserv/v1/status_pb.js";
import { WorkerService, type Assignment } from "../../gen/jobserv/v1/worker_pb.js";
import { WORKER_SECRET } from "./server-process.js";

export type WorkerClient = Client<typeof WorkerService>;

export interface SimWorker {
  readonly name: string;
  readonly client: WorkerClient;
  /** Opens a Pull stream; resolves once the server has answered its headers. Ends when `close()` is called or the stream fails. */
  open(): Promise<void>;
  close(): void;
  /** Reports the run PASSED (from RUNNING; no separate acknowledgement). */
  pass(a: Assignment): Promise<void>;
}

/**
 * `transport`: a shared one (e.g. HTTP/2, many workers' streams multiplexed
 * on one connection, as a proxy in front would carry them); by default each
 * worker has its own HTTP/1.1 connections.
 */
export async function registerSimWorker(url: string, name: string, tags: string[], concurrency: number,
  onAssignment: (a: Assignment, w: SimWorker) => void, transport?: Transport): Promise<SimWorker> {
  const token = `sim-worker-token-${name}-0123456789`;
  const identity = { "jobserv-worker": name, authorization: `Bearer ${token}` };
  const client = createClient(WorkerService, withHeaders(transport ?? createConnectTransport({ baseUrl: url, httpVersion: "1.1" }), identity));
  await client.registerWorker({ name, token, hostTags: tags, concurrency, registrationSecret: WORKER_SECRET });
  let abort: AbortController | undefined;
  const self: SimWorker = {
    name, client,
    open() {
      abort?.abort();
      const mine = new AbortController();
      abort = mine;
      return new Promise<void>((resolve, reject) => {
        void (async () => {
          try {
            const stream = client.pull({ workerName: name }, { signal: mine.signal, onHeader: () => resolve() });
            for await (const msg of stream) {
              if (msg.action.case === "assignment") onAssignment(msg.action.value, self);
            }
          } catch (e) {
            if (!mine.signal.aborted) reject(e as Error);
          }
        })();
      });
    },
    close() { abort?.abort(); },
    async pass(a) {
      await client.updateRun({ runId: a.definition!.runId, runToken: a.runToken, status: Status.PASSED, message: "exit code 0" });
    },
  };
  return self;
}

/** Runs `fn` over `items` with at most `limit` in flight. */
export async function inBatches<T, R>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  }));
  return out;
}

/** `transport` with fixed request headers (so many workers can share one transport). */
function withHeaders(transport: Transport, fixed: Record<string, string>): Transport {
  const merge = (header?: ConstructorParameters<typeof Headers>[0]) => {
    const out = new Headers(header);
    for (const [k, v] of Object.entries(fixed)) out.set(k, v);
    return out;
  };
  return {
    unary: (method, signal, timeoutMs, header, input, contextValues) => transport.unary(method, signal, timeoutMs, merge(header), input, contextValues),
    stream: (method, signal, timeoutMs, header, input, contextValues) => transport.stream(method, signal, timeoutMs, merge(header), input, contextValues),
  };
}
