// The worker's client transport: Connect (HTTP/1.1), gRPC-web (HTTP/1.1) or
// gRPC (HTTP/2), every call carrying the worker's identity headers.
import type { Interceptor, Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import type { WorkerConfig } from "../config.js";

export function createWorkerTransport(config: Pick<WorkerConfig, "serverUrl" | "protocol" | "name" | "token">): Transport {
  const identify: Interceptor = (next) => (req) => {
    req.header.set("jobserv-worker", config.name);
    req.header.set("authorization", `Bearer ${config.token}`);
    return next(req);
  };
  const options = { baseUrl: config.serverUrl, interceptors: [identify] };
  switch (config.protocol) {
    case "grpc": return createGrpcTransport(options);
    case "grpc-web": return createGrpcWebTransport({ ...options, httpVersion: "1.1" });
    default: return createConnectTransport({ ...options, httpVersion: "1.1" });
  }
}
