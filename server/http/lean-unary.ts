// A unary RPC answered without Connect's unary pipeline: for the worker's
// frequent small calls (UpdateRun at every run's end, AppendLog for every log
// chunk), Connect's universal request and response, its handler context with
// an AbortController, and the interceptors' chain of promises cost more
// server CPU than the handler itself. Here one call is: the caller
// authenticated by the injected gate before a byte of the body is read, the
// body read within its limits (request-body.ts), the message decoded, the
// handler's answer written in the caller's protocol: Connect's unary form
// (the bare message, or a JSON error with the code's HTTP status), or gRPC /
// gRPC-web (one enveloped message, then the status: stream-framing.ts). Calls
// this path does not take (JSON, a deadline, compressed input, GET) go to
// Connect's router, which answers them as before, with the same codes.
import { create, toBinary, type DescMessage, type MessageInitShape, type MessageShape } from "@bufbuild/protobuf";
import { ConnectError } from "@connectrpc/connect";
import { codeToHttpStatus, errorToJsonBytes } from "@connectrpc/connect/protocol-connect";
import { checkDeclaredLength, type BodyBudget } from "./request-body.js";
import { callEnded, decodeEnvelope, decodeMessage, headerOf, readBody, requestId, type HeaderSource, type LeanCallOptions, type LeanHandler } from "./lean-call.js";
import { asConnectError, leanUnaryProtocol, StreamWriter, type NodeRequest, type NodeResponse, type UnaryProtocol } from "./stream-framing.js";

export interface LeanUnaryOptions<I extends DescMessage, O extends DescMessage> extends LeanCallOptions<I, O> {
  /** Answers the decoded request; throws to refuse it. */
  handle: (input: MessageShape<I>, header: HeaderSource) => Promise<MessageInitShape<O>>;
}

export function leanUnary<I extends DescMessage, O extends DescMessage>(o: LeanUnaryOptions<I, O>): LeanHandler {
  return (req, res, budget) => {
    const protocol = leanUnaryProtocol(req);
    if (!protocol) return false;
    void answer(o, req, res, budget, protocol);
    return true;
  };
}

async function answer<I extends DescMessage, O extends DescMessage>(o: LeanUnaryOptions<I, O>, req: NodeRequest, res: NodeResponse, budget: BodyBudget,
  protocol: UnaryProtocol): Promise<void> {
  const started = performance.now();
  const reqId = requestId(req);
  const header: HeaderSource = { get: (name) => headerOf(req, name) };
  let out: Uint8Array | undefined;
  let error: ConnectError | undefined;
  try {
    budget.anonymous = (await o.authenticate(header)) === true;
    checkDeclaredLength(budget, o.limits, header.get("content-length"));
    const body = await readBody(req, budget, o.limits);
    const input = protocol === "connect-unary" ? decodeMessage(o.input, body) : decodeEnvelope(o.input, body, budget.maxBytes, "unary");
    const output = await o.handle(input, header);
    out = toBinary(o.output, create(o.output, output)); // a message as it is, an init shape made into one
  } catch (e) {
    error = asConnectError(o.toError(e));
  }
  if (res.destroyed) {
    callEnded(o, reqId, started, undefined, true);
    return;
  }
  if (protocol === "connect-unary") writeConnectUnary(res, reqId, out, error);
  else {
    const w = new StreamWriter(res, protocol, { "x-request-id": reqId });
    if (out) w.send(out);
    w.end(error);
  }
  callEnded(o, reqId, started, error, false);
}

/** Connect's unary answer: 200 and the message, or the code's HTTP status and the error as JSON (its metadata as headers). */
function writeConnectUnary(res: NodeResponse, reqId: string, out: Uint8Array | undefined, error: ConnectError | undefined): void {
  const r = res as import("node:http").ServerResponse;
  if (!error) {
    r.writeHead(200, { "content-type": "application/proto", "content-length": String(out!.byteLength), "x-request-id": reqId });
    r.end(out);
    return;
  }
  const body = errorToJsonBytes(error, {});
  const headers: Record<string, string> = {};
  error.metadata.forEach((value, key) => { if (!/^(content-|connect-|grpc-)/i.test(key)) headers[key] = value; });
  r.writeHead(codeToHttpStatus(error.code), { ...headers, "content-type": "application/json", "content-length": String(body.byteLength), "x-request-id": reqId });
  r.end(body);
}
