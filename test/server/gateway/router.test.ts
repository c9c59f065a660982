// The REST gateway's one table from domain errors to HTTP statuses: each
// domain error has its status (FAILED_PRECONDITION is 409 Conflict, as
// AlreadyExists), and anything else is a 500 whose cause stays server-side.
import test from "ava";
import {
  AlreadyExistsError, FailedPreconditionError, InvalidArgumentError, NotFoundError, PermissionDeniedError, UnauthenticatedError, UnavailableError,
} from "../../../server/errors.js";
import { HttpError, statusOf } from "../../../server/gateway/router.js";

const table: [Error, number][] = [
  [new InvalidArgumentError("x"), 400],
  [new UnauthenticatedError("x"), 401],
  [new PermissionDeniedError("x"), 403],
  [new NotFoundError("x"), 404],
  [new AlreadyExistsError("x"), 409],
  [new FailedPreconditionError("x"), 409],
  [new UnavailableError("x"), 503],
  [new HttpError(413, "x"), 413],
  [new Error("SELECT * FROM secrets"), 500],
];

for (const [error, status] of table) {
  test(`${error.name} -> ${status}`, (t) => {
    t.is(statusOf(error), status);
  });
}
