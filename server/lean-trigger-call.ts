// TriggerBuild served on the lean unary path (http/lean-unary.ts): the time
// from a trigger to its run's push is what the dispatch latency is made of,
// and Connect's unary pipeline was 0.2-0.3 ms of it. The handler is the one
// Connect's router serves (api/build-service.ts triggerBuildCall), behind the
// same request gate (api/request-gate.ts: bad credentials refused before the
// body is read, a caller without any held to the anonymous body limit), with
// the same codes, messages, limits, request ids and metrics; calls the lean
// path does not take (JSON, a deadline, compressed input) go to the router.
import { BuildService } from "../gen/jobserv/v1/build_pb.js";
import type { HeaderSource, LeanHandler, LeanWiring } from "./http/lean-call.js";
import { leanUnary } from "./http/lean-unary.js";
import { triggerBuildCall } from "./api/build-service.js";
import type { ApiDeps } from "./api/deps.js";
import { toConnectError } from "./api/errors.js";

/** `gate`: the router's request gate for the API's calls (api/request-gate.ts apiCallerGate): true for a caller without credentials. */
export function leanTriggerCall(deps: ApiDeps, gate: (header: HeaderSource) => Promise<boolean>, o: LeanWiring): Record<string, LeanHandler> {
  const method = BuildService.method.triggerBuild;
  const rpc = `${BuildService.typeName}/${method.name}`;
  const handle = triggerBuildCall(deps);
  return {
    [`/${rpc}`]: leanUnary({
      rpc, input: method.input, output: method.output, limits: o.limits, log: o.log, toError: toConnectError, observe: o.observe,
      authenticate: gate,
      handle: (input, header) => handle(input, { requestHeader: header }),
    }),
  };
}
