// Who is calling, settled before Connect reads a request's body
// (http/rpc-adapter.ts): credentials that do not hold answer UNAUTHENTICATED
// at once, and a caller without any is told apart, so the adapter lets it send
// only a small body. It refuses nothing the handlers would accept: the access
// rules themselves stay with the handlers (authorize.ts, worker-auth.ts), and
// verified credentials are cached there, so the handler's own check is a hit.
import type { HandlerContext } from "@connectrpc/connect";
import { WorkerService } from "../../gen/jobserv/v1/worker_pb.js";
import type { Access } from "../auth/access.js";
import { toConnectError } from "./errors.js";
import type { RequestHeaders, WorkerAuth } from "./worker-auth.js";

/** Resolves true when the caller presented no credentials. */
export function requestGate(access: Access, workers: WorkerAuth): (ctx: HandlerContext) => Promise<boolean> {
  const apiGate = apiCallerGate(access);
  return async (ctx) => {
    try {
      if (ctx.service.typeName === WorkerService.typeName) {
        // Registration proves itself in its body (worker token, registration secret).
        if (ctx.method.name === WorkerService.method.registerWorker.name) return true;
        await workers.authenticate(ctx);
        return false;
      }
      // Protocol services (health, reflection) take no credentials.
      if (!ctx.service.typeName.startsWith("jobserv.")) return true;
      return await apiGate(ctx.requestHeader);
    } catch (e) {
      throw toConnectError(e);
    }
  };
}

/** The gate of the API's (not the worker's) calls, also on the lean path (lean-trigger-call.ts): resolves true when the caller presented no credentials. */
export function apiCallerGate(access: Access): (header: RequestHeaders["requestHeader"]) => Promise<boolean> {
  return async (header) => (await access.caller((name) => header.get(name) ?? undefined, false)).kind === "anonymous";
}
