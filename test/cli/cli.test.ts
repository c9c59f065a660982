// The jobserv CLI as a person or script uses it: `node cli/jobserv.js ...`
// spawned as a child process against a real server, asserting on stdout,
// stderr and exit codes (0 ok, 1 build FAILED, 2 usage/API error, 3 not
// found). Runs are completed by the minimal worker-protocol client, so no
// containers are needed; --follow is checked both as plain lines and, under a
// pseudo-terminal (`script`), redrawn in place.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import test, { type ExecutionContext } from "ava";
import { cleanEnv, cli as runCli, cliOnPty } from "../support/cli.js";
import { Status } from "../../gen/jobserv/v1/status_pb.js";
import { startMiniWorker } from "../support/mini-worker.js";
import { TEST_IMAGE } from "../support/projects.js";
import { startTestServer } from "../support/server.js";

const YAML = `
timeout: 1
triggers:
  - name: ci
    type: simple
    runs:
      - name: only
        container: ${TEST_IMAGE}
        host-tag: cli-*
        script: s
scripts:
  s: echo hi
`;

const cli = (env: NodeJS.ProcessEnv, ...args: string[]) => runCli(env, args);

/** The CLI under a pseudo-terminal, so stdout.isTTY is true. */
async function cliOnTty(env: NodeJS.ProcessEnv, ...args: string[]) {
  const { code, transcript } = await cliOnPty(env, args).done;
  return { code, stdout: transcript };
}

/** A worker completing every run: PASSED, or FAILED when the build parameter RESULT=fail. */
async function passingWorker(t: ExecutionContext, url: string): Promise<void> {
  const w = await startMiniWorker(t, url, "cli-worker", ["cli-a"], 2, (a, client) => {
    const ref = { runId: a.definition!.runId, runToken: a.runToken };
    const fail = a.definition!.env["RESULT"] === "fail";
    void (async () => {
      await client.updateRun({ ...ref, status: Status.RUNNING });
      await client.appendLog({ ...ref, offset: 0n, data: Buffer.from("hi\n") });
      await client.updateRun({ ...ref, status: fail ? Status.FAILED : Status.PASSED, message: fail ? "exit code 1" : "exit code 0" });
    })().catch((e: unknown) => t.log(`mini worker: ${String(e)}`));
  });
  await w.connected;
}

