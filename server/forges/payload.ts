// Reading required fields out of a forge's JSON payload (pure). A missing or
// mistyped field is an InvalidArgumentError naming the field's dotted path.
import { InvalidArgumentError } from "../errors.js";

export type Json = Record<string, unknown>;

export function parseJsonObject(body: Buffer): Json {
  let value: unknown;
  try {
    value = JSON.parse(body.toString("utf8"));
  } catch (e) {
    throw new InvalidArgumentError(`body: malformed JSON (${(e as Error).message})`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new InvalidArgumentError("body: expected a JSON object");
  return value as Json;
}

function lookup(obj: Json, path: string): unknown {
  let cur: unknown = obj;
  for (const key of path.split(".")) {
    if (typeof cur !== "object" || cur === null) return undefined;
    cur = (cur as Json)[key];
  }
  return cur;
}

/** The string (or number, stringified) at `path`; throws naming `path` when absent. */
export function str(obj: Json, path: string): string {
  const v = lookup(obj, path);
  if (typeof v === "string" && v !== "") return v;
  if (typeof v === "number" && Number.isFinite(v)) return String(v);
  throw new InvalidArgumentError(`payload: missing field ${path}`);
}

/** Like `str`, but undefined when the field is absent or null. */
export function optStr(obj: Json, path: string): string | undefined {
  const v = lookup(obj, path);
  if (v === undefined || v === null) return undefined;
  return str(obj, path);
}

export function obj(o: Json, path: string): Json {
  const v = lookup(o, path);
  if (typeof v === "object" && v !== null && !Array.isArray(v)) return v as Json;
  throw new InvalidArgumentError(`payload: missing field ${path}`);
}

export function has(o: Json, path: string): boolean {
  const v = lookup(o, path);
  return v !== undefined && v !== null;
}

/** `str` over a nested object, naming fields as `where.path` in errors. */
export function fieldsOf(o: Json, where: string): (path: string) => string {
  return (path) => {
    try {
      return str(o, path);
    } catch {
      throw new InvalidArgumentError(`payload: missing field ${where}.${path}`);
    }
  };
}
