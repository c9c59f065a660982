// The wire forms of a server-streaming response for the three protocols the
// RPC port serves (Connect streaming, gRPC, gRPC-web), written straight to a
// Node response (a unary call over gRPC or gRPC-web is such a stream of one
// message; Connect's own unary form is lean-unary.ts's): the headers, each message as an envelope, and the end of
// the stream with its status (Connect: an end-stream envelope with a JSON
// error; gRPC: HTTP trailers; gRPC-web: a trailer envelope). Only binary
// (protobuf) requests are recognised here; the rest is left to Connect's
// router. The forms follow @connectrpc/connect's handlers, whose encoders
// (end-stream JSON, grpc-status trailers) are reused.
import type http from "node:http";
import http2 from "node:http2";
import { Code, ConnectError } from "@connectrpc/connect";
import { endStreamFlag, endStreamToJson } from "@connectrpc/connect/protocol-connect";
import { setTrailerStatus } from "@connectrpc/connect/protocol-grpc";
import { trailerFlag, trailerSerialize } from "@connectrpc/connect/protocol-grpc-web";

export type StreamProtocol = "connect" | "grpc" | "grpc-web";
export type NodeRequest = http.IncomingMessage | http2.Http2ServerRequest;
export type NodeResponse = http.ServerResponse | http2.Http2ServerResponse;

const CONTENT_TYPES: readonly [RegExp, StreamProtocol, string][] = [
  [/^application\/connect\+proto$/i, "connect", "application/connect+proto"],
  [/^application\/grpc(\+proto)?$/i, "grpc", "application/grpc+proto"],
  [/^application\/grpc-web(\+proto)?$/i, "grpc-web", "application/grpc-web+proto"],
];

/** The request headers that ask for what only Connect's router does (deadlines, compressed input): such calls go there. */
const ROUTER_ONLY_HEADERS = ["connect-timeout-ms", "grpc-timeout", "connect-content-encoding", "grpc-encoding"];

/** The protocol of a binary streaming POST that a lean stream can answer, or undefined. */
export function leanStreamProtocol(req: NodeRequest): StreamProtocol | undefined {
  if (!leanCallable(req, ROUTER_ONLY_HEADERS)) return undefined;
  const type = req.headers["content-type"] ?? "";
  return CONTENT_TYPES.find(([re]) => re.test(type))?.[1];
}

/** A unary call's protocol: Connect's unary form (the bare message), or gRPC and gRPC-web, which frame it as a stream of one. */
export type UnaryProtocol = "connect-unary" | "grpc" | "grpc-web";

/** Connect's unary form names its compression `content-encoding`. */
const UNARY_ROUTER_ONLY_HEADERS = [...ROUTER_ONLY_HEADERS, "content-encoding"];

/** The protocol of a binary unary POST that a lean unary call can answer, or undefined. */
export function leanUnaryProtocol(req: NodeRequest): UnaryProtocol | undefined {
  if (!leanCallable(req, UNARY_ROUTER_ONLY_HEADERS)) return undefined;
  const type = req.headers["content-type"] ?? "";
  if (/^application\/proto$/i.test(type)) return "connect-unary";
  const framed = CONTENT_TYPES.find(([re]) => re.test(type))?.[1];
  return framed === "connect" ? undefined : framed;
}

/** A POST asking for nothing only Connect's router does (a deadline, compressed input). */
function leanCallable(req: NodeRequest, routerOnly: readonly string[]): boolean {
  if (req.method !== "POST") return false;
  for (const name of routerOnly) {
    const v = req.headers[name];
    if (v !== undefined && !(name.endsWith("encoding") && v === "identity")) return false;
  }
  return true;
}

/** One message as an envelope: flags, big-endian length, bytes. */
export function envelope(flags: number, data: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(data.length + 5);
  out[0] = flags;
  out.writeUInt32BE(data.length, 1);
  out.set(data, 5);
  return out;
}

/** The response side of one stream: headers once, then messages, then one end. */
export class StreamWriter {
  private ended = false;

  private readonly res: http.ServerResponse;
  /** An HTTP/1.1 response, whose socket Node corks for each chunked write (see sendEnvelope). */
  private readonly http1: boolean;

  /** `headers`: sent with the response's own (e.g. x-request-id). */
  constructor(res: NodeResponse, readonly protocol: StreamProtocol, private readonly headers: Record<string, string>) {
    // HTTP/2's compatibility response takes the same calls used here.
    this.http1 = !(res instanceof http2.Http2ServerResponse);
    this.res = res as http.ServerResponse;
  }

  /** Writes one serialized message (the headers first, with the first); false once the stream has ended. */
  send(data: Uint8Array): boolean {
    return this.sendEnvelope(envelope(0, data));
  }

  /**
   * Writes a message already framed by `envelope(0, ...)`: the same bytes in all
   * three protocols, so one frame (the ping wheel's Ping) is written to every
   * stream as it is, never copied or changed. False once the stream has ended.
   */
  sendEnvelope(frame: Uint8Array): boolean {
    if (this.ended || this.res.destroyed) return false;
    this.open();
    this.res.write(frame);
    // Node corks an HTTP/1.1 response's socket for a chunked write until the next tick, which
    // comes only after every microtask queued behind this one (e.g. a trigger's bookkeeping after
    // its push): the message leaves now. (Node's own uncork later finds nothing left to do.)
    // HTTP/2's response has no socket of its own to uncork (its `socket` is a Proxy of the session's).
    if (this.http1) {
      const socket = this.res.socket;
      if (socket?.writableCorked) socket.uncork();
    }
    return true;
  }

  get isEnded(): boolean {
    return this.ended;
  }

  /** Ends the stream, OK without `error`, in the protocol's form; a second end does nothing. */
  end(error?: ConnectError): void {
    if (this.ended) return;
    this.ended = true;
    if (this.res.destroyed) return;
    this.open();
    if (this.protocol === "connect") {
      const json = endStreamToJson(new Headers(), error, undefined);
      this.res.end(envelope(endStreamFlag, Buffer.from(JSON.stringify(json))));
      return;
    }
    const trailer = setTrailerStatus(new Headers(), error);
    if (this.protocol === "grpc-web") {
      this.res.end(envelope(trailerFlag, trailerSerialize(trailer)));
      return;
    }
    const fields: Record<string, string> = {};
    trailer.forEach((value, key) => { fields[key] = value; });
    this.res.addTrailers(fields);
    this.res.end();
  }

  /** Status 200 and the headers, once. */
  private open(): void {
    if (this.res.headersSent) return;
    const type = CONTENT_TYPES.find(([, p]) => p === this.protocol)![2];
    this.res.writeHead(200, { "content-type": type, ...this.headers });
  }
}

/** What a call ends with: a ConnectError as it is, anything else as Connect answers it (INTERNAL, cause kept). */
export function asConnectError(e: unknown): ConnectError {
  return e instanceof ConnectError ? e : new ConnectError("internal error", Code.Internal, undefined, undefined, e);
}
