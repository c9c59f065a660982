// Typed domain errors. Domain code throws these; `api/errors.ts` maps them to
// ConnectError codes and `gateway/` to HTTP statuses, each in one table.
export class NotFoundError extends Error {
  override name = "NotFoundError";
}

export class AlreadyExistsError extends Error {
  override name = "AlreadyExistsError";
}

export class InvalidArgumentError extends Error {
  override name = "InvalidArgumentError";
}

export class PermissionDeniedError extends Error {
  override name = "PermissionDeniedError";
}

export class UnauthenticatedError extends Error {
  override name = "UnauthenticatedError";
}

/** The thing is not in a state that allows the request (e.g. promoting a failed build). */
export class FailedPreconditionError extends Error {
  override name = "FailedPreconditionError";
}

/** The server cannot serve this now (e.g. it is shutting down); another try, maybe on another instance, can. */
export class UnavailableError extends Error {
  override name = "UnavailableError";
}

/** A log append at an offset beyond the committed length; the worker resends from `committed`. */
export class LogGapError extends Error {
  override name = "LogGapError";
  constructor(readonly committed: number, offset: number) {
    super(`log append at offset ${offset} leaves a gap: committed length is ${committed}`);
  }
}

/** The server cannot start (store unreachable past its wait, migrations pending, bad files): the message says why. */
export class StartupError extends Error {
  override name = "StartupError";
}
