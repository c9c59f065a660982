// API clients over each wire protocol the server speaks on its one port.
import type { DescService } from "@bufbuild/protobuf";
import { createClient, type Client } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport } from "@connectrpc/connect-node";

export type ClientProtocol = "connect-h1" | "connect-h2" | "grpc-web-h1" | "grpc";

export const clientProtocols: readonly ClientProtocol[] = ["connect-h1", "connect-h2", "grpc-web-h1", "grpc"];

export function apiClient<S extends DescService>(service: S, baseUrl: string, protocol: ClientProtocol = "connect-h1"): Client<S> {
  switch (protocol) {
    case "connect-h2": return createClient(service, createConnectTransport({ baseUrl, httpVersion: "2" }));
    case "grpc-web-h1": return createClient(service, createGrpcWebTransport({ baseUrl, httpVersion: "1.1" }));
    case "grpc": return createClient(service, createGrpcTransport({ baseUrl }));
    default: return createClient(service, createConnectTransport({ baseUrl, httpVersion: "1.1" }));
  }
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
