// A server-streaming RPC answered without Connect's streaming pipeline: for a
// stream that stays open for hours and mostly idles (the worker's Pull), the
// per-call chain of async generators, closures and promises Connect and the
// interceptors build costs tens of KiB. Here one call is: the caller
// authenticated by the injected gate before a byte of the body is read, the
// body read within its limits (request-body.ts: declared and streamed size,
// idle stall, client gone), the one request message decoded, and the opened
// stream's messages written as envelopes as they come (stream-framing.ts),
// ended in the caller's protocol. Calls this path does not take (JSON,
// deadlines, compressed input, anything but POST) go to Connect's router,
// which answers them as before. Each call is logged and timed through `observe`
// once it ends.
import { randomUUID } from "node:crypto";
import { fromBinary, toBinary, type DescMessage, type MessageShape } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import type { Logger } from "../logger.js";
import { checkDeclaredLength, guardedBody, type BodyBudget, type BodyLimits } from "./request-body.js";
import { asConnectError, leanStreamProtocol, StreamWriter, type NodeRequest, type NodeResponse, type StreamProtocol } from "./stream-framing.js";

/** Frozen messages sent to many streams (the ping wheel's one Ping), encoded once each. */
const encodedOnce = new WeakMap<object, Uint8Array>();

/** Request headers by lower-case name, as the handlers read them. */
export interface HeaderSource {
  get(name: string): string | null;
}

/** The sending side of one open stream, handed to the handler. */
export interface StreamSink<O extends DescMessage> {
  /** Writes a message; false once the stream has ended. */
  send(message: MessageShape<O>): boolean;
  /** Ends the stream: OK, or with `error` in the caller's protocol. */
  end(error?: unknown): void;
}

/** An open stream: `close` runs once, when it ends for any reason (the client went, the handler ended it, the server stops). */
export interface OpenStream {
  close(): void;
}

export interface LeanStreamOptions<I extends DescMessage, O extends DescMessage> {
  /** E.g. `jobserv.v1.WorkerService/Pull` (the request path without its leading slash). */
  rpc: string;
  input: I;
  output: O;
  limits: BodyLimits;
  /** Throws (a ConnectError, or what `toError` maps) when the caller's credentials do not hold; before the body is read. */
  authenticate: (header: HeaderSource) => Promise<void>;
  /** Opens the stream for the decoded request; throws to refuse it. */
  open: (input: MessageShape<I>, header: HeaderSource, sink: StreamSink<O>) => Promise<OpenStream>;
  /** Maps what the gate or handler throws to its ConnectError (domain errors); others become INTERNAL. */
  toError: (e: unknown) => unknown;
  /** Called once per call when it ends: `error` undefined for OK; `canceled` when the client went away first. */
  observe?: (rpc: string, seconds: number, error: ConnectError | undefined, canceled: boolean) => void;
  log: Logger;
}

/**
 * A Node handler for the stream's path, given the request's body budget (the
 * adapter's, which deals with a refused body's rest once the answer is out):
 * false when the call is not one this path takes (Connect's router answers it).
 */
export type LeanStreamHandler = (req: NodeRequest, res: NodeResponse, budget: BodyBudget) => boolean;

export function leanServerStream<I extends DescMessage, O extends DescMessage>(o: LeanStreamOptions<I, O>): LeanStreamHandler {
  return (req, res, budget) => {
    const protocol = leanStreamProtocol(req);
    if (!protocol) return false;
    const call = new LeanCall(o, req, res, protocol);
    call.run(budget).catch((e: unknown) => call.fail(e));
    return true;
  };
}

const SERVER_FAULTS = new Set([Code.Internal, Code.Unknown, Code.DataLoss]);

/** One call: its request headers for the handler, its sink, its end. One object (not a closure each) per open stream. */
class LeanCall<I extends DescMessage, O extends DescMessage> implements HeaderSource, StreamSink<O> {
  private readonly started = performance.now();
  private readonly reqId: string;
  private readonly out: StreamWriter;
  private stream: OpenStream | undefined;
  private settled = false;

