// The runner's JobServ features, each through a real server, a real worker
// process and real containers: secrets as files and masked in logs,
// persistent and shared volumes, params precedence and H_* variables,
// timeouts, cancel, a script repo and a git checkout at an exact SHA.
import { execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import test, { type ExecutionContext } from "ava";
import Docker from "dockerode";
import { RunService } from "../../gen/jobserv/v1/run_pb.js";
import { BuildService } from "../../gen/jobserv/v1/build_pb.js";
import { Status } from "../../gen/jobserv/v1/status_pb.js";
import { applyProject, readLog, trigger, waitForBuild } from "../support/builds.js";
import { apiClient, eventually } from "../support/clients.js";
import type { Dialect } from "../support/db.js";
import { splitStanza, TEST_IMAGE } from "../support/projects.js";
import { startTestServer } from "../support/server.js";
import { spawnWorker } from "../support/worker-process.js";

function tempDir(t: ExecutionContext): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "jobserv-runner-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function setup(t: ExecutionContext, dialect: Dialect = "sqlite", env: Record<string, string> = {}) {
  const server = await startTestServer(t, dialect);
  const name = `rw-${t.title.replace(/[^a-z0-9]+/gi, "-").slice(0, 40)}`;
  const worker = spawnWorker(t, { url: server.url, name, tags: ["test-rf"], protocol: "connect", env: { JOBSERV_WORKER_DIR: tempDir(t), ...env } });
  return { server, worker, name };
}

const project = (runs: string, opts: { timeout?: string; top?: string; trigger?: string } = {}) => `
timeout: ${opts.timeout ?? "2"}
${opts.top ?? ""}
triggers:
  - name: t
    type: ${opts.trigger ?? "simple"}
    runs:
${runs}
`;

const run = (name: string, script: string, extra = "") => `      - name: ${name}
        container: ${TEST_IMAGE}
        host-tag: test-rf
        script: ${script}
${extra}`;

test("secrets are files under /secrets (0400) and masked in the log, also split across writes", async (t) => {
  const { server, worker } = await setup(t);
  await applyProject(server.url, "sec", project(run("show", "show"), { top: `scripts:
  show: |
    #!/bin/sh
    cat /secrets/token; echo
    ls -l /secrets/token | cut -c1-10
    printf 'half: s3cr'; sleep 0.05; printf '3t-value end\\n'
    echo "short secret kept: $SHORT_IS"` }), { trigger: "t", values: { token: "s3cr3t-value", short: "abc" } });
  const n = await trigger(server.url, "sec", "t", { SHORT_IS: "abc" });
  const build = await waitForBuild(server.url, "sec", n, worker.output);
  t.is(build.status, Status.PASSED);
  const { output } = splitStanza(await readLog(server.url, "sec", n, "show"));
  t.is(output, "***\n-r--------\nhalf: *** end\nshort secret kept: abc\n");
});

test("params: project -> trigger -> run -> trigger-supplied, plus H_* variables", async (t) => {
  const { server, worker, name } = await setup(t);
  const yaml = `
timeout: 2
params: {A: project, B: project, C: project, D: project}
triggers:
  - name: t
    type: simple
    params: {B: trigger, C: trigger, D: trigger}
    runs:
      - name: env
        container: ${TEST_IMAGE}
        host-tag: test-rf
        script: env
        params: {C: run, D: run}
scripts:
  env: |
    #!/bin/sh
    echo "$A $B $C $D $H_PROJECT $H_BUILD $H_RUN $H_WORKER"
    echo "$H_RUN_URL"
`;
  await applyProject(server.url, "envp", yaml);
  const n = await trigger(server.url, "envp", "t", { D: "given" });
  await waitForBuild(server.url, "envp", n, worker.output);
  t.is(splitStanza(await readLog(server.url, "envp", n, "env")).output,
    `project trigger run given envp ${n} env ${name}\n${server.url}/projects/envp/builds/${n}/runs/env/\n`);
});

