// Typed settings read from environment variables, for the config modules of
// the server, the worker and the CLI: every value is checked when it is read,
// and a bad one fails at start with the variable's name and value
// (ConfigError), never as NaN or a 0 ms lease discovered later.

/** A setting is unusable; the message names the variable (or file) and the value. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

export interface IntegerRange {
  min?: number;
  max?: number;
}

/** `user:pass@` of a URL replaced, so a value can be shown in a message. */
export function withoutCredentials(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, "$1***@");
}

/** Reads JOBSERV_* style variables from one environment; unset means the default. */
export class EnvReader {
  constructor(private readonly env: NodeJS.ProcessEnv) {}

  /** The raw value, or undefined when unset. */
  raw(name: string): string | undefined {
    return this.env[name];
  }

  string(name: string, fallback: string): string {
    return this.env[name] ?? fallback;
  }

  /** A decimal integer within `range` (inclusive). Empty is an error, not 0. */
  integer(name: string, fallback: number, range: IntegerRange = {}, what = "an integer"): number {
    const text = this.env[name];
    if (text === undefined) return fallback;
    const value = /^\s*-?\d+\s*$/.test(text) ? Number(text) : NaN;
    const { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = range;
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      const bounds = range.max !== undefined ? ` from ${min} to ${max}` : range.min !== undefined ? ` of at least ${min}` : "";
      throw this.bad(name, text, `expected ${what}${bounds}`);
    }
    return value;
  }

  /** A duration in whole milliseconds, at least `min` (1 by default: a 0 ms lease or poll is never meant). */
  durationMs(name: string, fallback: number, min = 1): number {
    return this.integer(name, fallback, { min }, "a number of milliseconds");
  }

  /** A TCP port; 0 picks a free one. */
  port(name: string, fallback: number): number {
    return this.integer(name, fallback, { min: 0, max: 65535 }, "a port number");
  }

  /** A byte count of at least 1. */
  bytes(name: string, fallback: number): number {
    return this.integer(name, fallback, { min: 1 }, "a number of bytes");
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const text = this.env[name];
    if (text === undefined) return fallback;
    if (!(allowed as readonly string[]).includes(text)) throw this.bad(name, text, `expected one of ${allowed.join(", ")}`);
    return text as T;
  }

  /** 1/true/yes/on or 0/false/no/off (any case); `fallback` when unset or empty. */
  flag(name: string, fallback: boolean): boolean {
    const text = this.env[name];
    if (!text) return fallback;
    if (["1", "true", "yes", "on"].includes(text.toLowerCase())) return true;
    if (["0", "false", "no", "off"].includes(text.toLowerCase())) return false;
    throw this.bad(name, text, "expected 1/true/yes/on or 0/false/no/off");
  }

  /** An http(s) URL; `optional` allows empty (meaning "not set"). */
  httpUrl(name: string, fallback: string, optional = false): string {
    const text = this.env[name];
    if (text === undefined || (optional && text === "")) return text ?? fallback;
    const problem = httpUrlProblem(text);
    if (problem) throw this.bad(name, withoutCredentials(text), problem);
    return text.replace(/\/+$/, "");
  }

  private bad(name: string, value: string, expected: string): ConfigError {
    return new ConfigError(`${name}=${JSON.stringify(value)}: ${expected}`);
  }
}

/** Why `text` is not an absolute http(s) URL, or undefined if it is one. */
export function httpUrlProblem(text: string): string | undefined {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) return "expected a URL with its scheme, e.g. http://host:8080";
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return "not a valid URL";
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return `unknown protocol ${url.protocol.slice(0, -1)}: expected http or https`;
  return undefined;
}
