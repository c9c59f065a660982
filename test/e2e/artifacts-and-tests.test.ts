// Artifacts and tests end to end, on both store dialects: a real worker
// process runs real containers whose scripts write files under /archive (a
// JUnit report among them) or print test results; the worker uploads the
// files (status UPLOADING meanwhile), parses JUnit, applies test-grepping to
// the console, and fails the run when a test failed. Artifacts are listed
// and downloaded byte for byte; traversal attempts are refused.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import test, { type ExecutionContext } from "ava";
import { RunService } from "../../gen/jobserv/v1/run_pb.js";
import { Status } from "../../gen/jobserv/v1/status_pb.js";
import { openStore } from "../../server/store/db.js";
import { applyProject, readLog, trigger, waitForBuild } from "../support/builds.js";
import { apiClient } from "../support/clients.js";
import { dialects } from "../support/db.js";
import { TEST_IMAGE } from "../support/projects.js";
import { startTestServer } from "../support/server.js";
import { spawnWorker } from "../support/worker-process.js";
import { adminHeaders } from "../support/auth.js";

const run = (name: string, extra = "") => `      - name: ${name}
        container: ${TEST_IMAGE}
        host-tag: test-art
        script: ${name}
${extra}`;

const PROGRESS = String.raw`step (?P<current>\d+)/(?P<total>\d+)`;

const YAML = String.raw`
timeout: 2
triggers:
  - name: ci
    type: simple
    runs:
${run("junit-fail", `        console-progress:
          progress-pattern: '${PROGRESS}'`)}
${run("junit-pass")}
${run("grep", String.raw`        test-grepping:
          test-pattern: '== TEST (?P<name>\S+)'
          result-pattern: '(?P<name>[a-z0-9_-]+): (?P<result>[A-Z]+)$'
          fixupdict:
            PASS: PASSED
            FAIL: FAILED
            SKIP: SKIPPED`)}
scripts:
  junit-fail: |
    #!/bin/sh -e
    echo "step 1/2"
    mkdir -p /archive/sub
    echo "hello artifact" > /archive/hello.txt
    printf 'line1\nline2\001binary\377end' > /archive/sub/data.bin
    cat > /archive/junit.xml <<'XML'
    <?xml version="1.0" encoding="UTF-8"?>
    <testsuites>
      <testsuite name="unit" tests="3" failures="1">
        <testcase classname="pkg.Math" name="adds"/>
        <testcase classname="pkg.Math" name="divides"><failure message="expected 2 but got 3" type="AssertionError">math.js:12 assertion &amp; more</failure></testcase>
        <testcase classname="pkg.Math" name="later"><skipped/></testcase>
      </testsuite>
    </testsuites>
    XML
    echo "step 2/2"
  junit-pass: |
    #!/bin/sh -e
    printf '<testsuite name="ok"><testcase name="a" classname="c"/><testcase name="b" classname="c"></testcase></testsuite>' > /archive/junit.xml
  grep: |
    #!/bin/sh
    echo "== TEST alpha"
    echo "one: PASS"
    echo "two: FAIL"
    echo "== TEST beta"
    echo "three: SKIP"
    echo "four: PASS"
    echo "  five: FAIL"
    echo "not a result: FAIL"
`;

function tempDir(t: ExecutionContext): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "jobserv-art-worker-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

