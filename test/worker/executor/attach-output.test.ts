// A container's output stream (worker/executor/attach-output.ts) on the real
// engine: on the local socket a container's ~6.9 MB (a million numbered lines)
// arrives byte for byte, every read a view of the same reused buffer; through
// a Docker reached over TCP (dockerode's hijacked attach) the same bytes
// arrive through the executor; attaching to a container that is gone is
// refused with Docker's own message.
import { chmodSync, writeFileSync } from "node:fs";
import path from "node:path";
import test from "ava";
import Docker from "dockerode";
import { attachOutput } from "../../../worker/executor/attach-output.js";
import { AttachDemuxer } from "../../../worker/executor/demux.js";
import { DockerExecutor } from "../../../worker/executor/docker.js";
import { TEST_IMAGE } from "../../support/projects.js";
import { startTcpProxy } from "../../support/tcp-proxy.js";
import { tempDir } from "../../support/temp-dir.js";

const LINES = 1_000_000;
const EXPECTED = Buffer.from(Array.from({ length: LINES }, (_, i) => `${i + 1}\n`).join(""));
const DOCKER_SOCKET = "/var/run/docker.sock";

test("on the local socket: every byte in order, each read a view of one reused buffer", async (t) => {
  const docker = new Docker();
  const container = await docker.createContainer({ Image: TEST_IMAGE, Cmd: ["/bin/sh", "-c", `seq 1 ${LINES} 2>&1`], Tty: false,
    HostConfig: { NetworkMode: "none", LogConfig: { Type: "none", Config: {} } } });
  t.teardown(() => container.remove({ force: true }).catch(() => {}));
  const demux = new AttachDemuxer();
  const copies: Buffer[] = [];
  const memory = new Set<ArrayBufferLike>();
  let reads = 0;
  const { ended } = await attachOutput(docker, container, (chunk) => {
    reads++;
    memory.add(chunk.buffer);
    demux.push(chunk, (p) => copies.push(Buffer.from(p)));
  });
  await container.start();
  await container.wait();
  await ended;
  const got = Buffer.concat(copies);
  t.is(got.length, EXPECTED.length);
  t.true(got.equals(EXPECTED), "the output, byte for byte");
  t.true(reads > 20, `many reads (${reads})`);
  // The read buffer, plus at most the copy of what came with the answer's head.
  t.true(memory.size <= 2, `reads landed in ${memory.size} distinct buffers`);
});

test("a Docker over TCP takes dockerode's hijacked attach: the same bytes through the executor", async (t) => {
  // A TCP door to the local engine, as DOCKER_HOST=tcp://... would be.
  const door = await startTcpProxy(t, DOCKER_SOCKET);
  const docker = new Docker({ host: "127.0.0.1", port: Number(new URL(door.url).port), protocol: "http" });
  const name = `jobserv-attach-tcp-${process.pid}`;
  t.teardown(() => new Docker().getContainer(name).remove({ force: true }).catch(() => {}));
  const dir = tempDir(t, "jobserv-attach-tcp-");
  writeFileSync(path.join(dir, "job"), `#!/bin/sh\nseq 1 ${LINES}\n`);
  chmodSync(path.join(dir, "job"), 0o755);
  const copies: Buffer[] = [];
  const result = await new DockerExecutor(docker).run({
    name, image: TEST_IMAGE, env: {}, command: "/job/job", binds: [`${dir}:/job:ro`], workingDir: "/job", network: "none",
    privileged: false, capAdd: [], capDrop: [], user: "", labels: { "io.jobserv.test": "attach-tcp" },
  }, (d) => copies.push(Buffer.from(d)), 60_000, new AbortController().signal);
  await result.removed;
  t.like(result, { exitCode: 0, ending: "exited" });
  t.true(Buffer.concat(copies).equals(EXPECTED), "the output, byte for byte");
});

test("attaching to a container that is gone is refused with Docker's message", async (t) => {
  const docker = new Docker();
  const container = await docker.createContainer({ Image: TEST_IMAGE, Cmd: ["true"] });
  await container.remove({ force: true });
  const e = await t.throwsAsync(attachOutput(docker, container, () => t.fail("no output")));
  t.regex(e.message, /HTTP code 404/);
  t.regex(e.message, /no such container/i);
});
