// The executor creates the container without asking for its image first (the
// runner's prepareImage made it present); an image Docker does not have is
// then pulled, and a pull that fails fails the run with the registry's words,
// leaving no container behind. A present image runs as before.
import test from "ava";
import Docker from "dockerode";
import { DockerExecutor } from "../../../worker/executor/docker.js";
import { TEST_IMAGE } from "../../support/projects.js";

const spec = (name: string, image: string) => ({
  name, image, env: {}, command: "/bin/true", binds: [], workingDir: "/", network: "none", privileged: false, capAdd: [], capDrop: [], user: "",
  labels: { "io.jobserv.test": "missing-image" },
});

test("a missing image is pulled at create; a failed pull fails the run and leaves no container", async (t) => {
  const name = `jobserv-missing-image-${process.pid}`;
  t.teardown(() => new Docker().getContainer(name).remove({ force: true }).catch(() => {}));
  const image = `127.0.0.1:9/jobserv/no-such-image:${process.pid}`;
  const error = await t.throwsAsync(new DockerExecutor().run(spec(name, image), () => {}, 60_000, new AbortController().signal));
  t.regex(error!.message, new RegExp(`^unable to pull image ${image.replace(/[.:/]/g, "\\$&")}: `));
  await t.throwsAsync(new Docker().getContainer(name).inspect(), undefined, "no container was made");
});

test("a present image: created and run at once", async (t) => {
  const name = `jobserv-present-image-${process.pid}`;
  t.teardown(() => new Docker().getContainer(name).remove({ force: true }).catch(() => {}));
  let output = "";
  const result = await new DockerExecutor().run({ ...spec(name, TEST_IMAGE), command: "/bin/echo" }, (d) => { output += Buffer.from(d).toString(); }, 60_000, new AbortController().signal);
  t.like(result, { exitCode: 0, ending: "exited" });
  t.is(output, "\n");
  await result.removed;
  await t.throwsAsync(new Docker().getContainer(name).inspect(), undefined, "removed");
});
