// Hand-made RPC requests on real sockets (node:http, node:http2), for bodies
// no well-behaved client sends: garbage frames, oversized or stalled bodies.
// The answer is read as each protocol carries it: Connect unary's HTTP status
// and JSON, Connect streaming's end-stream message, gRPC's grpc-status header
// or trailer, gRPC-web's headers or trailer frame.
import http from "node:http";
import http2 from "node:http2";

export type RawProtocol = "connect" | "connect-stream" | "grpc" | "grpc-web";

export const CONTENT_TYPES: Record<RawProtocol, string> = {
  "connect": "application/proto",
  "connect-stream": "application/connect+proto",
  "grpc": "application/grpc",
  "grpc-web": "application/grpc-web+proto",
};

/** A length-prefixed message as gRPC, gRPC-web and Connect streaming frame it. */
export function envelope(data: Uint8Array, flags = 0): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt8(flags, 0);
  head.writeUInt32BE(data.length, 1);
  return Buffer.concat([head, data]);
}

export interface RawAnswer {
  /** HTTP status. */
  status: number;
  /** The RPC code as a Connect code name ("invalid_argument"), from whichever place the protocol puts it. */
  code: string;
  message: string;
  /** Milliseconds from sending the headers to the complete answer. */
  ms: number;
  /** Bytes of the body the client had written when the answer's headers arrived. */
  sentWhenAnswered: number;
}

const GRPC_CODES = ["ok", "canceled", "unknown", "invalid_argument", "deadline_exceeded", "not_found", "already_exists", "permission_denied",
  "resource_exhausted", "failed_precondition", "aborted", "out_of_range", "unimplemented", "internal", "unavailable", "data_loss", "unauthenticated"];

/**
 * How the body is sent: whole chunks (then ended unless `keepOpen`), or
 * `first` and then `chunk` repeated up to `total` bytes in all, flow control
 * respected, until the answer arrives.
 */
export interface RawBody {
  chunks?: Buffer[];
  repeat?: { first?: Buffer; chunk: Buffer; total: number };
  keepOpen?: boolean;
}

function decode(protocol: RawProtocol, status: number, headers: Record<string, string | string[] | undefined>, trailers: Record<string, string | string[] | undefined>, body: Buffer): { code: string; message: string } {
  const h = (k: string) => { const v = trailers[k] ?? headers[k]; return Array.isArray(v) ? v[0] : v; };
  if (protocol === "connect") {
    if (status === 200) return { code: "ok", message: "" };
    const json = JSON.parse(body.toString() || "{}") as { code?: string; message?: string };
    return { code: json.code ?? `http ${status}`, message: json.message ?? "" };
  }
  if (protocol === "connect-stream") {
    for (let at = 0; at + 5 <= body.length;) {
      const flags = body[at]!, len = body.readUInt32BE(at + 1);
      if (flags & 2) {
        const end = JSON.parse(body.subarray(at + 5, at + 5 + len).toString() || "{}") as { error?: { code: string; message?: string } };
        return { code: end.error?.code ?? "ok", message: end.error?.message ?? "" };
      }
      at += 5 + len;
    }
    return { code: `http ${status}, no end-stream message`, message: "" };
  }
  let grpcStatus = h("grpc-status"), grpcMessage = h("grpc-message");
  if (grpcStatus === undefined && protocol === "grpc-web") {
    for (let at = 0; at + 5 <= body.length;) {
      const flags = body[at]!, len = body.readUInt32BE(at + 1);
      if (flags & 0x80) {
        for (const line of body.subarray(at + 5, at + 5 + len).toString().split("\r\n")) {
          const [k, ...v] = line.split(":");
          if (k?.trim().toLowerCase() === "grpc-status") grpcStatus = v.join(":").trim();
          if (k?.trim().toLowerCase() === "grpc-message") grpcMessage = v.join(":").trim();
        }
      }
      at += 5 + len;
    }
  }
  if (grpcStatus === undefined) return { code: `http ${status}, no grpc-status`, message: "" };
  return { code: GRPC_CODES[Number(grpcStatus)] ?? grpcStatus, message: decodeURIComponent(grpcMessage ?? "") };
}

