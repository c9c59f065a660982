// A stand-in for a forge's REST API (GitHub, GitLab) or a webhook receiver:
// a real HTTP server on loopback that records every request and answers with
// what the test's `respond` returns (201 `{}` by default). Closed in teardown.
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { ExecutionContext } from "ava";

export interface RecordedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface Reply {
  status: number;
  body?: unknown;
  /** Sent as is instead of `body` as JSON (a raw file), with this content type. */
  raw?: { text: string; contentType: string };
}

export interface FakeForge {
  url: string;
  requests: RecordedRequest[];
}

export async function startFakeForge(t: ExecutionContext, respond: (r: RecordedRequest) => Reply | undefined = () => undefined): Promise<FakeForge> {
  const requests: RecordedRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const r: RecordedRequest = { method: req.method ?? "", path: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString() };
      requests.push(r);
      const reply = respond(r) ?? { status: 201, body: {} };
      res.writeHead(reply.status, { "content-type": reply.raw?.contentType ?? "application/json" });
      res.end(reply.raw?.text ?? JSON.stringify(reply.body ?? {}));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.teardown(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}
