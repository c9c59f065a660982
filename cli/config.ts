// Where the CLI finds the server: the --url flag, else JOBSERV_URL, else the
// config file ($XDG_CONFIG_HOME or ~/.config)/jobserv/config.json ({"url": ...,
// "token": ...}), else http://127.0.0.1:8080. The API token likewise: --token,
// JOBSERV_TOKEN, the config file. `jobserv login` writes the file. The only
// CLI file reading the environment (`jobserv dev` gets its settings here too).
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ConfigError, httpUrlProblem } from "../common/env-values.js";

export const DEFAULT_URL = "http://127.0.0.1:8080";

export function configFilePath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env["XDG_CONFIG_HOME"] || path.join(env["HOME"] || os.homedir(), ".config");
  return path.join(base, "jobserv", "config.json");
}

/** The config file's object, or {} if there is no file; a malformed file is an error naming it. */
function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw e;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`${file}: not JSON (${(e as Error).message})`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new ConfigError(`${file}: expected a JSON object`);
  return parsed as Record<string, unknown>;
}

/** A string field of the config file, or undefined. */
function fromFile(file: string, key: "url" | "token"): string | undefined {
  const value = readConfigFile(file)[key];
  if (value !== undefined && typeof value !== "string") throw new ConfigError(`${file}: "${key}" must be a string`);
  return value;
}

/** The server URL: checked, so "localhost:8080" is an error naming where it came from. */
export function resolveUrl(flag?: string, env: NodeJS.ProcessEnv = process.env): string {
  const [url, source] = flag ? [flag, "--url"] : env["JOBSERV_URL"] ? [env["JOBSERV_URL"], "JOBSERV_URL"]
    : [fromFile(configFilePath(env), "url"), `"url" in ${configFilePath(env)}`];
  if (!url) return DEFAULT_URL;
  const problem = httpUrlProblem(url);
  if (problem) throw new ConfigError(`${source} ${JSON.stringify(url)}: ${problem}`);
  return url.replace(/\/+$/, "");
}

/** The API token to present, if any. */
export function resolveToken(flag?: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  return flag || env["JOBSERV_TOKEN"] || fromFile(configFilePath(env), "token") || undefined;
}

/** Merges `values` into the config file (created with mode 0600: it holds a token); returns its path. */
export function writeConfigFile(values: { url: string; token: string }, env: NodeJS.ProcessEnv = process.env): string {
  const file = configFilePath(env);
  const current = readConfigFile(file);
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, `${JSON.stringify({ ...current, ...values }, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return file;
}

/** `jobserv dev`'s defaults from the environment: JOBSERV_PORT and JOBSERV_DATABASE. */
export function devDefaults(env: NodeJS.ProcessEnv = process.env): { port: string; db: string } {
  return { port: env["JOBSERV_PORT"] ?? "8080", db: env["JOBSERV_DATABASE"] ?? "sqlite:./jobserv.db" };
}
