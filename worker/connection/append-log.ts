// AppendLog over the Connect protocol (HTTP/1.1, the worker's default) without
// Connect's client: the log bytes go on the wire as they are. Connect's client
// copied each request (up to 1 MiB of log) into a fresh protobuf buffer, grown
// by doubling from a few bytes and then sliced, several MiB allocated per MiB
// of log, and the garbage collector paid for it. Here the request's small
// fields (run id, run token, offset, and the data field's tag and length) are
// encoded by hand into a header of a few dozen bytes, and the data buffer
// follows it in the same write; the connection is kept alive between calls.
// The answer is decoded with the generated schema; any other status is turned
// into a ConnectError by the library's own Connect-protocol helpers (a JSON
// error with its code and details, e.g. LogGap; a bare HTTP status by its
// code), a broken connection into Code.Unavailable, so callers classify
// failures as they did with the generic client. gRPC and gRPC-web keep it.
import http from "node:http";
import https from "node:https";
import { fromBinary } from "@bufbuild/protobuf";
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import { Code, ConnectError } from "@connectrpc/connect";
import { errorFromJsonBytes, parseContentType, validateResponse } from "@connectrpc/connect/protocol-connect";
import { AppendLogResponseSchema, WorkerService, type AppendLogResponse } from "../../gen/jobserv/v1/worker_pb.js";

export interface AppendLogTarget {
  serverUrl: string;
  /** The worker's identity, sent on every call as the generic client's interceptor does. */
  workerName: string;
  workerToken: string;
  runId: bigint;
  runToken: string;
}

/** Sends `data` at `offset`; `data` is not touched once the promise settles. */
export type AppendLogCall = (offset: number, data: Uint8Array) => Promise<AppendLogResponse>;

const agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };

export function directAppendLog(target: AppendLogTarget): AppendLogCall {
  const url = new URL(`${target.serverUrl.replace(/\/+$/, "")}/${WorkerService.typeName}/${WorkerService.method.appendLog.name}`);
  const secure = url.protocol === "https:";
  const client = secure ? https : http;
  const agent = secure ? agents.https : agents.http;
  // Fields 1 and 2 are the same in every request of the run (proto3: a zero or empty field is left out).
  const fixed = new BinaryWriter();
  if (target.runId !== 0n) fixed.tag(1, WireType.Varint).int64(target.runId);
  if (target.runToken) fixed.tag(2, WireType.LengthDelimited).string(target.runToken);
  const prefix = fixed.finish();
  const headers = {
    "content-type": "application/proto",
    "connect-protocol-version": "1",
    "jobserv-worker": target.workerName,
    authorization: `Bearer ${target.workerToken}`,
  };

  return (offset, data) => {
    const w = new BinaryWriter().raw(prefix);
    if (offset !== 0) w.tag(3, WireType.Varint).int64(offset);
    if (data.length) w.tag(4, WireType.LengthDelimited).uint32(data.length);
    const head = w.finish();
    return new Promise<AppendLogResponse>((resolve, reject) => {
      let answer: { ok: AppendLogResponse } | { error: unknown } | undefined;
      let sent = false;
      // Settles once the answer is in and the request is written or dead, so `data` is free for reuse.
      const settle = () => {
        if (!answer || !sent) return;
        if ("ok" in answer) resolve(answer.ok);
        else reject(answer.error);
      };
      const fail = (e: unknown) => {
        answer ??= { error: e instanceof ConnectError ? e : new ConnectError(`AppendLog: ${(e as Error).message}`, Code.Unavailable, undefined, undefined, e) };
        sent = true; // the socket is destroyed with the request: nothing more is written from `data`
        settle();
      };
      const req = client.request(url, { method: "POST", agent, headers: { ...headers, "content-length": String(head.length + data.length) } }, (res) => {
        const parts: Buffer[] = [];
        res.on("data", (d: Buffer) => parts.push(d));
        res.on("error", fail);
        res.on("end", () => {
          try {
            answer = { ok: decodeAnswer(res, parts.length === 1 ? parts[0]! : Buffer.concat(parts)) };
          } catch (e) {
            answer = { error: e };
          }
          settle();
        });
      });
      req.on("error", fail);
      req.on("finish", () => { sent = true; settle(); });
      req.on("close", () => {
        sent = true;
        if (!answer) fail(new Error("connection closed before the answer"));
        else settle();
      });
      // Header and data in one write (the socket's writev), the data not copied.
      req.cork();
      req.write(head);
      req.end(data);
      process.nextTick(() => req.uncork());
    });
  };
}

/** The answer's message, or the ConnectError it stands for (thrown). */
function decodeAnswer(res: http.IncomingMessage, body: Buffer): AppendLogResponse {
  const type = parseContentType(res.headers["content-type"] ?? null);
  if (res.statusCode === 200 && type?.binary === true && !type.stream) {
    return fromBinary(AppendLogResponseSchema, body);
  }
  const header = new Headers();
  for (const [k, v] of Object.entries(res.headers)) {
    for (const value of Array.isArray(v) ? v : v === undefined ? [] : [v]) header.append(k, value);
  }
  // Throws for a non-JSON error (the HTTP status's code) or an unexpected content type; returns the fallback for a JSON one.
  const { isUnaryError, unaryError } = validateResponse("unary", true, res.statusCode ?? 0, header);
  if (isUnaryError && unaryError) throw errorFromJsonBytes(body, header, unaryError);
  throw new ConnectError(`unexpected answer: HTTP ${res.statusCode}`, Code.Internal, header);
}
