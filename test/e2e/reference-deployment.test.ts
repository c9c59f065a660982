// The reference deployment (deploy/reference/up.sh) end to end: the images
// built (cached by input hash), HAProxy in front of two server containers on
// MariaDB and an S3-compatible bucket, a worker container on this machine's
// Docker engine. A project is applied over gRPC (HTTP/2 through the balancer)
// and triggered over Connect (HTTP/1.1); while the run streams its log, the
// server holding the worker's Pull stream is restarted (SIGTERM: drain, exit,
// start). The build passes, its console.log is byte-identical to what the
// container printed, its artifact reads back through each server directly,
// and after the log moves into the bucket every read path still serves it.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { promisify } from "node:util";
import test from "ava";
import { BuildService } from "../../gen/jobserv/v1/build_pb.js";
import { ProjectService } from "../../gen/jobserv/v1/project_pb.js";
import { RunService } from "../../gen/jobserv/v1/run_pb.js";
import { Status } from "../../gen/jobserv/v1/status_pb.js";
import { openStore } from "../../server/store/db.js";
import { apiClient, eventually } from "../support/clients.js";
import { oneRunProject, splitStanza } from "../support/projects.js";
import { parsePrometheus } from "../support/prometheus.js";
import { freePort } from "../support/server-process.js";

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, "../..");
const LINES = 400;

test("two servers behind HAProxy, S3 and a worker container: a server restarted mid-run loses nothing", async (t) => {
  t.timeout(12 * 60_000);
  const name = `jref-${randomBytes(3).toString("hex")}`;
  const env = {
    ...process.env, JOBSERV_REF_NAME: name, JOBSERV_REF_LB_PORT: String(await freePort()),
    JOBSERV_REF_SERVER_PORTS: `${await freePort()} ${await freePort()}`, JOBSERV_REF_S3_PORT: String(await freePort()),
    JOBSERV_REF_WORKER_TAGS: name, JOBSERV_REF_WORKER_NETWORK: "none", JOBSERV_REF_LOG_ARCHIVE_DELAY_MS: "1000",
  };
  t.teardown(async () => { await run(path.join(ROOT, "deploy/reference/down.sh"), [], { env }); });
  const started = Date.now();
  const up = await run(path.join(ROOT, "deploy/reference/up.sh"), [], { env, maxBuffer: 16 * 1024 * 1024 });
  const out = Object.fromEntries(up.stdout.trim().split("\n").map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
  t.log(`up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const lb = out["LB_URL"]!;
  const token = out["ADMIN_TOKEN"]!;
  const servers = out["SERVER_URLS"]!.split(" ");
  const docker = async (...args: string[]) => (await run("docker", args)).stdout;
  const why = async () => (await Promise.all([`${name}-worker`, `${name}-server-1`, `${name}-server-2`]
    .map(async (c) => `--- ${c}\n${(await run("docker", ["logs", "--tail", "30", c])).stderr}${await docker("logs", "--tail", "30", c)}`))).join("\n");

  const yaml = oneRunProject({ tag: name, run: "count", timeout: 5, script: `
seq 1 50000 > /archive/numbers.txt
i=1
while [ $i -le ${LINES} ]; do echo "line $i through whichever server"; sleep 0.04; i=$((i+1)); done` });
  await apiClient(ProjectService, lb, "grpc", token).createProject({ name: "ref", definitionYaml: yaml });
  const { build } = await apiClient(BuildService, lb, "connect-h1", token).triggerBuild({ project: "ref", triggerName: "t" });
  const ref = { project: "ref", buildNumber: build!.number, run: "count" };
  const runs = apiClient(RunService, lb, "connect-h1", token);
  await eventually(async () => (Number((await runs.getRun({ ref })).run?.logSize ?? 0) > 2_000 ? true : undefined), 120_000,
    "the run to be under way");

  const connected = await Promise.all(servers.map(async (url) => parsePrometheus(await (await fetch(`${url}/metrics`)).text()).get("jobserv_connected_workers")));
  const holder = connected.indexOf(1);
  t.not(holder, -1, `one server holds the worker's Pull stream: ${JSON.stringify(connected)}`);
  t.log(`restarting ${name}-server-${holder + 1} (it holds the worker's stream) mid-run`);
  await docker("restart", "-t", "30", `${name}-server-${holder + 1}`);
  t.is((await runs.getRun({ ref })).run?.status, Status.RUNNING, "the restart happened mid-run");
  const other = servers[1 - holder]!;
  await eventually(async () => (parsePrometheus(await (await fetch(`${other}/metrics`)).text()).get("jobserv_log_bytes_ingested_total") > 0 ? true : undefined),
    60_000, "the worker to go on shipping its log through the other server");

  const done = await eventually(async () => {
    const b = (await apiClient(BuildService, lb, "connect-h1", token).getBuild({ project: "ref", number: build!.number })).build;
    return b && (b.status === Status.PASSED || b.status === Status.FAILED) ? b : undefined;
  }, 180_000, "the build to complete");
  t.is(done.status, Status.PASSED, `${done.runs[0]?.statusMessage}\n${await why()}`);

  const numbers = Array.from({ length: 50_000 }, (_, i) => `${i + 1}\n`).join("");
  const expected = Array.from({ length: LINES }, (_, i) => `line ${i + 1} through whichever server\n`).join("")
    + `== uploading 1 artifact (${numbers.length} bytes)\n`;
  const readLog = async (url: string, protocol: "grpc" | "connect-h1") => {
    const parts: Uint8Array[] = [];
    for await (const m of apiClient(RunService, url, protocol, token).tailLog({ ref })) parts.push(m.data);
    return splitStanza(Buffer.concat(parts).toString()).output;
  };
  t.is(await readLog(lb, "grpc"), expected, "console.log is byte-identical to the container output");
  for (const url of servers) {
    const res = await fetch(`${url}/projects/ref/builds/${build!.number}/runs/count/numbers.txt`, { headers: { authorization: `Bearer ${token}` } });
    t.is(res.status, 200, url);
    t.is(await res.text(), numbers, `the artifact through ${url}`);
  }

  const store = await openStore(out["DATABASE"]!, undefined, { migrate: false });
  t.teardown(() => store.close());
  const runRow = await store.db.selectFrom("runs").select("id").where("name", "=", "count").executeTakeFirstOrThrow();
  await eventually(async () => {
    const rows = await store.db.selectFrom("log_chunks").select("archived").where("run_id", "=", runRow.id).execute();
    return rows.length === 1 && Number(rows[0]!.archived) === 1 ? true : undefined;
  }, 90_000, "the completed log to move into the bucket");
  for (const url of [lb, ...servers]) t.is(await readLog(url, "connect-h1"), expected, `the moved log through ${url}`);
  const rest = await fetch(`${lb}/projects/ref/builds/${build!.number}/runs/count/console.log`, { headers: { authorization: `Bearer ${token}` } });
  t.is(splitStanza(await rest.text()).output, expected);
});
