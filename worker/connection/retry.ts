// Which failed calls are worth retrying: the one list the worker uses.
import { Code, ConnectError } from "@connectrpc/connect";

const RETRYABLE = new Set([Code.Unavailable, Code.DeadlineExceeded, Code.Aborted, Code.Internal, Code.Unknown, Code.ResourceExhausted, Code.Canceled]);

export function isRetryable(e: unknown): boolean {
  return !(e instanceof ConnectError) || RETRYABLE.has(e.code);
}
