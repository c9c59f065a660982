// runOne: the runner's step sequence for one run definition, shared by the
// worker and the simulator: acknowledge -> prepare the run folder (script,
// archive) -> run the container -> ship the rest of the log -> report the
// verdict. The run folder is removed afterwards in every case.
import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { RunDefinition } from "../../gen/jobserv/v1/run_definition_pb.js";
import { Status } from "../../gen/jobserv/v1/status_pb.js";
import type { Executor } from "../executor/executor.js";
import type { Reporter } from "./reporter.js";

export interface RunnerDeps {
  executor: Executor;
  reporter: Reporter;
  /** Parent folder for the per-run folders. */
  workDir: string;
  workerName: string;
  network: string;
}

export async function runOne(def: RunDefinition, deps: RunnerDeps, cancel: AbortSignal): Promise<Status> {
  const { reporter } = deps;
  await reporter.status(Status.RUNNING, "");
  const dir = path.join(deps.workDir, "runs", `${def.runId}`);
  let verdict: { status: Status; message: string };
  try {
    await mkdir(path.join(dir, "script-repo"), { recursive: true });
    await mkdir(path.join(dir, "archive"), { recursive: true });
    await writeFile(path.join(dir, "script-repo", "do_run"), def.script, { mode: 0o755 });
    const result = await deps.executor.run({
      name: `jobserv-run-${def.runId}-${deps.workerName}`,
      image: def.container,
      env: { ...def.env, H_WORKER: deps.workerName },
      command: "/script-repo/do_run",
      binds: [`${path.join(dir, "script-repo")}:/script-repo:ro`, `${path.join(dir, "archive")}:/archive`],
      network: deps.network,
      privileged: def.privileged,
      capAdd: def.capAdd,
      capDrop: def.capDrop,
      user: def.containerUser,
      labels: { "io.jobserv.run": String(def.runId), "io.jobserv.worker": deps.workerName },
    }, (data) => reporter.write(data), def.timeoutMinutes * 60_000, cancel);
    verdict = result.ending === "timeout"
      ? { status: Status.FAILED, message: `timed out after ${def.timeoutMinutes} minutes` }
      : result.ending === "cancelled"
        ? { status: Status.FAILED, message: "cancelled" }
        : result.exitCode === 0
          ? { status: Status.PASSED, message: "exit code 0" }
          : { status: Status.FAILED, message: `exit code ${result.exitCode}` };
    // --- post-script: artifacts and tests (owned by the artifacts/tests work) ---
    // --- end post-script ---
  } catch (e) {
    verdict = { status: Status.FAILED, message: `runner error: ${(e as Error).message}` };
    reporter.write(Buffer.from(`\n== jobserv runner error: ${(e as Error).message}\n`));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  await reporter.flush();
  await reporter.status(verdict.status, verdict.message);
  return verdict.status;
}
