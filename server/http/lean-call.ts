// What the lean paths (lean-stream.ts for the worker's Pull, lean-unary.ts for
// the worker's unary calls) share: the handler type the RPC adapter takes, the
// request headers as handlers read them, reading and decoding the request
// body within its limits, and the end of a call (logged and timed once).
import { randomUUID } from "node:crypto";
import { fromBinary, type DescMessage, type MessageShape } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import type { Logger } from "../logger.js";
import { guardedBody, type BodyBudget, type BodyLimits } from "./request-body.js";
import type { NodeRequest, NodeResponse } from "./stream-framing.js";

/**
 * A Node handler for one RPC path, given the request's body budget (the
 * adapter's, which deals with a refused body's rest once the answer is out):
 * false when the call is not one this path takes (Connect's router answers it).
 */
export type LeanHandler = (req: NodeRequest, res: NodeResponse, budget: BodyBudget) => boolean;

/** Request headers by lower-case name, as the handlers read them. */
export interface HeaderSource {
  get(name: string): string | null;
}

/** What every lean call is configured with, besides its handler. */
export interface LeanCallOptions<I extends DescMessage, O extends DescMessage> {
  /** E.g. `jobserv.v1.WorkerService/Pull` (the request path without its leading slash). */
  rpc: string;
  input: I;
  output: O;
  limits: BodyLimits;
  /**
   * Throws (a ConnectError, or what `toError` maps) when the caller's credentials do not hold; before the body is read.
   * Resolves true for a caller without any (held to the anonymous body limit), as the router's request gate.
   */
  authenticate: (header: HeaderSource) => Promise<boolean | void>;
  /** Maps what the gate or handler throws to its ConnectError (domain errors); others become INTERNAL. */
  toError: (e: unknown) => unknown;
  /** Called once per call when it ends: `error` undefined for OK; `canceled` when the client went away first. */
  observe?: (rpc: string, seconds: number, error: ConnectError | undefined, canceled: boolean) => void;
  log: Logger;
}

/** What the server wires every lean call with (main.ts): its limits, log and metrics. */
export interface LeanWiring {
  limits: BodyLimits;
  log: Logger;
  /** Each call's end (metrics). */
  observe: NonNullable<LeanCallOptions<DescMessage, DescMessage>["observe"]>;
}

/** The headers of `req` as a HeaderSource (arrays joined as Node's own do). */
export function headerOf(req: NodeRequest, name: string): string | null {
  const v = req.headers[name];
  return v === undefined ? null : Array.isArray(v) ? v.join(", ") : v;
}

/** The caller's request id, or a new one. */
export function requestId(req: NodeRequest): string {
  return headerOf(req, "x-request-id") || randomUUID();
}

/** The whole request body, held to the budget's limits (request-body.ts). */
export async function readBody(req: NodeRequest, budget: BodyBudget, limits: BodyLimits): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of guardedBody(req, budget, limits)) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** A message's bytes decoded, a parse failure answered INVALID_ARGUMENT as for JSON input. */
export function decodeMessage<I extends DescMessage>(schema: I, bytes: Uint8Array): MessageShape<I> {
  try {
    return fromBinary(schema, bytes);
  } catch (e) {
    throw new ConnectError(`parse binary: ${e instanceof Error ? e.message : String(e)}`, Code.InvalidArgument);
  }
}

/** The one request message of an enveloped body (gRPC, gRPC-web, Connect streaming), in Connect's words when it is not exactly one envelope. */
export function decodeEnvelope<I extends DescMessage>(schema: I, body: Buffer, maxBytes: number, kind: "unary" | "server-streaming"): MessageShape<I> {
  if (body.length === 0) throw new ConnectError(`protocol error: missing input message for ${kind} method`, Code.Unimplemented);
  if (body.length < 5) throw new ConnectError(`protocol error: incomplete envelope`, Code.InvalidArgument);
  const flags = body[0]!;
  const size = body.readUInt32BE(1);
  if (size > maxBytes) throw new ConnectError(`message size ${size} is larger than configured readMaxBytes ${maxBytes}`, Code.ResourceExhausted);
  if (body.length < 5 + size) throw new ConnectError(`protocol error: promised ${size} bytes in enveloped message, got ${body.length - 5} bytes`, Code.InvalidArgument);
  if (body.length > 5 + size) throw new ConnectError(`protocol error: received extra input message for ${kind} method`, Code.Unimplemented);
  if (flags !== 0) throw new ConnectError(`protocol error: unexpected envelope flags ${flags}`, Code.InvalidArgument);
  return decodeMessage(schema, body.subarray(5));
}

const SERVER_FAULTS = new Set([Code.Internal, Code.Unknown, Code.DataLoss]);

/** A call ended: logged as the request-log interceptor logs (server faults at error level, the rest at debug) and timed. */
export function callEnded(o: LeanCallOptions<DescMessage, DescMessage>, reqId: string, started: number, error: ConnectError | undefined, canceled: boolean): void {
  const ms = performance.now() - started;
  if (error && SERVER_FAULTS.has(error.code)) o.log.error({ reqId, rpc: o.rpc, code: Code[error.code], err: error }, "rpc failed");
  else if (o.log.isLevelEnabled("debug")) o.log.debug({ reqId, rpc: o.rpc, ms: Math.round(ms), code: error ? Code[error.code] : canceled ? "Canceled" : "OK" }, "rpc");
  o.observe?.(o.rpc, ms / 1000, error, canceled);
}
