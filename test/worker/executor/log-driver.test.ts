// Run containers have Docker's own log off by default (log driver `none`: the
// worker reads their output through the attach stream), and take the driver an
// admin names, or the daemon's default for "". Checked on the real engine by
// inspecting the container while its script still runs; the output still
// arrives whole.
import test from "ava";
import Docker from "dockerode";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { DockerExecutor } from "../../../worker/executor/docker.js";
import { loadWorkerConfig } from "../../../worker/config.js";
import { TEST_IMAGE } from "../../support/projects.js";

async function driverOfARun(t: import("ava").ExecutionContext, executor: DockerExecutor, tag: string): Promise<{ driver: string; output: string }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "jobserv-log-driver-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, "job"), "#!/bin/sh\necho started\nsleep 1\necho done\n");
  chmodSync(path.join(dir, "job"), 0o755);
  const name = `jobserv-log-driver-${tag}-${process.pid}`;
  t.teardown(() => new Docker().getContainer(name).remove({ force: true }).catch(() => {}));
  let output = "";
  let inspected: Promise<Docker.ContainerInspectInfo> | undefined;
  const result = await executor.run({
    name, image: TEST_IMAGE, env: {}, command: "/job/job", binds: [`${dir}:/job:ro`], workingDir: "/job", network: "none",
    privileged: false, capAdd: [], capDrop: [], user: "", labels: { "io.jobserv.test": "log-driver" },
  }, (d) => {
    output += Buffer.from(d).toString();
    // The script sleeps after its first line: the container is there to inspect.
    inspected ??= new Docker().getContainer(name).inspect();
  }, 60_000, new AbortController().signal);
  await result.removed;
  t.like(result, { exitCode: 0, ending: "exited" });
  return { driver: (await inspected!).HostConfig.LogConfig?.Type ?? "", output };
}

test("run containers log nothing through Docker by default; the output still arrives through the attach stream", async (t) => {
  t.is(loadWorkerConfig({}, { name: "w", workDir: "/tmp/w", token: "x" }).containerLogDriver, "none");
  const { driver, output } = await driverOfARun(t, new DockerExecutor(), "default");
  t.is(driver, "none");
  t.is(output, "started\ndone\n");
});

test("an admin's log driver is used; an empty one leaves the daemon's default", async (t) => {
  const daemonDefault = ((await new Docker().info()) as { LoggingDriver: string }).LoggingDriver;
  t.is((await driverOfARun(t, new DockerExecutor(undefined, { logDriver: "json-file" }), "json")).driver, "json-file");
  t.is(loadWorkerConfig({ JOBSERV_WORKER_CONTAINER_LOG_DRIVER: "" }, { name: "w", workDir: "/tmp/w", token: "x" }).containerLogDriver, "");
  t.is((await driverOfARun(t, new DockerExecutor(undefined, { logDriver: "" }), "daemon")).driver, daemonDefault);
});
