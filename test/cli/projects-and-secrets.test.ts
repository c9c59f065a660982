// Project and secret commands as a person meets them, on a real server:
// `project apply -f -` from a pipe, --public/--private (read without a token
// or not), `project delete` asking on a terminal (typing the name) and
// refusing a pipe without --yes, `secrets set` from stdin, a file and the
// terminal (never echoed, nor printed), `secrets list` (names only),
// `secrets unset`, and `jobserv logs ... | head` ending quietly.
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { Code, ConnectError } from "@connectrpc/connect";
import test, { type ExecutionContext } from "ava";
import { ProjectService } from "../../gen/jobserv/v1/project_pb.js";
import { Status } from "../../gen/jobserv/v1/status_pb.js";
import { apiClient } from "../support/clients.js";
import { cleanEnv, cli, cliCommand, cliOnPty, ROOT } from "../support/cli.js";
import { startMiniWorker } from "../support/mini-worker.js";
import { startTestServer } from "../support/server.js";
import { tempDir } from "../support/temp-dir.js";

const YAML = "timeout: 1\ntriggers:\n  - name: ci\n    type: simple\n    runs: [{name: r, container: img, host-tag: sec, script: s}]\nscripts:\n  s: echo\n";

async function code(call: Promise<unknown>): Promise<Code | "ok"> {
  try {
    await call;
    return "ok";
  } catch (e) {
    return ConnectError.from(e).code;
  }
}

test("project apply -f - reads stdin; --public and --private; delete asks on a terminal and needs --yes on a pipe", async (t) => {
  const server = await startTestServer(t, "sqlite");
  const env = cleanEnv(t, { JOBSERV_URL: server.url });
  const anonymous = apiClient(ProjectService, server.url, "connect-h1", null);

  t.like(await cli(env, ["project", "apply", "-f", "-", "--name", "piped"], YAML), { code: 0, stdout: "project piped created\n" });
  t.is(await code(anonymous.getProject({ name: "piped" })), Code.Unauthenticated, "private by default");
  t.like(await cli(env, ["project", "apply", "-f", "-", "--name", "piped", "--public"], YAML), { code: 0, stdout: "project piped updated (public)\n" });
  t.is(await code(anonymous.getProject({ name: "piped" })), "ok", "public: readable without a token");
  t.regex((await cli(env, ["project", "show", "piped"])).stdout, /^project\s+piped \(public\)\n/);
  t.like(await cli(env, ["project", "apply", "-f", "-", "--name", "piped"], YAML), { code: 0, stdout: "project piped updated (public)\n" }, "no flag: visibility kept");
  t.like(await cli(env, ["project", "apply", "-f", "-", "--name", "piped", "--private"], YAML), { code: 0, stdout: "project piped updated\n" });
  t.is(await code(anonymous.getProject({ name: "piped" })), Code.Unauthenticated);

  const piped = await cli(env, ["project", "delete", "piped"]);
  t.is(piped.code, 2);
  t.regex(piped.stderr, /^jobserv project: project delete: not asking on a pipe; add --yes/);
  t.is(await code(apiClient(ProjectService, server.url).getProject({ name: "piped" })), "ok", "not deleted");

  const wrong = cliOnPty(env, ["project", "delete", "piped"]);
  await wrong.waitFor("Type its name to confirm: ");
  wrong.type("pipe\r");
  const refused = await wrong.done;
  t.is(refused.code, 2);
  t.regex(refused.transcript, /project piped not deleted/);
  t.is(await code(apiClient(ProjectService, server.url).getProject({ name: "piped" })), "ok");

  const right = cliOnPty(env, ["project", "delete", "piped"]);
  await right.waitFor("Type its name to confirm: ");
  right.type("piped\r");
  const deleted = await right.done;
  t.is(deleted.code, 0, deleted.transcript);
  t.regex(deleted.transcript, /project piped deleted/);
  t.is(await code(apiClient(ProjectService, server.url).getProject({ name: "piped" })), Code.NotFound);
  t.like(await cli(env, ["project", "delete", "piped", "--yes"]), { code: 3 }, "not found: exit 3");
});