  constructor(private readonly o: LeanStreamOptions<I, O>, private readonly req: NodeRequest, private readonly res: NodeResponse, protocol: StreamProtocol) {
    this.reqId = this.get("x-request-id") || randomUUID();
    this.out = new StreamWriter(res, protocol, { "x-request-id": this.reqId });
    res.once("close", () => {
      if (!this.out.isEnded) this.finish(undefined, true);
    });
  }

  async run(budget: BodyBudget): Promise<void> {
    const { o, req } = this;
    await o.authenticate(this);
    budget.anonymous = false;
    checkDeclaredLength(budget, o.limits, this.get("content-length"));
    const input = decodeOne(o.input, await readBody(req, budget, o.limits), budget.maxBytes);
    if (this.settled) return;
    this.stream = await o.open(input, this, this);
    if (this.settled) this.stream.close(); // the client left while it opened
  }

  get(name: string): string | null {
    const v = this.req.headers[name];
    return v === undefined ? null : Array.isArray(v) ? v.join(", ") : v;
  }

  send(message: MessageShape<O>): boolean {
    if (!Object.isFrozen(message)) return this.out.send(toBinary(this.o.output, message));
    let bytes = encodedOnce.get(message);
    if (!bytes) encodedOnce.set(message, (bytes = toBinary(this.o.output, message)));
    return this.out.send(bytes);
  }

  end(error?: unknown): void {
    if (error !== undefined) {
      this.fail(error);
      return;
    }
    this.out.end();
    this.finish(undefined, false);
  }

  /** Ends the call with what the gate or handler threw (nothing more when the client has gone). */
  fail(e: unknown): void {
    if (this.res.destroyed || this.settled) {
      this.finish(undefined, true);
      return;
    }
    const error = asConnectError(this.o.toError(e));
    this.out.end(error);
    this.finish(error, false);
  }

  /** Once, with the outcome: the stream closed, the call logged and timed. */
  private finish(error: ConnectError | undefined, canceled: boolean): void {
    if (this.settled) return;
    this.settled = true;
    this.stream?.close();
    const { o, reqId } = this;
    const ms = performance.now() - this.started;
    if (error && SERVER_FAULTS.has(error.code)) o.log.error({ reqId, rpc: o.rpc, code: Code[error.code], err: error }, "rpc failed");
    else if (o.log.isLevelEnabled("debug")) o.log.debug({ reqId, rpc: o.rpc, ms: Math.round(ms), code: error ? Code[error.code] : canceled ? "Canceled" : "OK" }, "rpc");
    o.observe?.(o.rpc, ms / 1000, error, canceled);
  }
}

async function readBody(req: NodeRequest, budget: BodyBudget, limits: BodyLimits): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of guardedBody(req, budget, limits)) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** The one request message of a server-streaming call, in Connect's words when the body is not exactly one envelope. */
function decodeOne<I extends DescMessage>(schema: I, body: Buffer, maxBytes: number): MessageShape<I> {
  if (body.length === 0) throw new ConnectError("protocol error: missing input message for server-streaming method", Code.Unimplemented);
  if (body.length < 5) throw new ConnectError(`protocol error: incomplete envelope`, Code.InvalidArgument);
  const flags = body[0]!;
  const size = body.readUInt32BE(1);
  if (size > maxBytes) throw new ConnectError(`message size ${size} is larger than configured readMaxBytes ${maxBytes}`, Code.ResourceExhausted);
  if (body.length < 5 + size) throw new ConnectError(`protocol error: promised ${size} bytes in enveloped message, got ${body.length - 5} bytes`, Code.InvalidArgument);
  if (body.length > 5 + size) throw new ConnectError("protocol error: received extra input message for server-streaming method", Code.Unimplemented);
  if (flags !== 0) throw new ConnectError(`protocol error: unexpected envelope flags ${flags}`, Code.InvalidArgument);
  try {
    return fromBinary(schema, body.subarray(5));
  } catch (e) {
    throw new ConnectError(`parse binary: ${e instanceof Error ? e.message : String(e)}`, Code.InvalidArgument);
  }
}
