// Running the jobserv CLI as a person or a script does: `node cli/jobserv.js
// ...` as a child process with its own HOME (no user config leaks in), with
// stdin from a string, or under a pseudo-terminal (`script`) where a test
// waits for a prompt before it types, as a person would.
import { execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { ExecutionContext } from "ava";
import { TEST_ADMIN_TOKEN } from "./auth.js";
import { eventually } from "./clients.js";

export const ROOT = path.resolve(import.meta.dirname, "../..");
export const CLI = path.join(ROOT, "cli/jobserv.js");

export interface CliResult { code: number; stdout: string; stderr: string }

/** A home directory of its own, without JOBSERV_* from the outside; the admin token unless `extra` says otherwise. */
export function cleanEnv(t: ExecutionContext, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const home = mkdtempSync(path.join(os.tmpdir(), "jobserv-cli-home-"));
  t.teardown(() => rmSync(home, { recursive: true, force: true }));
  return { PATH: process.env["PATH"], HOME: home, JOBSERV_TOKEN: TEST_ADMIN_TOKEN, ...extra };
}

/** The CLI with `args`; `input` is written to its stdin (else stdin is empty). */
export function cli(env: NodeJS.ProcessEnv, args: string[], input = ""): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [CLI, ...args], { cwd: ROOT, env }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === "number" ? err.code : -1) : 0, stdout, stderr });
    });
    child.stdin!.end(input);
  });
}

const quote = (a: string) => `'${a.replace(/'/g, "'\\''")}'`;

/** A shell command line running the CLI with `args`. */
export function cliCommand(args: string[]): string {
  return [process.execPath, CLI, ...args].map(quote).join(" ");
}

export interface PtySession {
  /** Resolves once the terminal shows `text` (everything written so far, stdout and stderr together). */
  waitFor(text: string | RegExp, ms?: number): Promise<void>;
  /** Keys typed at the terminal. */
  type(keys: string): void;
  /** The exit code and the whole transcript. */
  done: Promise<{ code: number; transcript: string }>;
}

/** The CLI under a pseudo-terminal: stdin, stdout and stderr are a terminal (`script -q`). */
export function cliOnPty(env: NodeJS.ProcessEnv, args: string[]): PtySession {
  const child = spawn("script", ["-qefc", cliCommand(args), "/dev/null"], { cwd: ROOT, env: { ...env, COLUMNS: "100", LINES: "30" } });
  let transcript = "";
  child.stdout.on("data", (d: Buffer) => { transcript += d.toString(); });
  child.stderr.on("data", (d: Buffer) => { transcript += d.toString(); });
  const done = new Promise<{ code: number; transcript: string }>((resolve) => {
    child.on("close", (code) => { resolve({ code: code ?? -1, transcript }); });
  });
  return {
    async waitFor(text, ms = 20_000) {
      await eventually(async () => ((typeof text === "string" ? transcript.includes(text) : text.test(transcript)) ? true : undefined),
        ms, () => `${String(text)} on the terminal; it shows: ${JSON.stringify(transcript)}`);
    },
    type(keys) { child.stdin.write(keys); },
    done,
  };
}
