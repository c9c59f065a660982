// Request ids and request logs for RPCs: every call gets an id (the caller's
// `x-request-id`, or a new one) echoed in the response headers or error
// metadata. Calls that fail with a server-side code (INTERNAL, UNKNOWN,
// DATA_LOSS) are logged at error level with their cause; others at debug.
import { randomUUID } from "node:crypto";
import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import type { Logger } from "../logger.js";

const SERVER_FAULTS = new Set([Code.Internal, Code.Unknown, Code.DataLoss]);

export function requestLog(log: Logger): Interceptor {
  return (next) => async (req) => {
    const reqId = req.header.get("x-request-id") || randomUUID();
    const started = performance.now();
    // The child logger is made only when a line is written (most calls at info level write none).
    const rlog = () => log.child({ reqId, rpc: `${req.service.typeName}/${req.method.name}` });
    try {
      const res = await next(req);
      res.header.set("x-request-id", reqId);
      if (log.isLevelEnabled("debug")) rlog().debug({ ms: Math.round(performance.now() - started) }, "rpc");
      return res;
    } catch (e) {
      // Anything but a ConnectError becomes "internal error" for the client (Connect hides its message).
      const code = e instanceof ConnectError ? e.code : Code.Internal;
      rlog()[SERVER_FAULTS.has(code) ? "error" : "debug"]({ ms: Math.round(performance.now() - started), code: Code[code], err: e }, "rpc failed");
      if (e instanceof ConnectError) e.metadata.set("x-request-id", reqId);
      throw e;
    }
  };
}
