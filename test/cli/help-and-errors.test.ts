// The CLI's habits, as a person meets them: --help/-h on every command prints
// its usage on stdout and exits 0 (server and worker start nothing),
// --version, every command that talks to a server takes --url and --token,
// and the common mistakes (a missing file, a URL without a scheme, a bad
// --scope, a port in use, a malformed setting) end in one line on stderr with
// exit 2, never a stack trace.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import test, { type ExecutionContext } from "ava";
import { COMMANDS } from "../../cli/commands.js";
import { cleanEnv, cli, ROOT, type CliResult } from "../support/cli.js";
import { startTestServer } from "../support/server.js";
import { tempDir } from "../support/temp-dir.js";

/** Runs `jobs` a few at a time (each is a Node process starting up). */
async function inBatches<T>(jobs: (() => Promise<T>)[], size = 4): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < jobs.length; i += size) out.push(...await Promise.all(jobs.slice(i, i + size).map((j) => j())));
  return out;
}

const oneLine = (t: ExecutionContext, r: CliResult, pattern: RegExp, what: string) => {
  t.is(r.code, 2, `${what}: ${r.stderr}`);
  t.is(r.stdout, "", what);
  t.is(r.stderr.trimEnd().split("\n").length, 1, `${what}: one line, no stack: ${r.stderr}`);
  t.regex(r.stderr.trimEnd(), pattern, what);
};

test("--help and -h print each command's usage on stdout and exit 0; server and worker start nothing", async (t) => {
  const dir = tempDir(t, "jobserv-cli-habits-");
  const env = cleanEnv(t, {
    JOBSERV_DATABASE: `sqlite:${path.join(dir, "never.db")}`, JOBSERV_PORT: "0", JOBSERV_WORKER_DIR: path.join(dir, "never-worker"),
  });
  const results = await inBatches(COMMANDS.flatMap((c) => [
    async () => ({ c, flag: "--help", r: await cli(env, [c.name, "--help"]) }),
    async () => ({ c, flag: "-h", r: await cli(env, [c.name, ...(c.subcommands ? [c.subcommands[0]!] : []), "-h"]) }),
  ]));
  for (const { c, flag, r } of results) {
    t.is(r.code, 0, `${c.name} ${flag}: ${r.stderr}`);
    t.is(r.stdout, `${c.usage}\n`, `${c.name} ${flag}`);
    t.true(r.stdout.startsWith(`usage: jobserv ${c.name}`), c.name);
    t.is(r.stderr, "", `${c.name} ${flag}`);
  }
  t.false(existsSync(path.join(dir, "never.db")), "server --help opened no store");
  t.false(existsSync(path.join(dir, "never-worker")), "worker --help made no folder");

  const version = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { version: string };
  t.like(await cli(env, ["--version"]), { code: 0, stdout: `jobserv ${version.version}\n`, stderr: "" });
  const overview = await cli(env, ["--help"]);
  t.is(overview.code, 0);
  for (const c of COMMANDS) t.regex(overview.stdout, new RegExp(`^  ${c.name} +${c.summary.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`, "m"));
  t.like(await cli(env, ["help", "secrets"]), { code: 0, stdout: `${COMMANDS.find((c) => c.name === "secrets")!.usage}\n` });
  const unknown = await cli(env, ["frobnicate"]);
  t.is(unknown.code, 2);
  t.regex(unknown.stderr, /^jobserv: no command "frobnicate"\nusage: jobserv <command>/);
});

