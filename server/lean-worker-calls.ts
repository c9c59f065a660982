// The worker's calls served on the lean paths (http/lean-stream.ts,
// http/lean-unary.ts), by request path for the RPC adapter: its Pull stream
// (thousands stay open and idle) and its frequent unary calls (a run's end,
// each log chunk, test reports, facts). The handlers are the same ones
// Connect's router serves (api/worker-service.ts), authenticated, limited, timed
// and mapped to the same codes; calls these paths do not take go to the router.
import type { DescMessage, MessageInitShape, MessageShape } from "@bufbuild/protobuf";
import { PullRequestSchema, PullResponseSchema, WorkerService } from "../gen/jobserv/v1/worker_pb.js";
import type { LeanHandler, LeanWiring } from "./http/lean-call.js";
import { leanServerStream } from "./http/lean-stream.js";
import { leanUnary } from "./http/lean-unary.js";
import type { ApiDeps } from "./api/deps.js";
import { toConnectError } from "./api/errors.js";
import type { PullSessions } from "./api/pull-sessions.js";
import { workerCalls } from "./api/worker-service.js";
import type { RequestHeaders } from "./api/worker-auth.js";

export function leanWorkerCalls(deps: ApiDeps, pulls: PullSessions, o: LeanWiring): Record<string, LeanHandler> {
  const common = {
    limits: o.limits, log: o.log, toError: toConnectError, observe: o.observe,
    authenticate: async (header: RequestHeaders["requestHeader"]) => { await deps.workerAuth.authenticate({ requestHeader: header }); },
  };
  const rpc = (name: string) => `${WorkerService.typeName}/${name}`;
  const calls = workerCalls(deps);
  const unary = <I extends DescMessage, O extends DescMessage>(method: { name: string; input: I; output: O },
    handle: (input: MessageShape<I>, call: RequestHeaders) => Promise<MessageInitShape<O>>): [string, LeanHandler] =>
    [`/${rpc(method.name)}`, leanUnary({ ...common, rpc: rpc(method.name), input: method.input, output: method.output,
      handle: (input, header) => handle(input, { requestHeader: header }) })];
  const m = WorkerService.method;
  return Object.fromEntries([
    [`/${rpc(m.pull.name)}`, leanServerStream({ ...common, rpc: rpc(m.pull.name), input: PullRequestSchema, output: PullResponseSchema,
      open: (req, header, sink) => pulls.stream(req, { requestHeader: header }, sink) })],
    unary(m.updateRun, calls.updateRun),
    unary(m.appendLog, calls.appendLog),
    unary(m.reportTests, calls.reportTests),
    unary(m.reportFacts, calls.reportFacts),
  ]);
}
