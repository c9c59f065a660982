// A container ends at its own deadline with its worker gone: the worker is
// SIGKILLed mid-run and nothing restarts it; the container still stops at the
// run's timeout plus the grace, killed by its own watchdog (exit 137), and it
// carries that deadline as a label. Both store dialects.
import test from "ava";
import Docker from "dockerode";
import { applyProject, readLog, trigger } from "../support/builds.js";
import { eventually } from "../support/clients.js";
import { dialects } from "../support/db.js";
import { TEST_IMAGE } from "../support/projects.js";
import { startTestServer } from "../support/server.js";
import { spawnWorker } from "../support/worker-process.js";

const TIMEOUT_S = 15; // long enough that a loaded machine sees "started" before the worker dies
const GRACE_S = 5; // worker/executor/docker.ts CONTAINER_DEADLINE_GRACE_S

const yaml = (tag: string) => `
timeout: ${TIMEOUT_S}s
triggers:
  - name: t
    type: simple
    runs:
      - name: long
        container: ${TEST_IMAGE}
        host-tag: ${tag}
        script: long
scripts:
  long: |
    #!/bin/sh
    echo started
    sleep 120 &
    sleep 120
`;

for (const dialect of dialects) {
  test(`${dialect}: a container whose worker died ends itself at the run's deadline`, async (t) => {
    const server = await startTestServer(t, dialect);
    const name = `deadline-${dialect}-${process.pid}`;
    const worker = spawnWorker(t, { url: server.url, name, tags: [name], protocol: "connect" });
    const docker = new Docker();
    t.teardown(async () => {
      for (const c of await docker.listContainers({ all: true, filters: { label: [`io.jobserv.worker=${name}`] } })) {
        await docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => {});
      }
    });
    await applyProject(server.url, "dl", yaml(name));
    const n = await trigger(server.url, "dl", "t");
    await eventually(async () => ((await readLog(server.url, "dl", n, "long")).includes("started\n") ? true : undefined), 60_000, () => worker.output());
    await worker.kill();
    const killedAt = Date.now() / 1000;
    const [left] = await docker.listContainers({ all: true, filters: { label: [`io.jobserv.worker=${name}`] } });
    t.truthy(left, "the killed worker left its container behind");
    const deadline = Number(left!.Labels["io.jobserv.deadline"]);
    t.true(deadline > killedAt - TIMEOUT_S && deadline <= killedAt + TIMEOUT_S + GRACE_S + 1, `deadline label ${deadline}, killed at ${killedAt}`);
    const info = await eventually(async () => {
      const i = await docker.getContainer(left!.Id).inspect();
      return i.State.Running ? undefined : i;
    }, (TIMEOUT_S + GRACE_S + 15) * 1000, "the container to end itself without a worker");
    t.is(info.State.ExitCode, 137, "killed by its watchdog");
    t.true(Date.parse(info.State.FinishedAt) / 1000 <= deadline + 3, `finished ${info.State.FinishedAt}, deadline ${deadline}`);
  });
}

test("a starting worker removes other workers' ended containers a minute past their deadline, and only those", async (t) => {
  const server = await startTestServer(t, "sqlite");
  const docker = new Docker();
  const now = Math.floor(Date.now() / 1000);
  const made = async (suffix: string, deadline: number) => {
    const c = await docker.createContainer({
      name: `jobserv-deadline-test-${suffix}-${process.pid}`, Image: TEST_IMAGE, Cmd: ["true"],
      Labels: { "io.jobserv.worker": `gone-host-${process.pid}`, "io.jobserv.run": "0", "io.jobserv.deadline": String(deadline) },
      HostConfig: { NetworkMode: "none" },
    });
    t.teardown(() => c.remove({ force: true }).catch(() => {}));
    await c.start();
    await c.wait();
    return c;
  };
  const stale = await made("stale", now - 120);
  const recent = await made("recent", now - 10);
  const worker = spawnWorker(t, { url: server.url, name: `sweeper-${process.pid}`, tags: ["sweeper"], protocol: "connect" });
  await eventually(async () => (await stale.inspect().then(() => undefined, () => true)), 60_000, () => `the stale container to be removed: ${worker.output()}`);
  t.is((await recent.inspect()).State.Status, "exited", "a container within a minute of its deadline may still be its live worker's");
});

test("an upgraded worker removes its predecessor's container (no folder label), not a same-named worker's in another folder", async (t) => {
  const server = await startTestServer(t, "sqlite");
  const docker = new Docker();
  const name = `upgraded-${process.pid}`;
  const made = async (suffix: string, labels: Record<string, string>) => {
    const c = await docker.createContainer({
      name: `jobserv-upgrade-test-${suffix}-${process.pid}`, Image: TEST_IMAGE, Cmd: ["sleep", "300"],
      Labels: { "io.jobserv.worker": name, "io.jobserv.run": "0", ...labels }, HostConfig: { NetworkMode: "none" },
    });
    t.teardown(() => c.remove({ force: true }).catch(() => {}));
    await c.start();
    return c;
  };
  const predecessor = await made("old", {});
  const elsewhere = await made("other-dir", { "io.jobserv.worker-dir": "/somewhere/else" });
  const worker = spawnWorker(t, { url: server.url, name, tags: ["upgraded"], protocol: "connect" });
  await eventually(async () => (await predecessor.inspect().then(() => undefined, () => true)), 60_000, () => `the predecessor's container to be removed: ${worker.output()}`);
  t.true((await elsewhere.inspect()).State.Running, "another folder's worker of the same name keeps its run");
});
