// A fake jobserv for worker tests: a Connect router implementing (part of)
// WorkerService on a real socket (HTTP/1.1, or cleartext HTTP/2 for gRPC),
// port 0. It can go down (the port refuses connections, open ones are cut)
// and come back up on the same port, like a restarted server.
import http from "node:http";
import http2 from "node:http2";
import type net from "node:net";
import type { ExecutionContext } from "ava";
import type { ServiceImpl } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { WorkerService } from "../../gen/jobserv/v1/worker_pb.js";

export interface FakeWorkerServer {
  readonly url: string;
  /** Stops listening and cuts every open connection. */
  down(): Promise<void>;
  /** Listens again on the same port. */
  up(): Promise<void>;
}

export async function startFakeWorkerServer(t: ExecutionContext, impl: Partial<ServiceImpl<typeof WorkerService>>, httpVersion: "1.1" | "2" = "1.1"): Promise<FakeWorkerServer> {
  const handler = connectNodeAdapter({ routes: (router) => router.service(WorkerService, impl) });
  const server: net.Server = httpVersion === "2" ? http2.createServer(handler) : http.createServer(handler);
  const sockets = new Set<net.Socket>();
  server.on("connection", (s: net.Socket) => { sockets.add(s); s.once("close", () => sockets.delete(s)); });
  let port = 0;
  const up = () => new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => { server.off("error", reject); port = (server.address() as net.AddressInfo).port; resolve(); });
  });
  const down = () => new Promise<void>((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    for (const s of sockets) s.destroy();
  });
  await up();
  t.teardown(down);
  return { url: `http://127.0.0.1:${port}`, up, down };
}
