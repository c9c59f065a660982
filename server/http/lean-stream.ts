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
import { toBinary, type DescMessage, type MessageShape } from "@bufbuild/protobuf";
import type { ConnectError } from "@connectrpc/connect";
import { checkDeclaredLength, type BodyBudget } from "./request-body.js";
import { callEnded, decodeEnvelope, headerOf, readBody, requestId, type HeaderSource, type LeanCallOptions, type LeanHandler } from "./lean-call.js";
import { asConnectError, envelope, leanStreamProtocol, StreamWriter, type NodeRequest, type NodeResponse, type StreamProtocol } from "./stream-framing.js";

/** Frozen messages sent to many streams (the ping wheel's one Ping), encoded and framed once each: one Buffer written to every stream. */
const framedOnce = new WeakMap<object, Uint8Array>();

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

export interface LeanStreamOptions<I extends DescMessage, O extends DescMessage> extends LeanCallOptions<I, O> {
  /** Opens the stream for the decoded request; throws to refuse it. */
  open: (input: MessageShape<I>, header: HeaderSource, sink: StreamSink<O>) => Promise<OpenStream>;
}

export function leanServerStream<I extends DescMessage, O extends DescMessage>(o: LeanStreamOptions<I, O>): LeanHandler {
  return (req, res, budget) => {
    const protocol = leanStreamProtocol(req);
    if (!protocol) return false;
    const call = new LeanCall(o, req, res, protocol);
    call.run(budget).catch((e: unknown) => call.fail(e));
    return true;
  };
}

/** One call: its request headers for the handler, its sink, its end. One object (not a closure each) per open stream. */
class LeanCall<I extends DescMessage, O extends DescMessage> implements HeaderSource, StreamSink<O> {
  private readonly started = performance.now();
  private readonly reqId: string;
  private readonly out: StreamWriter;
  private stream: OpenStream | undefined;
  private settled = false;

  constructor(private readonly o: LeanStreamOptions<I, O>, private readonly req: NodeRequest, private readonly res: NodeResponse, protocol: StreamProtocol) {
    this.reqId = requestId(req);
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
    const input = decodeEnvelope(o.input, await readBody(req, budget, o.limits), budget.maxBytes, "server-streaming");
    if (this.settled) return;
    this.stream = await o.open(input, this, this);
    if (this.settled) this.stream.close(); // the client left while it opened
  }

  get(name: string): string | null {
    return headerOf(this.req, name);
  }

  send(message: MessageShape<O>): boolean {
    if (!Object.isFrozen(message)) return this.out.send(toBinary(this.o.output, message));
    let frame = framedOnce.get(message);
    if (!frame) framedOnce.set(message, (frame = envelope(0, toBinary(this.o.output, message))));
    return this.out.sendEnvelope(frame);
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
    callEnded(this.o, this.reqId, this.started, error, canceled);
  }
}
