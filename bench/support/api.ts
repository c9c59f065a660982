// API clients and project set-up shared by the benchmarks.
import { createClient, type Client, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { BuildService } from "../../gen/jobserv/v1/build_pb.js";
import { ProjectService } from "../../gen/jobserv/v1/project_pb.js";
import { RunService } from "../../gen/jobserv/v1/run_pb.js";
import { Status } from "../../gen/jobserv/v1/status_pb.js";
import { WorkerAdminService } from "../../gen/jobserv/v1/worker_admin_pb.js";
import { waitFor } from "./stats.js";

export const IMAGE = "jobserv/busybox:latest";

export interface Api {
  projects: Client<typeof ProjectService>;
  builds: Client<typeof BuildService>;
  runs: Client<typeof RunService>;
}

/** The admin API token benchmark servers are started with. */
export const BENCH_ADMIN_TOKEN = "jst_bench-admin-token-0123456789";
export const adminHeaders = { authorization: `Bearer ${BENCH_ADMIN_TOKEN}` };

export function apiClients(url: string): Api {
  const bearer: Interceptor = (next) => (req) => {
    req.header.set("authorization", adminHeaders.authorization);
    return next(req);
  };
  const transport = createConnectTransport({ baseUrl: url, httpVersion: "1.1", interceptors: [bearer] });
  return { projects: createClient(ProjectService, transport), builds: createClient(BuildService, transport), runs: createClient(RunService, transport) };
}

/** YAML of a project with one trigger "ci" whose single run executes `script` (loop-on `loop` values when given). */
export function projectYaml(hostTag: string, script: string, loop: number = 0): string {
  const indented = script.split("\n").map((l) => `    ${l}`).join("\n");
  const loopOn = loop > 0 ? `\n        loop-on:\n          - param: N\n            values: [${Array.from({ length: loop }, (_, i) => i).join(", ")}]` : "";
  return `timeout: 10
triggers:
  - name: ci
    type: simple
    runs:
      - name: ${loop > 0 ? "r-{loop}" : "r"}
        container: ${IMAGE}
        host-tag: ${hostTag}
        script: s${loopOn}
scripts:
  s: |
${indented}
`;
}

const COMPLETE = new Set([Status.PASSED, Status.FAILED]);

/** Waits until run `run` of build `number` is PASSED or FAILED; returns it. */
export async function waitForRun(api: Api, project: string, number: number, run: string, timeoutMs: number, everyMs = 20) {
  return waitFor(async () => {
    const { run: r } = await api.runs.getRun({ ref: { project, buildNumber: number, run } });
    return r && COMPLETE.has(r.status) ? r : undefined;
  }, timeoutMs, `run ${project}#${number}/${run} to complete`, everyMs);
}

/** Waits until worker `name` registered and is online, so a timed run does not include the worker process's start. */
export async function waitForWorkerOnline(url: string, name: string, timeoutMs = 60_000): Promise<void> {
  const bearer: Interceptor = (next) => (req) => {
    req.header.set("authorization", adminHeaders.authorization);
    return next(req);
  };
  const admin = createClient(WorkerAdminService, createConnectTransport({ baseUrl: url, httpVersion: "1.1", interceptors: [bearer] }));
  await waitFor(async () => (await admin.listWorkers({ pageSize: 1000 })).workers.find((w) => w.name === name && w.online), timeoutMs, `worker ${name} to be online`, 50);
}