test("secrets set from stdin, a file and the terminal (never shown); list shows names; unset", async (t) => {
  const server = await startTestServer(t, "sqlite");
  const env = cleanEnv(t, { JOBSERV_URL: server.url });
  const dir = tempDir(t, "jobserv-cli-sec-");
  await apiClient(ProjectService, server.url).createProject({ name: "sec", definitionYaml: YAML });
  const secrets = (...args: string[]) => ["secrets", ...args];

  const fromStdin = await cli(env, secrets("set", "sec", "ci", "webhook-key"), "stdin-s3cret\n");
  t.like(fromStdin, { code: 0, stdout: "", stderr: "secret webhook-key set on sec/ci\n" });
  // The value is exactly what was piped, without echo's newline: it works as the trigger's key.
  const triggered = await fetch(`${server.url}/projects/sec/builds/`, { method: "POST", headers: { authorization: "Bearer stdin-s3cret" } });
  t.is(triggered.status, 201, "the stored webhook-key is the piped value");

  writeFileSync(path.join(dir, "token"), "file-s3cret\n");
  t.like(await cli(env, secrets("set", "sec", "ci", "githubtok", "--file", path.join(dir, "token"))), { code: 0, stdout: "" });

  const typed = cliOnPty(env, secrets("set", "sec", "ci", "registry"));
  await typed.waitFor("value of registry (not shown): ");
  typed.type("typed-s3cret\r");
  const done = await typed.done;
  t.is(done.code, 0, done.transcript);
  t.false(done.transcript.includes("typed-s3cret"), `nothing typed is echoed: ${JSON.stringify(done.transcript)}`);

  const list = await cli(env, secrets("list", "sec", "ci"));
  t.like(list, { code: 0, stdout: "githubtok\nregistry\nwebhook-key\n", stderr: "" });
  t.deepEqual(JSON.parse((await cli(env, secrets("list", "sec", "ci", "--json"))).stdout), { secretNames: ["githubtok", "registry", "webhook-key"] });
  for (const value of ["stdin-s3cret", "file-s3cret", "typed-s3cret"]) t.false(JSON.stringify(list).includes(value));

  t.like(await cli(env, secrets("unset", "sec", "ci", "registry", "githubtok")), { code: 0, stderr: "unset registry, githubtok on sec/ci\n" });
  t.like(await cli(env, secrets("list", "sec", "ci")), { stdout: "webhook-key\n" });
  const missing = await cli(env, secrets("unset", "sec", "ci", "registry"));
  t.is(missing.code, 3);
  t.is(missing.stderr, "jobserv secrets: sec/ci has no secret registry (it has: webhook-key)\n");
  t.like(await cli(env, secrets("list", "sec", "nope")), { code: 3 }, "unknown trigger: not found");
  const empty = await cli(env, secrets("set", "sec", "ci", "x"), "\n");
  t.is(empty.code, 2);
  t.regex(empty.stderr, /the value of x is empty/);
});

test("jobserv logs ... | head ends quietly", async (t) => {
  const server = await startTestServer(t, "sqlite");
  const env = cleanEnv(t, { JOBSERV_URL: server.url });
  await apiClient(ProjectService, server.url).createProject({ name: "long", definitionYaml: YAML });
  // 400 KiB of log: far more than a pipe holds, so the CLI is still writing when head leaves.
  const line = `${"x".repeat(99)}\n`;
  let appended!: () => void;
  const ready = new Promise<void>((resolve) => { appended = resolve; });
  const worker = await startMiniWorker(t, server.url, "sec-worker", ["sec"], 1, (a, client) => {
    const ref = { runId: a.definition!.runId, runToken: a.runToken };
    void (async () => {
      await client.updateRun({ ...ref, status: Status.RUNNING });
      for (let i = 0; i < 100; i++) await client.appendLog({ ...ref, offset: BigInt(i * 4096), data: Buffer.from(line.repeat(4096 / 100 + 1).slice(0, 4096)) });
      await client.updateRun({ ...ref, status: Status.PASSED });
      appended();
    })().catch((e: unknown) => t.log(String(e)));
  });
  await worker.connected;
  t.is((await cli(env, ["trigger", "long"])).code, 0);
  await ready;
  const pipeline = spawn("bash", ["-c", `set -o pipefail; ${cliCommand(["logs", "long", "1", "r"])} | head -n 2`], { cwd: ROOT, env });
  let stdout = "";
  let stderr = "";
  pipeline.stdout.on("data", (d: Buffer) => { stdout += d.toString(); });
  pipeline.stderr.on("data", (d: Buffer) => { stderr += d.toString(); });
  const status = await new Promise<number | null>((resolve) => pipeline.on("close", resolve));
  t.is(stderr, "", "no EPIPE trace");
  t.is(status, 0, "the CLI exits 0 when its reader is gone");
  t.is(stdout.split("\n").length, 3);
});