function bodyFeeder(body: RawBody, write: (b: Buffer) => boolean, onDrain: (f: () => void) => void, end: () => void, stopped: () => boolean) {
  let sent = 0;
  const run = () => {
    if (body.chunks) {
      for (const c of body.chunks) { write(c); sent += c.length; }
      if (!body.keepOpen) end();
      return;
    }
    const { first, chunk, total } = body.repeat!;
    if (first) { write(first); sent += first.length; }
    const pump = () => {
      while (sent < total && !stopped()) {
        const part = chunk.subarray(0, Math.min(chunk.length, total - sent));
        sent += part.length;
        if (!write(part)) { onDrain(pump); return; }
      }
      if (sent >= total && !body.keepOpen) end();
    };
    pump();
  };
  return { run, sent: () => sent };
}

/** One call over prior-knowledge HTTP/2 (gRPC, Connect). */
export function h2Call(baseUrl: string, protocol: RawProtocol, path: string, headers: Record<string, string>, body: RawBody): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(baseUrl);
    session.on("error", reject);
    const started = performance.now();
    const stream = session.request({
      ":method": "POST", ":path": path, "content-type": CONTENT_TYPES[protocol], ...(protocol === "grpc" ? { te: "trailers" } : {}), ...headers,
    });
    let answered = false, sentWhenAnswered = 0, status = 0;
    let respHeaders: Record<string, string | string[] | undefined> = {}, trailers: Record<string, string | string[] | undefined> = {};
    const chunks: Buffer[] = [];
    const feeder = bodyFeeder(body, (b) => stream.write(b), (f) => stream.once("drain", f), () => stream.end(), () => answered || stream.destroyed);
    stream.on("response", (h) => { answered = true; sentWhenAnswered = feeder.sent(); status = Number(h[":status"]); respHeaders = h; });
    stream.on("trailers", (h) => { trailers = h; });
    stream.on("data", (c: Buffer) => chunks.push(c));
    stream.on("error", () => { /* a reset after the answer is fine; a missing answer shows in `code` */ });
    // The answer is complete at the server's END_STREAM, even while this side still has the stream open.
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      const d = decode(protocol, status, respHeaders, trailers, Buffer.concat(chunks));
      resolve({ status, ...d, ms: performance.now() - started, sentWhenAnswered });
      session.destroy();
    };
    stream.on("end", finish);
    stream.on("close", finish);
    feeder.run();
  });
}

/** One call over HTTP/1.1 (Connect, gRPC-web); `contentLength` is sent as given (else chunked). */
export function h1Call(baseUrl: string, protocol: RawProtocol, path: string, headers: Record<string, string>, body: RawBody, contentLength?: number): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = http.request(new URL(path, baseUrl), {
      method: "POST", agent: false,
      headers: { "content-type": CONTENT_TYPES[protocol], ...(contentLength !== undefined ? { "content-length": String(contentLength) } : {}), ...headers },
    });
    let answered = false;
    const feeder = bodyFeeder(body, (b) => req.write(b), (f) => req.once("drain", f), () => req.end(), () => answered || req.destroyed);
    req.on("response", (res) => {
      answered = true;
      const sentWhenAnswered = feeder.sent();
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const d = decode(protocol, res.statusCode ?? 0, res.headers, res.trailers, Buffer.concat(chunks));
        req.destroy();
        resolve({ status: res.statusCode ?? 0, ...d, ms: performance.now() - started, sentWhenAnswered });
      });
      res.on("error", reject);
    });
    req.on("error", (e) => { if (!answered) reject(e); });
    req.flushHeaders();
    feeder.run();
  });
}
