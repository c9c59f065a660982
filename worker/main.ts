// startWorker: the worker's composition root. Keeps a Pull stream open and
// runs each assignment in a container, at most `concurrency` at a time; a
// Cancel aborts the matching run. stop() closes the stream and waits for the
// runs in flight (drain).
import { rmSync } from "node:fs";
import { createClient } from "@connectrpc/connect";
import { Status } from "../gen/jobserv/v1/status_pb.js";
import { WorkerService, type PullResponse } from "../gen/jobserv/v1/worker_pb.js";
import type { WorkerConfig } from "./config.js";
import { RemoteReporter, spoolDir } from "./connection/remote-reporter.js";
import { runPullLoop } from "./connection/pull-loop.js";
import { createWorkerTransport } from "./connection/transport.js";
import { DockerExecutor } from "./executor/docker.js";
import type { Executor } from "./executor/executor.js";
import { runOne } from "./runner/run.js";
import { startFactsReporter } from "./connection/facts-reporter.js";
import { startVolumeHousekeeping } from "./volume-housekeeping.js";

export interface RunningWorker {
  /** Stops taking runs; resolves when the runs in flight have finished. */
  stop(): Promise<void>;
  /** Settles when the worker stops taking runs: resolves after stop(), rejects if it cannot go on (a refused registration). */
  readonly done: Promise<void>;
  readonly activeRuns: number;
}

export function startWorker(config: WorkerConfig, executor: Executor = new DockerExecutor(undefined, { logDriver: config.containerLogDriver }), log: (line: string) => void = console.log): RunningWorker {
  const client = createClient(WorkerService, createWorkerTransport(config));
  const active = new Map<bigint, { cancel: AbortController; done: Promise<unknown>; project: string; volumes: string[] }>();
  const stop = new AbortController();

  const onMessage = (msg: PullResponse) => {
    if (msg.action.case === "assignment") {
      const { definition, runToken } = msg.action.value;
      if (!definition || active.has(definition.runId)) return;
      const cancel = new AbortController();
      const reporter = new RemoteReporter(client, definition.runId, runToken, config, () => cancel.abort());
      const done = runOne(definition, { executor, reporter, workDir: config.workDir, workerName: config.name, network: config.network, mounts: config,
        runToken, pullPolicy: config.pullPolicy, maxMemBytes: config.maxMemBytes }, cancel.signal)
        .then((status) => log(`run ${definition.project}#${definition.buildNumber}/${definition.runName}: ${Status[status]}`))
        .catch((e: unknown) => log(`run ${definition.runId} could not be reported: ${(e as Error).message}`))
        .finally(() => active.delete(definition.runId));
      active.set(definition.runId, { cancel, done, project: definition.project, volumes: Object.keys(definition.persistentVolumes) });
    } else if (msg.action.case === "cancel") {
      active.get(msg.action.value.runId)?.cancel.abort();
    }
  };

  startFactsReporter(client, config, stop.signal);
  startVolumeHousekeeping(config, executor, () => [...active.values()], log, stop.signal);
  // A fresh process owns no runs: spool files of a killed one are leftovers (their runs are lost or rerun).
  rmSync(spoolDir(config.workDir), { recursive: true, force: true });
  // A fresh process owns no runs: whatever containers carry our name and folder are leftovers.
  const loop = executor.removeLeftovers(config.name, config.workDir)
    .then((left) => { if (left.length) log(`removed leftover containers: ${left.join(", ")}`); })
    .catch((e: unknown) => log(`could not list leftover containers: ${(e as Error).message}`))
    .then(() => runPullLoop({ client, config, onMessage, log, activeRunIds: () => [...active.keys()] }, stop.signal));
  loop.catch(() => { /* reported through `done`; this only marks the rejection handled */ });
  return {
    get activeRuns() { return active.size; },
    done: loop,
    async stop() {
      stop.abort();
      await loop.catch(() => {});
      await Promise.all([...active.values()].map((r) => r.done));
    },
  };
}
