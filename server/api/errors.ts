// The one table from domain errors to ConnectError codes. Anything else is
// left to Connect, which answers "internal error" and keeps the cause here.
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { LogGapSchema } from "../../gen/jobserv/v1/worker_pb.js";
import {
  AlreadyExistsError, InvalidArgumentError, LogGapError, NotFoundError, PermissionDeniedError, UnauthenticatedError,
} from "../errors.js";
import { ProjectDefinitionError } from "../projects/definition-error.js";

export function toConnectError(e: unknown): unknown {
  if (e instanceof ConnectError) return e;
  if (e instanceof ProjectDefinitionError || e instanceof InvalidArgumentError) return new ConnectError(e.message, Code.InvalidArgument);
  if (e instanceof NotFoundError) return new ConnectError(e.message, Code.NotFound);
  if (e instanceof AlreadyExistsError) return new ConnectError(e.message, Code.AlreadyExists);
  if (e instanceof PermissionDeniedError) return new ConnectError(e.message, Code.PermissionDenied);
  if (e instanceof UnauthenticatedError) return new ConnectError(e.message, Code.Unauthenticated);
  if (e instanceof LogGapError) {
    return new ConnectError(e.message, Code.FailedPrecondition, undefined,
      [{ desc: LogGapSchema, value: create(LogGapSchema, { committedOffset: BigInt(e.committed) }) }]);
  }
  if (isStoreUnavailable(e)) return new ConnectError("store unavailable, retry", Code.Unavailable, undefined, undefined, e);
  return e;
}

function isStoreUnavailable(e: unknown): boolean {
  const code = (e as { code?: string } | null)?.code ?? "";
  return ["ECONNREFUSED", "PROTOCOL_CONNECTION_LOST", "ETIMEDOUT", "SQLITE_BUSY", "ER_LOCK_DEADLOCK", "ER_LOCK_WAIT_TIMEOUT"].includes(code);
}

/** Wraps every method of a service implementation so thrown domain errors are mapped. */
export function mapErrors<T extends object>(impl: T): T {
  const out: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(impl)) {
    if (typeof fn !== "function") continue;
    const isGenerator = fn.constructor.name === "AsyncGeneratorFunction";
    out[name] = isGenerator
      ? async function* (this: unknown, ...args: unknown[]) {
        try { yield* fn.apply(impl, args); } catch (e) { throw toConnectError(e); }
      }
      : async function (this: unknown, ...args: unknown[]) {
        try { return await fn.apply(impl, args); } catch (e) { throw toConnectError(e); }
      };
  }
  return out as T;
}

export function requireField(value: string, path: string): string {
  if (!value) throw new ConnectError(`${path}: required`, Code.InvalidArgument);
  return value;
}
