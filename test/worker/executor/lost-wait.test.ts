// A container that exits before Docker has registered the executor's `wait`
// still ends its run with the right exit code and output. The race is made
// certain, not hoped for: the executor talks to the real Docker engine
// through a byte-level proxy on a Unix socket that holds back every
// `POST /containers/{id}/wait` request for 1.5 s, so the container (which
// prints one line and exits 3) is gone before its wait is registered.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import test from "ava";
import Docker from "dockerode";
import { DockerExecutor } from "../../../worker/executor/docker.js";
import type { ContainerResult } from "../../../worker/executor/executor.js";
import { TEST_IMAGE } from "../../support/projects.js";

const DOCKER_SOCKET = "/var/run/docker.sock";
const HOLD_MS = 1_500;

/** A proxy to Docker's socket that delays connections whose first request is a container wait. */
async function delayingProxy(dir: string): Promise<{ socketPath: string; heldWaits: () => number; close: () => Promise<void> }> {
  const socketPath = path.join(dir, "docker.sock");
  let held = 0;
  const server = net.createServer((client) => {
    client.once("data", (first: Buffer) => {
      client.pause();
      const isWait = /^POST \S*\/containers\/[^/\s]+\/wait/.test(first.subarray(0, 200).toString("latin1"));
      if (isWait) held++;
      setTimeout(() => {
        const upstream = net.connect(DOCKER_SOCKET, () => {
          upstream.write(first);
          client.pipe(upstream).pipe(client);
          client.resume();
        });
        const end = () => { client.destroy(); upstream.destroy(); };
        upstream.on("error", end);
        client.on("error", end);
        upstream.on("close", end);
        client.on("close", end);
      }, isWait ? HOLD_MS : 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  return {
    socketPath, heldWaits: () => held,
    close: () => new Promise<void>((resolve) => { server.close(() => resolve()); }),
  };
}

test("a container that exits before its wait is registered still ends the run with its exit code and output", async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "jobserv-lost-wait-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, "quick"), "#!/bin/sh\necho quick exit\nexit 3\n", { mode: 0o755 });
  const proxy = await delayingProxy(dir);
  t.teardown(proxy.close);
  // One connection per request, so the wait is always the first request on its connection (the proxy
  // looks only there); pooled, it could ride on the connection that created the container.
  const options = { socketPath: proxy.socketPath, agent: new http.Agent({ keepAlive: false }) }; // docker-modem takes `agent`; dockerode's types omit it
  const executor = new DockerExecutor(new Docker(options));
  const name = `jobserv-lost-wait-${process.pid}`;
  t.teardown(() => new Docker().getContainer(name).remove({ force: true }).catch(() => {}));
  let output = "";
  const t0 = Date.now();
  const ran = executor.run({
    name, image: TEST_IMAGE, env: {}, command: "/job/quick", binds: [`${dir}:/job:ro`], workingDir: "/job",
    network: "none", privileged: false, capAdd: [], capDrop: [], user: "", labels: { "io.jobserv.test": "lost-wait" },
  }, (d) => { output += Buffer.from(d).toString(); }, 60_000, new AbortController().signal);
  const result = await Promise.race([ran, new Promise<"hung">((r) => setTimeout(() => r("hung"), 30_000))]);
  t.log(`ended after ${Date.now() - t0} ms`);
  t.not(result, "hung", `the run did not end within 30 s (output so far: ${JSON.stringify(output)})`);
  t.like(result, { exitCode: 3, ending: "exited" });
  t.is(output, "quick exit\n");
  t.true(proxy.heldWaits() >= 1, "the proxy held back the executor's wait request");
  t.true(Date.now() - t0 < 20_000, `took ${Date.now() - t0} ms`);
  await (result as ContainerResult).removed;
  await t.throwsAsync(new Docker().getContainer(name).inspect(), undefined, "the container was removed");
});
