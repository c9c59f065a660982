// Raw RPC requests for the fuzz suite, one per wire protocol, sending bytes
// as given (no client library in the way, so malformed bodies reach the
// server): Connect JSON and Connect proto over HTTP/1.1, gRPC-web over
// HTTP/1.1, gRPC over HTTP/2 (one session per test). The answer is a server
// fault when the HTTP status is 5xx or the grpc-status is UNKNOWN, INTERNAL
// or UNAVAILABLE.
import http2 from "node:http2";
import type { Answer } from "./harness.js";

export type WireProtocol = "connect-json" | "connect-proto" | "grpc-web" | "grpc";
export const WIRE_PROTOCOLS: readonly WireProtocol[] = ["connect-json", "connect-proto", "grpc-web", "grpc"];

/** gRPC codes that say the server failed, not the request. */
const FAULT_CODES = new Set(["2", "13", "14"]);

/** A gRPC length-prefixed message: flags byte, 4-byte big-endian length, payload. */
export function envelope(payload: Uint8Array, flags = 0, declaredLength = payload.length): Buffer {
  const head = Buffer.alloc(5);
  head[0] = flags;
  head.writeUInt32BE(declaredLength >>> 0, 1);
  return Buffer.concat([head, payload]);
}

/** grpc-message is percent-encoded; a fallback text (a raw body) may hold a lone "%": shown as it is. */
function percentDecoded(message: string): string {
  try {
    return decodeURIComponent(message);
  } catch {
    return message;
  }
}

/** grpc-status and grpc-message from a gRPC-web body's trailer frame (flag 0x80), if any. */
function grpcWebTrailer(body: Buffer): { code?: string; message?: string } {
  for (let at = 0; at + 5 <= body.length;) {
    const flags = body[at]!, len = body.readUInt32BE(at + 1);
    if (flags & 0x80) {
      const text = body.subarray(at + 5, at + 5 + len).toString();
      return { code: /grpc-status:\s*(\d+)/i.exec(text)?.[1], message: /grpc-message:\s*([^\r\n]*)/i.exec(text)?.[1] };
    }
    at += 5 + len;
  }
  return {};
}

export async function sendHttp1(url: string, protocol: Exclude<WireProtocol, "grpc">, path: string, body: Uint8Array, headers: Record<string, string>): Promise<Answer> {
  const contentType = protocol === "connect-json" ? "application/json" : protocol === "connect-proto" ? "application/proto" : "application/grpc-web+proto";
  const res = await fetch(`${url}${path}`, {
    method: "POST", body, signal: AbortSignal.timeout(10_000),
    headers: { "content-type": contentType, ...(protocol === "grpc-web" ? { "x-grpc-web": "1" } : { "connect-protocol-version": "1" }), ...headers },
  });
  const raw = Buffer.from(await res.arrayBuffer());
  if (protocol !== "grpc-web") return { status: res.status, fault: res.status >= 500, detail: raw.toString("utf8", 0, 300) };
  const trailer = res.headers.get("grpc-status") === null ? grpcWebTrailer(raw) : {};
  const code = res.headers.get("grpc-status") ?? trailer.code;
  const message = res.headers.get("grpc-message") ?? trailer.message ?? raw.toString("utf8", 0, 300);
  return { status: res.status, fault: res.status >= 500 || (code !== undefined && code !== null && FAULT_CODES.has(code)), detail: `grpc-status ${code}: ${percentDecoded(message)}` };
}

/** A gRPC client session over cleartext HTTP/2 that sends raw bodies. */
export function grpcSession(url: string): { send: (path: string, body: Uint8Array, headers: Record<string, string>) => Promise<Answer>; close: () => void } {
  let session: http2.ClientHttp2Session | undefined;
  const open = () => {
    if (!session || session.closed || session.destroyed) {
      session = http2.connect(url);
      session.on("error", () => { session = undefined; });
    }
    return session;
  };
  const send = (path: string, body: Uint8Array, headers: Record<string, string>) => new Promise<Answer>((resolve) => {
    const req = open().request({ ":method": "POST", ":path": path, "content-type": "application/grpc+proto", te: "trailers", ...headers });
    let status = 0;
    let code: string | undefined;
    let message = "";
    const timer = setTimeout(() => { req.close(http2.constants.NGHTTP2_CANCEL); resolve({ status, fault: true, detail: "no answer within 10 s" }); }, 10_000);
    req.on("response", (h) => {
      status = Number(h[":status"]);
      if (h["grpc-status"] !== undefined) { code = String(h["grpc-status"]); message = String(h["grpc-message"] ?? ""); }
    });
    req.on("trailers", (h) => { code = String(h["grpc-status"]); message = String(h["grpc-message"] ?? ""); });
    req.on("data", () => {});
    req.on("error", (e) => { clearTimeout(timer); resolve({ status, fault: true, detail: `stream error: ${e.message}` }); });
    req.on("close", () => {
      clearTimeout(timer);
      resolve({ status, fault: status >= 500 || code === undefined || FAULT_CODES.has(code), detail: `grpc-status ${code}: ${percentDecoded(message)}` });
    });
    req.end(body);
  });
  return { send, close: () => session?.close() };
}