for (const dialect of ["sqlite", "mysql"] as const) {
  test(`${dialect}: a run over its timeout is killed, FAILED, container removed`, async (t) => {
    const { server, worker, name } = await setup(t, dialect);
    await applyProject(server.url, "slow", project(run("sleepy", "sleepy"), { timeout: "4s", top: "scripts:\n  sleepy: |\n    #!/bin/sh\n    echo start\n    sleep 60\n" }));
    const n = await trigger(server.url, "slow", "t");
    const build = await waitForBuild(server.url, "slow", n, worker.output, 30_000);
    t.is(build.runs[0]?.status, Status.FAILED);
    t.is(build.runs[0]?.statusMessage, "timed out after 4 seconds");
    t.is(splitStanza(await readLog(server.url, "slow", n, "sleepy")).output, "start\n\n== timed out after 4 seconds\n");
    t.deepEqual(await new Docker().listContainers({ all: true, filters: { label: worker.labels } }), []);
  });

  test(`${dialect}: cancelling a build stops its running run; a PASSED run stays PASSED`, async (t) => {
    const { server, worker, name } = await setup(t, dialect);
    await applyProject(server.url, "cx", project(run("quick", "quick") + run("long", "long"), {
      timeout: "5", top: "scripts:\n  quick: |\n    #!/bin/sh\n    echo ok\n  long: |\n    #!/bin/sh\n    echo started\n    sleep 120\n",
    }));
    const n = await trigger(server.url, "cx", "t");
    const runs = apiClient(RunService, server.url);
    await eventually(async () => {
      const quick = (await runs.getRun({ ref: { project: "cx", buildNumber: n, run: "quick" } })).run;
      const long = await readLog(server.url, "cx", n, "long");
      return quick?.status === Status.PASSED && long.includes("started\n") ? true : undefined;
    }, 30_000, () => `quick to pass and long to start. ${worker.output()}`);
    await apiClient(BuildService, server.url).cancelBuild({ project: "cx", number: n });
    const build = await waitForBuild(server.url, "cx", n, worker.output, 10_000);
    const byName = Object.fromEntries(build.runs.map((r) => [r.name, r]));
    t.is(byName["quick"]?.status, Status.PASSED, "a completed run keeps its status");
    t.is(byName["long"]?.status, Status.FAILED);
    t.is(byName["long"]?.statusMessage, "cancelled");
    t.is(build.status, Status.FAILED);
    await eventually(async () => ((await new Docker().listContainers({ all: true, filters: { label: worker.labels } })).length === 0 ? true : undefined), 5_000, "the container to be removed");
    t.pass();
  });
}

test("persistent volumes survive between runs; shared volumes are read-only", async (t) => {
  const shared = tempDir(t);
  writeFileSync(path.join(shared, "ref.txt"), "reference data\n");
  const { server, worker } = await setup(t, "sqlite", { JOBSERV_WORKER_SHARED_VOLUMES: `refdata=${shared}` });
  const runs = run("vol", "vol", "        persistent-volumes: {cache: /cache}\n        shared-volumes: {refdata: /ref}\n");
  await applyProject(server.url, "vols", project(runs, { top: `scripts:
  vol: |
    #!/bin/sh
    cat /cache/count 2>/dev/null || echo none
    echo "build $H_BUILD" > /cache/count
    cat /ref/ref.txt
    touch /ref/x 2>/dev/null && echo writable || echo read-only` }));
  const first = await trigger(server.url, "vols", "t");
  await waitForBuild(server.url, "vols", first, worker.output);
  const second = await trigger(server.url, "vols", "t");
  await waitForBuild(server.url, "vols", second, worker.output);
  t.is(splitStanza(await readLog(server.url, "vols", first, "vol")).output, "none\nreference data\nread-only\n");
  t.is(splitStanza(await readLog(server.url, "vols", second, "vol")).output, `build ${first}\nreference data\nread-only\n`);
});

