// SDK clients in Go and Python, generated from proto/ with the repository's
// buf templates (buf.gen.go.yaml, buf.gen.python.yaml) and plugins from
// Debian's packages (scripts/ensure-test-tools.sh), offline. The Go client
// compiles in GOPATH mode against Debian's protobuf and gRPC sources, the
// Python one imports with Debian's grpcio; each then lists a live server's
// builds and tails a run's log over gRPC (HTTP/2), presenting the API token
// as `authorization: Bearer` metadata.
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import test, { type ExecutionContext } from "ava";
import { BuildService } from "../../gen/jobserv/v1/build_pb.js";
import { ProjectService } from "../../gen/jobserv/v1/project_pb.js";
import { Status } from "../../gen/jobserv/v1/status_pb.js";
import { TEST_ADMIN_TOKEN } from "../support/auth.js";
import { ROOT } from "../support/cli.js";
import { apiClient, eventually } from "../support/clients.js";
import { startMiniWorker } from "../support/mini-worker.js";
import { startTestServer } from "../support/server.js";

const run = promisify(execFile);
const BUF = path.join(ROOT, "node_modules", ".bin", "buf");
const LOG = "line one\nline two\n";

const GO_CLIENT = `package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
	jobservv1 "jobserv.example/sdk/go/jobserv/v1"
)

func main() {
	conn, err := grpc.Dial(os.Args[1], grpc.WithInsecure())
	if err != nil {
		panic(err)
	}
	defer conn.Close()
	ctx := metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer "+os.Getenv("JOBSERV_TOKEN"))
	builds, err := jobservv1.NewBuildServiceClient(conn).ListBuilds(ctx, &jobservv1.ListBuildsRequest{Project: "sdk"})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for _, b := range builds.Builds {
		fmt.Printf("build %d %s\\n", b.Number, b.Status)
	}
	ref := &jobservv1.RunRef{Project: "sdk", BuildNumber: 1, Run: "r"}
	stream, err := jobservv1.NewRunServiceClient(conn).TailLog(ctx, &jobservv1.TailLogRequest{Ref: ref, Follow: true})
	if err != nil {
		panic(err)
	}
	for {
		msg, err := stream.Recv()
		if err == io.EOF {
			return
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Print(string(msg.Data))
		if msg.FinalStatus != jobservv1.Status_STATUS_UNSPECIFIED {
			fmt.Printf("final %s\\n", msg.FinalStatus)
		}
	}
}
`;

const PYTHON_CLIENT = `import os, sys
import grpc
from jobserv.v1 import build_pb2, build_pb2_grpc, run_pb2, run_pb2_grpc, status_pb2

channel = grpc.insecure_channel(sys.argv[1])
auth = [("authorization", "Bearer " + os.environ["JOBSERV_TOKEN"])]
builds = build_pb2_grpc.BuildServiceStub(channel).ListBuilds(build_pb2.ListBuildsRequest(project="sdk"), metadata=auth)
for b in builds.builds:
    print("build", b.number, status_pb2.Status.Name(b.status))
ref = run_pb2.RunRef(project="sdk", build_number=1, run="r")
for msg in run_pb2_grpc.RunServiceStub(channel).TailLog(run_pb2.TailLogRequest(ref=ref, follow=True), metadata=auth):
    sys.stdout.write(msg.data.decode())
    if msg.final_status:
        print("final", status_pb2.Status.Name(msg.final_status))
`;

/** A server with project "sdk": build 1's run r PASSED with LOG, build 2 QUEUED. Returns host:port. */
async function serverWithBuilds(t: ExecutionContext): Promise<string> {
  const server = await startTestServer(t, "sqlite");
  await apiClient(ProjectService, server.url).createProject({
    name: "sdk", definitionYaml: "timeout: 1\ntriggers:\n  - name: t\n    type: simple\n    runs: [{name: r, container: img, host-tag: sdk, script: s}]\n"
      + "  - name: nobody\n    type: simple\n    runs: [{name: r, container: img, host-tag: nowhere, script: s}]\nscripts:\n  s: echo\n",
  });
  const worker = await startMiniWorker(t, server.url, "sdk-worker", ["sdk"], 1, (a, client) => {
    const ref = { runId: a.definition!.runId, runToken: a.runToken };
    void (async () => {
      await client.updateRun({ ...ref, status: Status.RUNNING });
      await client.appendLog({ ...ref, offset: 0n, data: Buffer.from(LOG) });
      await client.updateRun({ ...ref, status: Status.PASSED });
    })().catch((e: unknown) => t.log(String(e)));
  });
  await worker.connected;
  const builds = apiClient(BuildService, server.url);
  await builds.triggerBuild({ project: "sdk", triggerName: "t" });
  await eventually(async () => ((await builds.getBuild({ project: "sdk", number: 1 })).build?.status === Status.PASSED ? true : undefined));
  await builds.triggerBuild({ project: "sdk", triggerName: "nobody" }); // no worker has its host tag: stays QUEUED
  return new URL(server.url).host;
}

function tempDir(t: ExecutionContext): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "jobserv-sdk-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const EXPECTED = `build 2 STATUS_QUEUED\nbuild 1 STATUS_PASSED\n${LOG}final STATUS_PASSED\n`;

test("Go: generated with buf.gen.go.yaml, compiled offline, lists builds and tails a log", async (t) => {
  const [host, dir] = [await serverWithBuilds(t), tempDir(t)];
  const gopath = path.join(dir, "gopath");
  await run(BUF, ["generate", "--template", "buf.gen.go.yaml", "-o", path.join(gopath, "src", "jobserv.example")], { cwd: ROOT });
  mkdirSync(path.join(gopath, "src", "client"), { recursive: true });
  writeFileSync(path.join(gopath, "src", "client", "main.go"), GO_CLIENT);
  const goEnv = { ...process.env, GO111MODULE: "off", GOPATH: `${gopath}:/usr/share/gocode`, GOPROXY: "off", GOFLAGS: "" };
  await run("go", ["build", "-o", path.join(dir, "client"), "."], { cwd: path.join(gopath, "src", "client"), env: goEnv });
  const out = await run(path.join(dir, "client"), [host], { env: { ...process.env, JOBSERV_TOKEN: TEST_ADMIN_TOKEN } });
  t.is(out.stdout, EXPECTED);
  const denied = await run(path.join(dir, "client"), [host], { env: { ...process.env, JOBSERV_TOKEN: "jst_wrong-token-000000000000" } }).catch((e: { stderr: string }) => e);
  t.regex((denied as { stderr: string }).stderr, /Unauthenticated.*unknown or revoked API token/, "the metadata carries the token");
});

test("Python: generated with buf.gen.python.yaml, imported with Debian's grpcio, lists builds and tails a log", async (t) => {
  const [host, dir] = [await serverWithBuilds(t), tempDir(t)];
  await run(BUF, ["generate", "--template", "buf.gen.python.yaml", "-o", dir], { cwd: ROOT });
  writeFileSync(path.join(dir, "client.py"), PYTHON_CLIENT);
  // Debian's python3 (with python3-grpcio), not whatever python3 comes first on PATH.
  const env = { ...process.env, PYTHONPATH: path.join(dir, "sdk", "python"), JOBSERV_TOKEN: TEST_ADMIN_TOKEN };
  const out = await run("/usr/bin/python3", [path.join(dir, "client.py"), host], { env });
  t.is(out.stdout, EXPECTED);
});
