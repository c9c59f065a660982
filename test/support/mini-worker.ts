// A minimal client of the real worker protocol (no containers): registers,
// keeps a Pull stream open and hands assignments to a callback. Used where a
// test needs many workers or exact control over what a worker reports.
import { createClient, type Client, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import type { ExecutionContext } from "ava";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { WorkerService, type Assignment, type RegisterWorkerRequestSchema } from "../../gen/jobserv/v1/worker_pb.js";
import { WORKER_SECRET } from "./server.js";

export interface MiniWorker {
  client: Client<typeof WorkerService>;
  /** Resolves once the Pull stream is open on the server. */
  connected: Promise<void>;
  /** Resolves when the Pull stream ends (closed by the server, or stopped). */
  ended: Promise<void>;
  stop(): void;
}

export async function startMiniWorker(t: ExecutionContext, url: string, name: string, tags: string[], concurrency: number,
  onAssignment: (a: Assignment, client: Client<typeof WorkerService>) => void, onCancel: (runId: bigint) => void = () => {},
  registration: Pick<MessageInitShape<typeof RegisterWorkerRequestSchema>, "facts" | "surgesOnly"> = {}): Promise<MiniWorker> {
  const token = `mini-worker-token-${name}`;
  const identify: Interceptor = (next) => (req) => {
    req.header.set("jobserv-worker", name);
    req.header.set("authorization", `Bearer ${token}`);
    return next(req);
  };
  const client = createClient(WorkerService, createConnectTransport({ baseUrl: url, httpVersion: "1.1", interceptors: [identify] }));
  await client.registerWorker({ name, token, hostTags: tags, concurrency, registrationSecret: WORKER_SECRET, ...registration });
  const abort = new AbortController();
  let open: () => void = () => {};
  const connected = new Promise<void>((resolve) => { open = resolve; });
  const ended = (async () => {
    try {
      const stream = client.pull({ workerName: name }, { signal: abort.signal, onHeader: () => open() });
      for await (const msg of stream) {
        if (msg.action.case === "assignment") onAssignment(msg.action.value, client);
        else if (msg.action.case === "cancel") onCancel(msg.action.value.runId);
      }
    } catch { /* aborted */ }
  })();
  t.teardown(() => abort.abort());
  return { client, connected, ended, stop: () => abort.abort() };
}
