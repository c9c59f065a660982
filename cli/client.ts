// API clients for CLI commands, at the URL from --url, JOBSERV_URL or the config file (cli/config.ts).
import { createClient, type Client } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import type { DescService } from "@bufbuild/protobuf";
import { resolveUrl } from "./config.js";

export function apiUrl(flag?: string): string {
  return resolveUrl(flag);
}

export function client<S extends DescService>(service: S, url?: string): Client<S> {
  return createClient(service, createConnectTransport({ baseUrl: apiUrl(url), httpVersion: "1.1" }));
}
