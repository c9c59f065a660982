// The one table from domain errors to ConnectError codes, applied to every
// RPC by one interceptor (handlers throw domain errors only). Anything else
// is left to Connect, which answers "internal error" and keeps the cause here.
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import { LogGapSchema } from "../../gen/jobserv/v1/worker_pb.js";
import {
  AlreadyExistsError, FailedPreconditionError, InvalidArgumentError, LogGapError, NotFoundError, PermissionDeniedError, UnauthenticatedError,
  UnavailableError,
} from "../errors.js";
import { ProjectDefinitionError } from "../projects/definition-error.js";

export function toConnectError(e: unknown): unknown {
  if (e instanceof ConnectError) return e;
  if (e instanceof ProjectDefinitionError || e instanceof InvalidArgumentError) return new ConnectError(e.message, Code.InvalidArgument);
  if (e instanceof NotFoundError) return new ConnectError(e.message, Code.NotFound);
  if (e instanceof AlreadyExistsError) return new ConnectError(e.message, Code.AlreadyExists);
  if (e instanceof PermissionDeniedError) return new ConnectError(e.message, Code.PermissionDenied);
  if (e instanceof UnauthenticatedError) return new ConnectError(e.message, Code.Unauthenticated);
  if (e instanceof FailedPreconditionError) return new ConnectError(e.message, Code.FailedPrecondition);
  if (e instanceof UnavailableError) return new ConnectError(e.message, Code.Unavailable);
  if (e instanceof LogGapError) {
    return new ConnectError(e.message, Code.FailedPrecondition, undefined,
      [{ desc: LogGapSchema, value: create(LogGapSchema, { committedOffset: BigInt(e.committed) }) }]);
  }
  if (isStoreUnavailable(e)) return new ConnectError("store unavailable, retry", Code.Unavailable, undefined, undefined, e);
  return e;
}

/**
 * The store is briefly away or busy: worth a retry. mysql2's codes seen when
 * MariaDB stops or restarts: ECONNREFUSED (down), PROTOCOL_CONNECTION_LOST and
 * ECONNRESET (connection cut mid-query, e.g. SIGKILL), ER_SERVER_SHUTDOWN
 * (1053) and MariaDB's ER_CONNECTION_KILLED (errno 1927, unnamed in mysql2)
 * while it shuts down; a full server (ER_CON_COUNT_ERROR); and SQLite's busy
 * variants (SQLITE_BUSY_SNAPSHOT...).
 */
const STORE_UNAVAILABLE = new Set([
  "ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "PROTOCOL_CONNECTION_LOST", "PROTOCOL_SEQUENCE_TIMEOUT", "PROTOCOL_ENQUEUE_AFTER_FATAL_ERROR",
  "ER_SERVER_SHUTDOWN", "ER_CON_COUNT_ERROR", "ER_LOCK_DEADLOCK", "ER_LOCK_WAIT_TIMEOUT",
]);

function isStoreUnavailable(e: unknown): boolean {
  const err = e as { code?: string; errno?: number; fatal?: boolean; message?: string } | null;
  const code = err?.code ?? "";
  if (STORE_UNAVAILABLE.has(code) || err?.errno === 1927 || code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED")) return true;
  // mysql2 reusing a connection the server closed: fatal, without a code.
  return err?.fatal === true && /closed state/.test(err.message ?? "");
}

/**
 * Maps what a handler throws, also while a response stream is running, to
 * its ConnectError. Innermost of the server's interceptors, so request logs
 * and metrics see the codes callers get.
 */
export function domainErrors(): Interceptor {
  return (next) => async (req) => {
    let res;
    try {
      res = await next(req);
    } catch (e) {
      throw toConnectError(e);
    }
    return res.stream ? { ...res, message: mapStreamErrors(res.message) } : res;
  };
}

async function* mapStreamErrors<T>(messages: AsyncIterable<T>): AsyncGenerator<T> {
  try {
    yield* messages;
  } catch (e) {
    throw toConnectError(e);
  }
}

export function requireField(value: string, path: string): string {
  if (!value) throw new InvalidArgumentError(`${path}: required`);
  return value;
}