test("script-repo is cloned at its ref; git triggers check out GIT_SHA in /repo", async (t) => {
  const repo = path.join(tempDir(t), "repo");
  mkdirSync(repo);
  const git = (...args: string[]) => execFileSync("git", ["-C", repo, "-c", "user.name=t", "-c", "user.email=t@t", ...args]).toString().trim();
  git("init", "-q", "-b", "main");
  mkdirSync(path.join(repo, "ci"));
  writeFileSync(path.join(repo, "ci", "build.sh"), "#!/bin/sh\necho \"script from repo, cwd $(pwd)\"\ncat VERSION\n", { mode: 0o755 });
  writeFileSync(path.join(repo, "VERSION"), "one\n");
  git("add", "."); git("commit", "-qm", "one");
  const first = git("rev-parse", "HEAD");
  git("tag", "v1");
  writeFileSync(path.join(repo, "VERSION"), "two\n");
  writeFileSync(path.join(repo, "ci", "build.sh"), "#!/bin/sh\necho changed script\n", { mode: 0o755 });
  git("commit", "-qam", "two");

  const { server, worker } = await setup(t);
  const yaml = `
timeout: 2
script-repos:
  tools: {clone-url: "file://${repo}", git-ref: v1}
triggers:
  - name: t
    type: git_poller
    params: {GIT_URL: "file://${repo}", GIT_POLL_REFS: refs/heads/main}
    runs:
      - name: from-repo
        container: ${TEST_IMAGE}
        host-tag: test-rf
        script-repo: {name: tools, path: ci/build.sh}
`;
  await applyProject(server.url, "gitp", yaml);
  const n = await trigger(server.url, "gitp", "t", { GIT_SHA: first });
  const build = await waitForBuild(server.url, "gitp", n, worker.output);
  const log = await readLog(server.url, "gitp", n, "from-repo");
  t.is(build.status, Status.PASSED, log);
  t.true(log.includes(`== checked out file://${repo} at ${first}\n`), log);
  t.true(log.endsWith("script from repo, cwd /repo\none\n"), log);
});

test("cap-add, cap-drop, container-user and container-entrypoint reach the container", async (t) => {
  const { server, worker } = await setup(t);
  const caps = "#!/bin/sh\\ngrep CapEff /proc/self/status\\nid -u\\n";
  const yaml = `
timeout: 1
scripts:
  caps: "${caps}"
triggers:
  - name: t
    type: simple
    runs:
${run("plain", "caps")}${run("added", "caps", "        cap-add: [SYS_PTRACE]\n")}${run("dropped", "caps", "        cap-drop: [ALL]\n")}${run("nobody", "caps", "        container-user: nobody\n")}${run("entry", "caps", "        container-entrypoint: /bin/echo\n")}`;
  await applyProject(server.url, "keys", yaml);
  const n = await trigger(server.url, "keys", "t");
  const build = await waitForBuild(server.url, "keys", n, worker.output);
  t.true(build.runs.every((r) => r.status === Status.PASSED), JSON.stringify(build.runs.map((r) => [r.name, r.statusMessage])));
  const out = async (name: string) => splitStanza(await readLog(server.url, "keys", n, name)).output;
  const capEff = (log: string) => BigInt(`0x${/CapEff:\s*([0-9a-f]+)/.exec(log)![1]}`);
  const plain = await out("plain");
  t.is(capEff(await out("added")), capEff(plain) | (1n << 19n), "cap-add SYS_PTRACE (capability 19)");
  t.is(capEff(await out("dropped")), 0n, "cap-drop ALL leaves none");
  t.regex(plain, /\n0\n$/, "root by default");
  t.regex(await out("nobody"), /\n65534\n$/, "container-user");
  // the command under the container's own deadline watchdog: timeout 1 minute + 5 s grace
  t.is(await out("entry"), '/bin/sh -c "$0" 2>&1 & c=$!; (sleep "$1" && kill -KILL "$c") >/dev/null 2>&1 & w=$!; wait "$c"; r=$?; kill "$w" 2>/dev/null; exit "$r" /script-repo/do_run 65\n',
    "the entrypoint receives the command");
});
