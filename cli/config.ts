// Where the CLI finds the server: the --url flag, else JOBSERV_URL, else the
// config file ($XDG_CONFIG_HOME or ~/.config)/jobserv/config.json ({"url": ...,
// "token": ...}), else http://127.0.0.1:8080. The API token likewise: --token,
// JOBSERV_TOKEN, the config file. The only CLI file reading the environment.
import { readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

export const DEFAULT_URL = "http://127.0.0.1:8080";

/** The configuration is unusable (e.g. a malformed config file). */
export class ConfigError extends Error {}

export function configFilePath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env["XDG_CONFIG_HOME"] || path.join(env["HOME"] || os.homedir(), ".config");
  return path.join(base, "jobserv", "config.json");
}

/** A string field of the config file, or undefined if there is no file; a malformed file is an error. */
function fromFile(file: string, key: "url" | "token"): string | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`${file}: not JSON (${(e as Error).message})`);
  }
  const value = (parsed as Record<string, unknown> | null)?.[key];
  if (value !== undefined && typeof value !== "string") throw new ConfigError(`${file}: "${key}" must be a string`);
  return value;
}

export function resolveUrl(flag?: string, env: NodeJS.ProcessEnv = process.env): string {
  return flag || env["JOBSERV_URL"] || fromFile(configFilePath(env), "url") || DEFAULT_URL;
}

/** The API token to present, if any. */
export function resolveToken(flag?: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  return flag || env["JOBSERV_TOKEN"] || fromFile(configFilePath(env), "token") || undefined;
}