test("project apply, list, show, delete; not found is exit 3 with a clear message", async (t) => {
  const server = await startTestServer(t, "sqlite");
  const env = cleanEnv(t, { JOBSERV_URL: server.url });
  const dir = mkdtempSync(path.join(os.tmpdir(), "jobserv-cli-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, "demo.yml"), YAML);

  t.like(await cli(env, "project", "apply", "-f", path.join(dir, "demo.yml")), { code: 0, stdout: "project demo created\n" });
  t.like(await cli(env, "project", "apply", "-f", path.join(dir, "demo.yml")), { code: 0, stdout: "project demo updated\n" });
  t.like(await cli(env, "project", "apply", "-f", path.join(dir, "demo.yml"), "--name", "other"), { code: 0, stdout: "project other created\n" });

  const list = await cli(env, "project", "list");
  t.is(list.code, 0);
  const lines = list.stdout.trimEnd().split("\n");
  t.regex(lines[0]!, /^NAME\s+TRIGGERS\s+UPDATED$/);
  t.deepEqual(lines.slice(1).map((l) => l.split(/\s+/).slice(0, 2)), [["demo", "ci"], ["other", "ci"]]);
  const listJson = JSON.parse((await cli(env, "project", "list", "--json")).stdout) as { projects: { name: string }[] };
  t.deepEqual(listJson.projects.map((p) => p.name), ["demo", "other"]);

  const show = await cli(env, "project", "show", "demo");
  t.is(show.code, 0);
  t.regex(show.stdout, /^project\s+demo\ntriggers\s+ci\n/);
  t.true(show.stdout.includes("host-tag: cli-*"), "the YAML is shown");
  const showJson = JSON.parse((await cli(env, "project", "show", "demo", "--json")).stdout) as { name: string; triggerNames: string[]; definitionYaml: string };
  t.like(showJson, { name: "demo", triggerNames: ["ci"], definitionYaml: YAML });

  t.like(await cli(env, "project", "delete", "other", "--yes"), { code: 0, stdout: "project other deleted\n" });
  const gone = await cli(env, "project", "show", "other");
  t.is(gone.code, 3);
  t.is(gone.stdout, "");
  t.regex(gone.stderr, /^jobserv project: .*project "other" not found/);
  const unknown = await cli(env, "trigger", "nope");
  t.is(unknown.code, 3);
  t.regex(unknown.stderr, /project "nope" not found/);
  t.is((await cli(env, "builds", "nope")).code, 3);
  t.is((await cli(env, "build", "demo", "9")).code, 3, "an unknown build");
});

test("trigger, builds, build --json, --follow (plain lines), cancel; exit 1 for a FAILED build", async (t) => {
  const server = await startTestServer(t, "sqlite");
  const env = cleanEnv(t, { JOBSERV_URL: server.url });
  const dir = mkdtempSync(path.join(os.tmpdir(), "jobserv-cli-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, "p.yml"), YAML);
  t.is((await cli(env, "project", "apply", "-f", path.join(dir, "p.yml"))).code, 0);

  // No worker yet: the build stays queued, then is cancelled.
  t.like(await cli(env, "trigger", "p", "-p", "WHO=me"), { code: 0, stdout: "build p#1: only\n" });
  const queued = JSON.parse((await cli(env, "build", "p", "1", "--json")).stdout) as { project: string; number: number; status: string; params: Record<string, string>; runs: { name: string; status: string }[] };
  t.like(queued, { project: "p", number: 1, status: "STATUS_QUEUED", params: { WHO: "me" } });
  t.deepEqual(queued.runs.map((r) => [r.name, r.status]), [["only", "STATUS_QUEUED"]]);
  const cancelled = await cli(env, "cancel", "p", "1");
  t.is(cancelled.code, 0);
  t.is(cancelled.stdout, "build p#1: FAILED\n  only: FAILED (cancelled)\n");
  const shown = await cli(env, "build", "p", "1");
  t.is(shown.code, 1, "a FAILED build exits 1");
  t.regex(shown.stdout, /^build\s+p#1\nstatus\s+FAILED\n/);
  t.regex(shown.stdout, /\nRUN\s+STATUS\s+WORKER\s+HOST-TAG\s+DURATION\s+MESSAGE\nonly\s+FAILED\s+-\s+cli-\*\s+-\s+cancelled\n$/);

  await passingWorker(t, server.url);
  const passed = await cli(env, "trigger", "p", "--follow");
  t.is(passed.code, 0, passed.stderr);
  const out = passed.stdout.split("\n");
  t.is(out[0], "build p#2: only");
  t.true(out.includes("  only: PASSED (exit code 0)"), passed.stdout);
  t.is(out.at(-2), "build p#2: PASSED");
  t.false(passed.stdout.includes("\x1b["), "no escape sequences when not on a terminal");

  const failed = await cli(env, "trigger", "p", "-p", "RESULT=fail", "--follow", "--json");
  t.is(failed.code, 1, "a FAILED build exits 1");
  t.like(JSON.parse(failed.stdout), { number: 3, status: "STATUS_FAILED" });
  t.true(failed.stderr.includes("  only: FAILED (exit code 1)"), "progress goes to stderr with --json");

  const builds = await cli(env, "builds", "p");
  t.is(builds.code, 0);
  t.deepEqual(builds.stdout.trimEnd().split("\n").map((l) => l.split(/\s+/).slice(0, 2)),
    [["BUILD", "STATUS"], ["3", "FAILED"], ["2", "PASSED"], ["1", "FAILED"]]);
  t.deepEqual((await cli(env, "builds", "p", "--limit", "2", "--json")).stdout.match(/"number": \d+/g), ['"number": 3', '"number": 2']);
  t.like(await cli(env, "build", "p", "2"), { code: 0 });
});

test("trigger --follow on a terminal redraws run statuses in place", async (t) => {
  const server = await startTestServer(t, "sqlite");
  const env = cleanEnv(t, { JOBSERV_URL: server.url });
  const dir = mkdtempSync(path.join(os.tmpdir(), "jobserv-cli-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, "tty.yml"), YAML);
  t.is((await cli(env, "project", "apply", "-f", path.join(dir, "tty.yml"))).code, 0);
  await passingWorker(t, server.url);
  const res = await cliOnTty(env, "trigger", "tty", "--follow");
  t.is(res.code, 0, res.stdout);
  t.true(res.stdout.includes("\x1b[2Kbuild tty#1: PASSED"), JSON.stringify(res.stdout));
  t.regex(res.stdout, /\x1b\[2K {2}only\s+PASSED\s+\S+\s+cli-worker \(exit code 0\)/);
  // The block is two lines (the build, its one run): every draw after the first moves up over it.
  const draws = res.stdout.split("\x1b[2Kbuild tty#1:").length - 1;
  t.true(draws >= 1);
  t.is(res.stdout.split("\x1b[2A").length - 1, draws - 1);
});

test("server URL from --url, JOBSERV_URL or the config file; usage and connection errors exit 2", async (t) => {
  const server = await startTestServer(t, "sqlite");
  const env = cleanEnv(t);
  const configDir = path.join(env["HOME"]!, ".config", "jobserv");
  mkdirSync(configDir, { recursive: true });
  writeFileSync(path.join(configDir, "config.json"), JSON.stringify({ url: server.url }));
  t.like(await cli(env, "project", "list"), { code: 0, stdout: "NAME  TRIGGERS  UPDATED\n" }, "from the config file");
  const unreachable = "http://127.0.0.1:1";
  t.like(await cli({ ...env, JOBSERV_URL: unreachable }, "project", "list", "--url", server.url), { code: 0 }, "the flag wins over the environment");
  const down = await cli({ ...env, JOBSERV_URL: unreachable }, "project", "list");
  t.is(down.code, 2, "the environment wins over the file");
  t.true(down.stderr.includes(`(server ${unreachable})`), down.stderr);

  const usage = await cli(env);
  t.is(usage.code, 2);
  t.regex(usage.stderr, /^usage: jobserv <command>/);
  t.regex(usage.stderr, /exit codes: 0 ok/);
  t.is((await cli(env, "build", "p", "x")).code, 2, "a build number must be a number");
  t.is((await cli(env, "project", "frobnicate")).code, 2);
  const badFlag = await cli(env, "builds", "p", "--bogus");
  t.is(badFlag.code, 2);
  t.regex(badFlag.stderr, /^jobserv builds: Unknown option '--bogus'/);
  writeFileSync(path.join(configDir, "config.json"), "{not json");
  const badConfig = await cli(env, "project", "list");
  t.is(badConfig.code, 2);
  t.true(badConfig.stderr.includes("config.json: not JSON"), badConfig.stderr);
});
