// A run held by a minimal worker: a one-run project is triggered, the mini
// worker takes the assignment and reports RUNNING, and the test then speaks
// for the worker with the real run token (log appends, artifact uploads,
// completion). For tests of what the server does with a run's bytes.
import type { ExecutionContext } from "ava";
import type { Client } from "@connectrpc/connect";
import { Status } from "../../gen/jobserv/v1/status_pb.js";
import type { Assignment, WorkerService } from "../../gen/jobserv/v1/worker_pb.js";
import { applyProject, trigger } from "./builds.js";
import { startMiniWorker } from "./mini-worker.js";
import { oneRunProject } from "./projects.js";

export interface HeldRun {
  project: string;
  build: number;
  run: string;
  runId: bigint;
  runToken: string;
  worker: string;
  client: Client<typeof WorkerService>;
  /** The artifact upload URL of `path` through `baseUrl`, and the headers that authorise it. */
  upload(baseUrl: string, path: string): { url: string; headers: Record<string, string> };
  /** Appends `text` at `offset` of the run's log, as the worker's shipper does. */
  append(offset: number, text: string | Uint8Array): Promise<void>;
  /** Reports the run complete. */
  finish(status?: Status): Promise<void>;
}

/** `url`: the instance the worker talks to (any instance of the store for the rest). */
export async function holdRun(t: ExecutionContext, url: string, project: string): Promise<HeldRun> {
  const tag = `held-${project}`;
  const yaml = oneRunProject({ tag, timeout: 5, script: "true" });
  let assigned: (a: Assignment) => void = () => {};
  const got = new Promise<Assignment>((resolve) => { assigned = resolve; });
  const worker = `${project}-worker`;
  const mini = await startMiniWorker(t, url, worker, [tag], 1, (a) => assigned(a));
  await mini.connected;
  await applyProject(url, project, yaml);
  const build = await trigger(url, project, "t");
  const { definition, runToken } = await got;
  const runId = definition!.runId;
  await mini.client.updateRun({ runId, runToken, status: Status.RUNNING, message: "" });
  return {
    project, build, run: "r", runId, runToken, worker, client: mini.client,
    upload: (baseUrl, path) => ({ url: `${baseUrl}/worker/runs/${runId}/artifacts/${path}`, headers: { "jobserv-worker": worker, "jobserv-run-token": runToken } }),
    append: async (offset, text) => {
      await mini.client.appendLog({ runId, runToken, offset: BigInt(offset), data: typeof text === "string" ? Buffer.from(text) : text });
    },
    finish: async (status = Status.PASSED) => {
      await mini.client.updateRun({ runId, runToken, status, message: "done" });
    },
  };
}
