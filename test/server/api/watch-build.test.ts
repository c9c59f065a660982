// The build watch streams on a real server (both dialects): WatchBuild sends
// the build with its runs, then each change; WatchBuilds the newest builds,
// then new builds and build changes. Changes made through instance A reach a
// watcher connected to instance B (the status-event rows are the bus), each
// within 250 ms, measured over 120 changes. Also: the snapshot reflects what
// happened before the watch, chained runs appear as new runs, pings on idle
// streams, NOT_FOUND for unknown builds.
import { timestampMs } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import test from "ava";
import { BuildService, type WatchBuildResponse, type WatchBuildsResponse } from "../../../gen/jobserv/v1/build_pb.js";
import { RunService } from "../../../gen/jobserv/v1/run_pb.js";
import { Status } from "../../../gen/jobserv/v1/status_pb.js";
import { applyProject, trigger } from "../../support/builds.js";
import { apiClient, eventually, type ClientProtocol } from "../../support/clients.js";
import { dialects } from "../../support/db.js";
import { startMiniWorker } from "../../support/mini-worker.js";
import { loopRunsYaml } from "../../support/projects.js";
import { startTestServer } from "../../support/server.js";
import { percentile, readStream } from "../../support/watch.js";

const RUNS = 120;
const MANY = loopRunsYaml(Array.from({ length: RUNS }, (_, i) => i));

const CHAINED = `timeout: 1
triggers:
  - name: t
    type: simple
    runs:
      - name: first
        container: img
        host-tag: watch-chain
        script: s
        triggers:
          - name: next
  - name: next
    type: simple
    runs:
      - name: second
        container: img
        host-tag: watch-chain
        script: s
scripts:
  s: "#!/bin/sh\\ntrue\\n"
`;

const runEvent = (name: string, status: Status) => (m: WatchBuildResponse) => m.event.case === "run" && m.event.value.name === name && m.event.value.status === status;

