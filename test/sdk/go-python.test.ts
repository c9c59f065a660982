// SDK clients in Go and Python, generated from proto/ with the repository's
// buf templates (buf.gen.go.yaml, buf.gen.python.yaml) and plugins from
// Debian's packages (scripts/ensure-test-tools.sh), offline. The clients are
// README's examples as written: the Go one compiles in GOPATH mode against
// Debian's protobuf and gRPC sources, the Python one imports with Debian's
// grpcio; each lists a live server's builds and follows a run's log over gRPC
// (HTTP/2), presenting the API token as `authorization: Bearer` metadata.
import { execFile } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import test, { type ExecutionContext } from "ava";
import { TEST_ADMIN_TOKEN } from "../support/auth.js";
import { ROOT } from "../support/cli.js";
import { readmeBlock } from "../support/readme.js";
import { LOG, serverWithBuilds } from "../support/sdk-server.js";
import { tempDir } from "../support/temp-dir.js";

const run = promisify(execFile);
const BUF = path.join(ROOT, "node_modules", ".bin", "buf");

const EXPECTED = `build 2 STATUS_QUEUED\nbuild 1 STATUS_PASSED\n${LOG}`;

test("Go: generated with buf.gen.go.yaml, README's client compiled offline, lists builds and follows a log", async (t) => {
  const [url, dir] = [await serverWithBuilds(t), tempDir(t, "jobserv-sdk-")];
  const gopath = path.join(dir, "gopath");
  await run(BUF, ["generate", "--template", "buf.gen.go.yaml", "-o", path.join(gopath, "src", "jobserv.example")], { cwd: ROOT });
  mkdirSync(path.join(gopath, "src", "client"), { recursive: true });
  writeFileSync(path.join(gopath, "src", "client", "main.go"), readmeBlock("sdk-go"));
  const goEnv = { ...process.env, GO111MODULE: "off", GOPATH: `${gopath}:/usr/share/gocode`, GOPROXY: "off", GOFLAGS: "" };
  await run("go", ["build", "-o", path.join(dir, "client"), "."], { cwd: path.join(gopath, "src", "client"), env: goEnv });
  const out = await run(path.join(dir, "client"), [], { env: { ...process.env, JOBSERV_URL: url, JOBSERV_TOKEN: TEST_ADMIN_TOKEN } });
  t.is(out.stdout, EXPECTED);
  const denied = await run(path.join(dir, "client"), [], { env: { ...process.env, JOBSERV_URL: url, JOBSERV_TOKEN: "jst_wrong-token-000000000000" } })
    .then(() => "", (e: { stderr: string }) => e.stderr);
  t.regex(denied, /Unauthenticated.*unknown or revoked API token/, "the metadata carries the token");
});

test("Python: generated with buf.gen.python.yaml, README's client on Debian's grpcio, lists builds and follows a log", async (t) => {
  const [url, dir] = [await serverWithBuilds(t), tempDir(t, "jobserv-sdk-")];
  await run(BUF, ["generate", "--template", "buf.gen.python.yaml", "-o", dir], { cwd: ROOT });
  writeFileSync(path.join(dir, "client.py"), readmeBlock("sdk-python"));
  // Debian's python3 (with python3-grpcio), not whatever python3 comes first on PATH.
  const env = { ...process.env, PYTHONPATH: path.join(dir, "sdk", "python"), JOBSERV_URL: url, JOBSERV_TOKEN: TEST_ADMIN_TOKEN };
  const out = await run("/usr/bin/python3", [path.join(dir, "client.py")], { env });
  t.is(out.stdout, EXPECTED);
});
