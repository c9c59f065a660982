// One REST call to a forge's API, as data: pure request builders (GitHub,
// GitLab) return an ApiRequest, so the request format is testable on its own,
// and `send` performs it (JSON in and out; non-2xx throws HttpStatusError).
import { requestJson } from "./retry.js";

export interface ApiRequest {
  method: "GET" | "POST";
  url: string;
  headers: Record<string, string>;
  body?: unknown;
}

export async function send(req: ApiRequest, what: string): Promise<unknown> {
  return requestJson(req.method, req.url, req.headers, req.body, what);
}