test("every command that talks to a server takes --url and --token", async (t) => {
  const server = await startTestServer(t, "sqlite");
  const dir = tempDir(t, "jobserv-cli-habits-");
  writeFileSync(path.join(dir, "p.yml"), "timeout: 1\ntriggers:\n  - name: t\n    type: simple\n    runs: [{name: r, container: img, script: s}]\nscripts:\n  s: echo\n");
  // No JOBSERV_URL or JOBSERV_TOKEN: only the flags can lead the command to the server and present the token.
  const env = cleanEnv(t, { JOBSERV_TOKEN: "" });
  const calls: string[][] = [
    ["project", "list"], ["project", "show", "p"], ["project", "apply", "-f", path.join(dir, "p.yml")], ["project", "delete", "p", "--yes"],
    ["secrets", "list", "p", "t"], ["secrets", "set", "p", "t", "NAME", "--file", path.join(dir, "p.yml")], ["secrets", "unset", "p", "t", "NAME"],
    ["trigger", "p"], ["builds", "p"], ["build", "p", "1"], ["cancel", "p", "1"], ["rerun", "p", "1", "r"],
    ["promote", "p", "1", "--name", "v1"], ["logs", "p", "1", "r"], ["tokens", "list"], ["tokens", "create", "x", "--scope", "read"],
    ["tokens", "revoke", "1"], ["workers", "list"], ["workers", "enlist", "w"], ["admin", "prune", "--dry-run"], ["login"],
  ];
  const apiCommands = COMMANDS.filter((c) => c.flags.includes("--url")).map((c) => c.name);
  t.deepEqual([...new Set(calls.map((c) => c[0]))].sort(), [...apiCommands].sort(), "every such command is tried");
  const results = await inBatches(calls.map((args) => async () => ({ args, r: await cli(env, [...args, "--url", server.url, "--token", "jst_not-a-real-token-000000"]) })));
  for (const { args, r } of results) {
    t.is(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    t.regex(r.stderr, new RegExp(`^jobserv ${args[0]}: unknown or revoked API token \\(server ${server.url.replace(/\./g, "\\.")};`), args.join(" "));
  }
});

test("common mistakes end in one line on stderr with exit 2", async (t) => {
  const dir = tempDir(t, "jobserv-cli-habits-");
  const env = cleanEnv(t);
  oneLine(t, await cli(env, ["project", "apply", "-f", path.join(dir, "missing.yml")]), /^jobserv project: .*missing\.yml: no such file or directory$/, "missing file");
  oneLine(t, await cli(env, ["project", "list", "--url", "localhost:8080"]), /^jobserv project: --url "localhost:8080": expected a URL with its scheme, e\.g\. http:\/\/host:8080$/, "URL without scheme");
  oneLine(t, await cli({ ...env, JOBSERV_URL: "ci.example.com" }, ["builds", "p"]), /^jobserv builds: JOBSERV_URL "ci\.example\.com": expected a URL with its scheme/, "JOBSERV_URL without scheme");
  oneLine(t, await cli(env, ["tokens", "create", "ci", "--scope", "super"]), /^jobserv tokens: --scope "super": expected read, trigger or admin$/, "bad --scope");
  oneLine(t, await cli(env, ["trigger", "p", "-p", "novalue"]), /^jobserv trigger: -p "novalue": expected NAME=VALUE$/, "bad -p");
  oneLine(t, await cli(env, ["builds", "p", "--limit", "lots"]), /^jobserv builds: --limit "lots": expected a positive number$/, "bad --limit");
  oneLine(t, await cli(env, ["project", "apply", "-f", "-"]), /^jobserv project: project apply: --name NAME is required with -f -/, "-f - without --name");
  oneLine(t, await cli({ ...env, JOBSERV_PORT: "80a" }, ["server"]), /^jobserv server: JOBSERV_PORT="80a": expected a port number from 0 to 65535$/, "bad JOBSERV_PORT");
  oneLine(t, await cli({ ...env, JOBSERV_WORKER_LEASE_MS: "" }, ["server"]), /^jobserv server: JOBSERV_WORKER_LEASE_MS="": expected a number of milliseconds/, "empty duration");
  oneLine(t, await cli({ ...env, JOBSERV_WORKER_PROTOCOL: "http3", JOBSERV_WORKER_DIR: dir }, ["worker"]), /^jobserv worker: JOBSERV_WORKER_PROTOCOL="http3": expected one of connect, grpc, grpc-web$/, "bad protocol");

  // A port in use, for the server (JOBSERV_PORT) and for dev (--port).
  const taken = net.createServer();
  await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
  t.teardown(() => new Promise<void>((resolve) => taken.close(() => resolve())));
  const port = (taken.address() as net.AddressInfo).port;
  oneLine(t, await cli({ ...env, JOBSERV_LOG_LEVEL: "warn", JOBSERV_PORT: String(port), JOBSERV_DATABASE: `sqlite:${path.join(dir, "s.db")}`, JOBSERV_SECRETS_KEY_FILE: path.join(dir, "key"), JOBSERV_ARTIFACTS_DIR: dir }, ["server"]),
    new RegExp(`^jobserv server: 127\\.0\\.0\\.1:${port} is already in use: pick another with JOBSERV_PORT$`), "server port in use");
  const dev = await cli({ ...env, JOBSERV_LOG_LEVEL: "warn", JOBSERV_SECRETS_KEY_FILE: path.join(dir, "key"), JOBSERV_ARTIFACTS_DIR: dir }, ["dev", "--port", String(port), "--db", `sqlite:${path.join(dir, "d.db")}`]);
  oneLine(t, dev, new RegExp(`^jobserv dev: 127\\.0\\.0\\.1:${port} is already in use: pick another with --port N$`), "dev port in use");
});