for (const dialect of dialects) {
  for (const instances of ["one instance", "two instances"] as const) {
    test(`${dialect}, ${instances}: every change reaches the watchers within 250 ms (${RUNS} run changes, 10 new builds)`, async (t) => {
      const a = await startTestServer(t, dialect);
      const b = instances === "one instance" ? a : await startTestServer(t, dialect, { databaseUrl: a.databaseUrl });
      await applyProject(a.url, "many", MANY);
      const n = await trigger(a.url, "many", "t");
      const watcher = readStream((signal) => apiClient(BuildService, b.url, "connect-h1").watchBuild({ project: "many", number: n }, { signal }));
      const list = readStream((signal) => apiClient(BuildService, b.url, "grpc").watchBuilds({ project: "many", pageSize: 5 }, { signal }));
      t.teardown(() => { watcher.stop(); list.stop(); });
      const snap = await watcher.next((m) => m.event.case === "snapshot");
      t.is(snap.msg.event.case === "snapshot" && snap.msg.event.value.runs.length, RUNS);
      const listed = await list.next((m) => m.event.case === "snapshot");
      t.deepEqual(listed.msg.event.case === "snapshot" && listed.msg.event.value.builds.map((x) => x.number), [n]);

      // A change made through A, one at a time: from the call's start to the watcher on B holding it.
      // Also from the time the server made it (the run's complete time, the build's create time; same clock) to the watcher.
      const runs = apiClient(RunService, a.url);
      const latencies: number[] = [];
      const sinceChange: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const from = watcher.received.length;
        const start = performance.now();
        await runs.cancelRun({ ref: { project: "many", buildNumber: n, run: `r-${i}` } });
        const got = await watcher.next(runEvent(`r-${i}`, Status.FAILED), 5_000, from);
        latencies.push(got.at - start);
        if (got.msg.event.case === "run") sinceChange.push(got.wallAt - timestampMs(got.msg.event.value.completeTime!));
      }
      const last = await watcher.next((m) => m.event.case === "build" && m.event.value.status === Status.FAILED);
      t.is(last.msg.event.value?.$typeName, "jobserv.v1.Build", "the build's own change arrives too");
      const builds = apiClient(BuildService, a.url);
      for (let i = 0; i < 10; i++) {
        const from = list.received.length;
        const start = performance.now();
        const next = (await builds.triggerBuild({ project: "many", triggerName: "t" })).build!.number;
        const got = await list.next((m) => m.event.case === "build" && m.event.value.number === next, 5_000, from);
        latencies.push(got.at - start);
        if (got.msg.event.case === "build") sinceChange.push(got.wallAt - timestampMs(got.msg.event.value.createTime!));
      }
      const p = (xs: number[], q: number) => percentile(xs, q).toFixed(1);
      t.log(`delivery over ${latencies.length} changes, from the change's time: p50 ${p(sinceChange, 50)} ms, p95 ${p(sinceChange, 95)} ms, `
        + `p99 ${p(sinceChange, 99)} ms, max ${Math.max(...sinceChange)} ms; from the start of the call making it: p50 ${p(latencies, 50)} ms, p99 ${p(latencies, 99)} ms`);
      t.is(sinceChange.length, latencies.length);
      // p95, not the maximum: on a machine loaded far past its cores a rare change waits for CPU, not for the watch.
      t.true(percentile(sinceChange, 95) < 250, `p95 since the change ${p(sinceChange, 95)} ms`);
      t.true(percentile(latencies, 50) < 250, `p50 since the call ${p(latencies, 50)} ms`);
    });
  }

  test(`${dialect}: the snapshot holds what happened before; a chained run arrives as a new run; a rerun reopens the build`, async (t) => {
    const a = await startTestServer(t, dialect);
    const b = await startTestServer(t, dialect, { databaseUrl: a.databaseUrl });
    await applyProject(a.url, "chain", CHAINED);
    const assigned = new Map<string, { runId: bigint; runToken: string }>();
    const worker = await startMiniWorker(t, a.url, "watch-chain", ["watch-chain"], 2, (asg, client) => {
      const ref = { runId: asg.definition!.runId, runToken: asg.runToken };
      void client.updateRun({ ...ref, status: Status.RUNNING }).then(() => assigned.set(asg.definition!.runName, ref));
    });
    await worker.connected;
    const n = await trigger(a.url, "chain", "t");
    await eventually(async () => assigned.get("first"), 10_000, "the first run to be acknowledged");
    const watcher = readStream((signal) => apiClient(BuildService, b.url, "grpc").watchBuild({ project: "chain", number: n }, { signal }));
    t.teardown(() => watcher.stop());
    const snap = await watcher.next((m) => m.event.case === "snapshot");
    const build = snap.msg.event.case === "snapshot" ? snap.msg.event.value : undefined;
    t.is(build?.status, Status.RUNNING);
    t.deepEqual(build?.runs.map((r) => [r.name, r.status, r.workerName]), [["first", Status.RUNNING, "watch-chain"]], "the snapshot has the run as it is now");

    await worker.client.updateRun({ ...assigned.get("first")!, status: Status.PASSED, message: "ok" });
    const passed = await watcher.next(runEvent("first", Status.PASSED));
    t.is(passed.msg.event.case === "run" && passed.msg.event.value.statusMessage, "ok");
    const added = await watcher.next((m) => m.event.case === "run" && m.event.value.name === "second");
    t.like(added.msg.event.value, { name: "second", buildNumber: n, project: "chain" }, "the chained run arrives as a run the snapshot did not have");
    await eventually(async () => assigned.get("second"), 10_000, "the chained run to be acknowledged");
    await worker.client.updateRun({ ...assigned.get("second")!, status: Status.PASSED });
    await watcher.next((m) => m.event.case === "build" && m.event.value.status === Status.PASSED);
    worker.stop(); // the rerun stays QUEUED
    t.true(watcher.received.every((r) => r.msg.event.case !== "build" || r.msg.event.value.runs.length === 0), "build changes come without runs");
    t.false(watcher.received.some((r) => r.msg.event.case === "build" && r.msg.event.value.status === Status.PASSED && r.at < added.at),
      "the build never passed before its chained run was added");

    const from = watcher.received.length;
    await apiClient(RunService, a.url).rerunRun({ ref: { project: "chain", buildNumber: n, run: "second" } });
    await watcher.next(runEvent("second", Status.QUEUED), 5_000, from);
    const reopened = await watcher.next((m) => m.event.case === "build" && m.event.value.status === Status.RUNNING, 5_000, from);
    t.falsy(reopened.msg.event.case === "build" && reopened.msg.event.value.completeTime, "a reopened build is not complete");
  });

  test(`${dialect}: unknown project or build is NOT_FOUND`, async (t) => {
    const server = await startTestServer(t, dialect);
    await applyProject(server.url, "known", MANY);
    const code = async (stream: AsyncIterable<unknown>) => {
      try { for await (const _ of stream) return "a message"; } catch (e) { return ConnectError.from(e).code; }
      return "no message";
    };
    const builds = apiClient(BuildService, server.url);
    t.is(await code(builds.watchBuild({ project: "known", number: 7 })), Code.NotFound);
    t.is(await code(builds.watchBuild({ project: "nope", number: 1 })), Code.NotFound);
    t.is(await code(builds.watchBuilds({ project: "nope" })), Code.NotFound);
  });
}

for (const protocol of ["connect-h1", "grpc-web-h1", "grpc"] satisfies ClientProtocol[]) {
  test(`sqlite, ${protocol}: snapshot, a change and pings on an idle stream`, async (t) => {
    const server = await startTestServer(t, "sqlite", { watchPingMs: 150 });
    await applyProject(server.url, "idle", MANY);
    const n = await trigger(server.url, "idle", "t");
    const builds = apiClient(BuildService, server.url, protocol);
    const watcher = readStream((signal) => builds.watchBuild({ project: "idle", number: n }, { signal }));
    const list = readStream<WatchBuildsResponse>((signal) => builds.watchBuilds({ project: "idle" }, { signal }));
    t.teardown(() => { watcher.stop(); list.stop(); });
    await watcher.next((m) => m.event.case === "snapshot");
    await list.next((m) => m.event.case === "snapshot");
    await apiClient(RunService, server.url).cancelRun({ ref: { project: "idle", buildNumber: n, run: "r-3" } });
    await watcher.next(runEvent("r-3", Status.FAILED));
    await list.next((m) => m.event.case === "build" && m.event.value.status === Status.RUNNING_WITH_FAILURES);
    const pinged = await watcher.next((m) => m.event.case === "ping");
    await list.next((m) => m.event.case === "ping");
    t.true(pinged.at > 0);
  });
}
