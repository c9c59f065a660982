// The "Steps to recreate inside simulator" at the top of a console.log work
// verbatim on a machine with Node and Docker but without this repository,
// for a private project: a real worker runs the build, the stanza's lines are
// run as they are by `sh` in an empty folder with its own HOME (only an API
// token with read scope exported), and the downloaded CLI package (served by
// the server, fetched by npx) re-runs the run in Docker. Without the token
// the download is refused; once the project is public it works without one.
import { execFile, spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, symlinkSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import test, { type ExecutionContext } from "ava";
import { ProjectService } from "../../gen/jobserv/v1/project_pb.js";
import { Status } from "../../gen/jobserv/v1/status_pb.js";
import { Scope, TokenService } from "../../gen/jobserv/v1/token_pb.js";
import { applyProject, readLog, trigger, waitForBuild } from "../support/builds.js";
import { apiClient } from "../support/clients.js";
import { splitStanza, TEST_IMAGE } from "../support/projects.js";
import { startTestServer } from "../support/server.js";
import { spawnWorker } from "../support/worker-process.js";
import { tempDir } from "../support/temp-dir.js";

const YAML = `
timeout: 2
triggers:
  - name: t
    type: simple
    runs:
      - name: again
        container: ${TEST_IMAGE}
        host-tag: recreate
        script: s
scripts:
  s: |
    #!/bin/sh
    echo "recreated $H_PROJECT/$H_BUILD/$H_RUN"
`;

/**
 * An npm cache of the test's own whose package store is this machine's (a
 * symlink), so npx installs from it offline while its own _npx folder (about
 * 100 MB of installed packages) goes away with the test.
 */
async function npmCache(t: ExecutionContext): Promise<string> {
  const shared = (await promisify(execFile)("npm", ["config", "get", "cache"])).stdout.trim();
  const cache = tempDir(t, "jobserv-npm-cache-");
  mkdirSync(path.join(shared, "_cacache"), { recursive: true });
  symlinkSync(path.join(shared, "_cacache"), path.join(cache, "_cacache"));
  return cache;
}

function sh(lines: string, cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn("sh", ["-ec", lines], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => { out += d.toString(); });
    child.stderr.on("data", (d: Buffer) => { out += d.toString(); });
    child.on("close", (code) => resolve({ code, out }));
  });
}

test("the steps to recreate a run work verbatim without the repository, for a private project", async (t) => {
  const server = await startTestServer(t, "sqlite");
  const worker = spawnWorker(t, { url: server.url, name: "recreate-worker", tags: ["recreate"], protocol: "connect" });
  await applyProject(server.url, "secretive", YAML);
  const n = await trigger(server.url, "secretive", "t");
  const build = await waitForBuild(server.url, "secretive", n, worker.output);
  t.is(build.status, Status.PASSED);
  const { stanza, output } = splitStanza(await readLog(server.url, "secretive", n, "again"));
  t.true(output.startsWith(`recreated secretive/${n}/again\n`), output);
  // The lines as printed, three spaces of indentation off: what a person copies.
  const lines = stanza.split("\n").slice(1).filter((l) => l.startsWith("   ")).map((l) => l.slice(3));
  t.true(lines.some((l) => l.startsWith("npx -y ")), stanza);

  const { secret } = await apiClient(TokenService, server.url).createToken({ name: "reader", scope: Scope.READ, projects: ["secretive"] });
  const machine = tempDir(t, "jobserv-no-repo-");
  const env = {
    PATH: process.env["PATH"], HOME: machine, JOBSERV_TOKEN: secret,
    // Where npx keeps packages, and "use the cache first": settings of this machine, not changes to the steps.
    npm_config_cache: await npmCache(t), npm_config_prefer_offline: "true", npm_config_update_notifier: "false",
  };
  const done = await sh(lines.join("\n"), machine, env);
  t.is(done.code, 0, done.out);
  t.true(existsSync(path.join(machine, "rundef.json")));
  const log = readFileSync(path.join(machine, "simulator", "console.log"), "utf8");
  t.true(log.includes(`recreated secretive/${n}/again\n`), log);
  t.regex(done.out, /== PASSED: exit code 0/);

  // The download needs the token for a private project, and none once it is public.
  const curl = lines.find((l) => l.startsWith("curl "))!;
  const { JOBSERV_TOKEN: _, ...anonymous } = env;
  t.is((await sh(curl, machine, anonymous)).code, 22, "curl -f: 401 without a token");
  await apiClient(ProjectService, server.url).updateProject({ name: "secretive", public: true });
  t.is((await sh(curl, machine, anonymous)).code, 0, "a public project: no token needed");
});
