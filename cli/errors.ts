// What a failed command tells the person who ran it: one line on stderr
// naming the problem (a missing file, a port in use and the flag that
// changes it, a URL without a scheme, a bad flag value, an API error with the
// server it came from) and the exit code: 2 usage or API error, 3 not found.
// Only errors nobody anticipated (bugs) keep their stack.
import { Code, ConnectError } from "@connectrpc/connect";
import { ConfigError } from "../common/env-values.js";

/** The command line is wrong; the message names the argument. */
export class UsageError extends Error {
  override name = "UsageError";
}

export interface Explained {
  message: string;
  exitCode: number;
  /** Print the stack too (an error nobody anticipated). */
  unexpected?: boolean;
}

const FILE_ERRORS: Record<string, string> = {
  ENOENT: "no such file or directory", EACCES: "permission denied", EISDIR: "is a directory", ENOTDIR: "not a directory",
};

export interface ErrorContext {
  command: string;
  /** The server the command talked to, when it did. */
  serverUrl?: () => string;
}

export function explain(e: unknown, ctx: ErrorContext): Explained {
  if (e instanceof ConnectError) {
    if (e.code === Code.NotFound) return { message: e.rawMessage, exitCode: 3 };
    const server = ctx.serverUrl?.() ?? "?";
    if (e.code === Code.Unavailable || e.code === Code.Unknown) return { message: `${e.message} (server ${server})`, exitCode: 2 };
    if (e.code === Code.Unauthenticated) return { message: `${e.rawMessage} (server ${server}; give a token with --token, JOBSERV_TOKEN or jobserv login)`, exitCode: 2 };
    return { message: e.message, exitCode: 2 };
  }
  if (e instanceof ConfigError || e instanceof UsageError) return { message: e.message, exitCode: 2 };
  // The server's StartupError (a store that cannot be reached or migrated, unreadable TLS files): its message says it all.
  if (e instanceof Error && e.name === "StartupError") return { message: e.message, exitCode: 2 };
  const err = e as NodeJS.ErrnoException & { port?: number; address?: string };
  if (typeof err?.code === "string") {
    if (err.code.startsWith("ERR_PARSE_ARGS")) return { message: `${err.message} (see jobserv ${ctx.command} --help)`, exitCode: 2 };
    if (err.code === "EADDRINUSE") {
      const how = ctx.command === "dev" ? "pick another with --port N" : "pick another with JOBSERV_PORT";
      return { message: `${err.address ?? ""}:${err.port ?? "?"} is already in use: ${how}`, exitCode: 2 };
    }
    if (err.code === "EADDRNOTAVAIL") return { message: `cannot listen on ${err.address ?? "?"}: not an address of this host (JOBSERV_HOST)`, exitCode: 2 };
    if (/docker\.sock/.test(String(err.address ?? err.path ?? ""))) return { message: `Docker is not reachable at ${err.address ?? err.path}: is dockerd running?`, exitCode: 2 };
    if (FILE_ERRORS[err.code] && err.path) return { message: `${err.path}: ${FILE_ERRORS[err.code]}`, exitCode: 2 };
  }
  return { message: e instanceof Error ? e.message : String(e), exitCode: 2, unexpected: true };
}
