// API clients for CLI commands, at the URL from --url, JOBSERV_URL or the config file, presenting
// the API token from --token, JOBSERV_TOKEN or the config file (cli/config.ts).
import { createClient, type Client, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import type { DescService } from "@bufbuild/protobuf";
import { resolveToken, resolveUrl } from "./config.js";

export function apiUrl(flag?: string): string {
  return resolveUrl(flag);
}

export function client<S extends DescService>(service: S, url?: string, token?: string): Client<S> {
  const secret = resolveToken(token);
  const bearer: Interceptor = (next) => (req) => {
    if (secret) req.header.set("authorization", `Bearer ${secret}`);
    return next(req);
  };
  return createClient(service, createConnectTransport({ baseUrl: apiUrl(url), httpVersion: "1.1", interceptors: [bearer] }));
}
