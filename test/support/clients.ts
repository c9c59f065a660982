// API clients over each wire protocol the server speaks on its one port.
import type { DescService } from "@bufbuild/protobuf";
import { createClient, type Client, type Interceptor, type Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import { TEST_ADMIN_TOKEN } from "./auth.js";

export type ClientProtocol = "connect-h1" | "connect-h2" | "grpc-web-h1" | "grpc";

export const clientProtocols: readonly ClientProtocol[] = ["connect-h1", "connect-h2", "grpc-web-h1", "grpc"];

/** A transport over `protocol` whose calls pass through `interceptors`. */
export function transportFor(baseUrl: string, protocol: ClientProtocol, interceptors: Interceptor[]): Transport {
  switch (protocol) {
    case "connect-h2": return createConnectTransport({ baseUrl, httpVersion: "2", interceptors });
    case "grpc-web-h1": return createGrpcWebTransport({ baseUrl, httpVersion: "1.1", interceptors });
    case "grpc": return createGrpcTransport({ baseUrl, interceptors });
    default: return createConnectTransport({ baseUrl, httpVersion: "1.1", interceptors });
  }
}

/** A client of `service`; it presents the test admin token unless `token` says otherwise (null: anonymous). */
export function apiClient<S extends DescService>(service: S, baseUrl: string, protocol: ClientProtocol = "connect-h1", token: string | null = TEST_ADMIN_TOKEN): Client<S> {
  const bearer: Interceptor = (next) => (req) => {
    if (token !== null) req.header.set("authorization", `Bearer ${token}`);
    return next(req);
  };
  return createClient(service, transportFor(baseUrl, protocol, [bearer]));
}

/** Polls `check` until it returns a value, or fails after `ms`. */
export async function eventually<T>(check: () => Promise<T | undefined>, ms = 30_000, what: string | (() => string) = "condition"): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${typeof what === "string" ? what : what()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
