// Argument parsing shared by the commands that talk to a server: each takes
// --url and --token on top of its own options (those that print data add
// JSON_OPTION), and gets its API clients from them (client.ts).
import { parseArgs, type ParseArgsOptionsConfig } from "node:util";
import type { DescService } from "@bufbuild/protobuf";
import type { Client } from "@connectrpc/connect";
import { client } from "./client.js";
import { UsageError } from "./errors.js";

export const CONNECTION_OPTIONS = {
  url: { type: "string" },
  token: { type: "string" },
} as const satisfies ParseArgsOptionsConfig;

/** `--json`: proto JSON on stdout instead of tables. */
export const JSON_OPTION = { json: { type: "boolean", default: false } } as const satisfies ParseArgsOptionsConfig;

/** Parses `argv` with the connection options added to `options`; positionals allowed. */
export function parseApiArgs<O extends ParseArgsOptionsConfig>(argv: string[], options: O) {
  const parsed = parseArgs({ args: argv, allowPositionals: true, options: { ...CONNECTION_OPTIONS, ...options } });
  const { url, token } = parsed.values as { url?: string; token?: string };
  return { ...parsed, api: <S extends DescService>(service: S): Client<S> => client(service, url, token) };
}

/** `K=V` pairs (repeatable flags) as a record; a pair without `=` is a usage error naming the flag. */
export function keyValues(list: readonly string[], flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of list) {
    const eq = kv.indexOf("=");
    if (eq < 1) throw new UsageError(`${flag} ${JSON.stringify(kv)}: expected NAME=VALUE`);
    out[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  return out;
}