for (const dialect of dialects) {
  test(`${dialect}: archive files are uploaded and downloadable, JUnit and test-grepping results are stored`, async (t) => {
    t.timeout(120_000);
    const server = await startTestServer(t, dialect);
    const worker = spawnWorker(t, { url: server.url, name: `art-${dialect}`, tags: ["test-art"], protocol: "connect", env: { JOBSERV_WORKER_DIR: tempDir(t) } });
    await applyProject(server.url, "art", YAML);
    const n = await trigger(server.url, "art", "ci");
    const build = await waitForBuild(server.url, "art", n, worker.output, 90_000);
    const runs = Object.fromEntries(build.runs.map((r) => [r.name, r]));
    const rpc = apiClient(RunService, server.url);
    const ref = (r: string) => ({ project: "art", buildNumber: n, run: r });

    // JUnit with one failure: the script exits 0, the run fails and names the test.
    t.is(runs["junit-fail"]?.status, Status.FAILED, await readLog(server.url, "art", n, "junit-fail"));
    t.is(runs["junit-fail"]?.statusMessage, "1 test failed: divides");
    t.is(runs["junit-fail"]?.consoleProgressPattern, PROGRESS);
    t.is(runs["junit-pass"]?.consoleProgressPattern, "");
    const { tests } = await rpc.listTests({ ref: ref("junit-fail") });
    t.is(tests.length, 1);
    t.like(tests[0], { name: "unit", context: "junit.xml skipped=1", status: Status.FAILED });
    t.deepEqual(tests[0]!.results.map((r) => [r.name, r.context, r.status]), [
      ["adds", "pkg.Math", Status.PASSED], ["divides", "pkg.Math", Status.FAILED], ["later", "pkg.Math", Status.SKIPPED],
    ]);
    t.is(tests[0]!.results[1]!.output, "failure (AssertionError): expected 2 but got 3\nmath.js:12 assertion & more");
    t.is(tests[0]!.results[0]!.output, "");

    // Artifacts: listed with sizes, downloaded byte for byte.
    const data = Buffer.from("line1\nline2\x01binary\xffend", "latin1");
    const { artifacts } = await rpc.listArtifacts({ ref: ref("junit-fail") });
    t.deepEqual(artifacts.map((a) => a.path), ["hello.txt", "junit.xml", "sub/data.bin"]);
    t.is(artifacts[0]!.size, 15n);
    t.is(artifacts[2]!.size, BigInt(data.length));
    const base = `${server.url}/projects/art/builds/${n}/runs/junit-fail`;
    const hello = await fetch(`${base}/hello.txt`, { headers: adminHeaders });
    t.is(hello.status, 200);
    t.is(hello.headers.get("content-type"), "text/plain; charset=utf-8");
    t.is(await hello.text(), "hello artifact\n");
    const bin = await fetch(`${base}/sub/data.bin`, { headers: adminHeaders });
    t.deepEqual(Buffer.from(await bin.arrayBuffer()), data);
    const junit = await fetch(`${base}/./sub//data.bin`, { headers: adminHeaders });
    t.is(junit.status, 200, "paths are normalised");
    for (const bad of ["..%2F..%2F..%2Fetc%2Fpasswd", "sub%2F..%2F..%2Fx", "%2Fetc%2Fpasswd", "sub%5Cdata.bin", "a%00b", "%E0%A4%A"]) {
      const res = await fetch(`${base}/${bad}`, { headers: adminHeaders });
      t.is(res.status, 400, bad);
    }
    t.is((await fetch(`${base}/missing.txt`, { headers: adminHeaders })).status, 404);
    t.is((await fetch(`${server.url}/projects/art/builds/${n}/runs/junit-pass/hello.txt`, { headers: adminHeaders })).status, 404, "another run's artifact");

    // The console says what happened; the run went through UPLOADING.
    const log = await readLog(server.url, "art", n, "junit-fail");
    t.regex(log, /== uploading 3 artifacts \(\d+ bytes\)\n/);
    t.regex(log, /== tests: 1 test, 3 results: 1 passed, 1 failed, 1 skipped\n/);
    const store = await openStore(server.databaseUrl);
    t.teardown(() => store.close());
    const events = await store.db.selectFrom("run_events").innerJoin("runs", "runs.id", "run_events.run_id")
      .select("run_events.status").where("runs.name", "=", "junit-fail").orderBy("run_events.id").execute();
    t.deepEqual(events.map((e) => e.status).filter((s) => s !== Status.RUNNING), [Status.QUEUED, Status.UPLOADING, Status.FAILED]);

    // A passing JUnit report passes the run.
    t.is(runs["junit-pass"]?.status, Status.PASSED);
    t.is(runs["junit-pass"]?.statusMessage, "exit code 0");
    const passTests = (await rpc.listTests({ ref: ref("junit-pass") })).tests;
    t.deepEqual(passTests.map((x) => [x.name, x.status, x.results.map((r) => r.status)]), [["ok", Status.PASSED, [Status.PASSED, Status.PASSED]]]);

    // test-grepping: results from console lines, anchored at the line start, fixupdict applied.
    t.is(runs["grep"]?.status, Status.FAILED);
    t.is(runs["grep"]?.statusMessage, "1 test failed: two");
    const grep = (await rpc.listTests({ ref: ref("grep") })).tests;
    t.deepEqual(grep.map((x) => ({ name: x.name, status: x.status, results: x.results.map((r) => [r.name, r.status]) })), [
      { name: "alpha", status: Status.FAILED, results: [["one", Status.PASSED], ["two", Status.FAILED]] },
      { name: "beta", status: Status.PASSED, results: [["three", Status.SKIPPED], ["four", Status.PASSED]] },
    ]);
    t.is(grep[0]!.context, String.raw`== TEST (?P<name>\S+)`);
    t.deepEqual((await rpc.listArtifacts({ ref: ref("grep") })).artifacts, []);
  });
}
