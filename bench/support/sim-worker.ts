// A lightweight simulated worker: a client of the real WorkerService protocol
// over real sockets (Connect, HTTP/1.1, as the default worker) with no
// containers. It registers, keeps a Pull stream open and hands each
// Assignment to a callback, which usually reports the run PASSED at once.
import { createClient, type Client, type Interceptor } from "@connectrpc/connect";
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

export async function registerSimWorker(url: string, name: string, tags: string[], concurrency: number,
  onAssignment: (a: Assignment, w: SimWorker) => void): Promise<SimWorker> {
  const token = `sim-worker-token-${name}-0123456789`;
  const identify: Interceptor = (next) => (req) => {
    req.header.set("jobserv-worker", name);
    req.header.set("authorization", `Bearer ${token}`);
    return next(req);
  };
  const client = createClient(WorkerService, createConnectTransport({ baseUrl: url, httpVersion: "1.1", interceptors: [identify] }));
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
