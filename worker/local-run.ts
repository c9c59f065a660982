// What a CLI needs to run one run definition on this machine without a
// server (`jobserv simulate`, `jobserv exec`): the same runner as a worker,
// with the Docker executor and a reporter writing a local console.log.
import type { RunDefinition } from "../gen/jobserv/v1/run_definition_pb.js";
import type { Status } from "../gen/jobserv/v1/status_pb.js";
import { DockerExecutor } from "./executor/docker.js";
import { LocalReporter } from "./runner/local-reporter.js";
import { runOne } from "./runner/run.js";

export interface LocalRunOptions {
  /** Holds console.log, the run folder (kept) and the persistent volumes. */
  workDir: string;
  consoleLog: string;
  network: string;
  volumesDir: string;
  sharedVolumes: Record<string, string>;
}

export function runLocally(def: RunDefinition, o: LocalRunOptions): Promise<Status> {
  return runOne(def, {
    executor: new DockerExecutor(), reporter: new LocalReporter(o.consoleLog), workDir: o.workDir, workerName: "simulator",
    network: o.network, keepRunDir: true, mounts: { volumesDir: o.volumesDir, sharedVolumes: o.sharedVolumes },
  }, new AbortController().signal);
}
