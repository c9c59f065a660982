// API clients for CLI commands, from flags or JOBSERV_URL.
import { createClient, type Client } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import type { DescService } from "@bufbuild/protobuf";

export function apiUrl(flag?: string): string {
  return flag ?? process.env["JOBSERV_URL"] ?? "http://127.0.0.1:8080";
}

export function client<S extends DescService>(service: S, url?: string): Client<S> {
  return createClient(service, createConnectTransport({ baseUrl: apiUrl(url), httpVersion: "1.1" }));
}
