// `jobserv simulate RUNDEF.json --workdir DIR`: runs a run definition (e.g.
// downloaded from .../runs/NAME/.rundef.json) locally through the same runner
// code as a worker, without a server. `jobserv exec FILE.yml --run NAME`
// builds the run definition from a local project file instead.
// Exit codes: 0 PASSED, 1 FAILED, 2 usage or missing secrets.
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { fromJsonString } from "@bufbuild/protobuf";
import { RunDefinitionSchema, type RunDefinition } from "../gen/jobserv/v1/run_definition_pb.js";
import { Status } from "../gen/jobserv/v1/status_pb.js";
import { buildRunDefinition } from "../server/builds/run-definition.js";
import { findTrigger } from "../server/projects/find-trigger.js";
import { parseProjectDefinition } from "../server/projects/parse.js";
import { DockerExecutor } from "../worker/executor/docker.js";
import { LocalReporter } from "../worker/runner/local-reporter.js";
import { runOne } from "../worker/runner/run.js";
import { UsageError } from "./errors.js";

const OPTIONS = {
  workdir: { type: "string" as const, default: "./simulator" },
  secret: { type: "string" as const, short: "s", multiple: true as const, default: [] as string[] },
  param: { type: "string" as const, short: "p", multiple: true as const, default: [] as string[] },
  "shared-volume": { type: "string" as const, short: "v", multiple: true as const, default: [] as string[] },
  network: { type: "string" as const, default: "host" },
  trigger: { type: "string" as const },
  run: { type: "string" as const },
};

function pairs(list: string[], what: string): Record<string, string> {
  return Object.fromEntries(list.map((kv) => {
    const eq = kv.indexOf("=");
    if (eq < 1) throw new UsageError(`${what} ${kv}: expected NAME=VALUE`);
    return [kv.slice(0, eq), kv.slice(eq + 1)];
  }));
}

export async function run(argv: string[]): Promise<number> {
  return simulate(argv, "simulate");
}

export async function simulate(argv: string[], mode: "simulate" | "exec"): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: OPTIONS });
  const file = positionals[0];
  if (!file) {
    console.error(mode === "simulate" ? "usage: jobserv simulate RUNDEF.json [--workdir DIR] [-s SECRET=VALUE]... [-v VOLUME=PATH]..."
      : "usage: jobserv exec PROJECT.yml --run NAME [--trigger NAME] [-p K=V]... [-s SECRET=VALUE]...");
    return 2;
  }
  const def = mode === "simulate"
    ? fromJsonString(RunDefinitionSchema, readFileSync(file, "utf8"), { ignoreUnknownFields: true })
    : definitionFromProject(file, values.trigger, values.run, pairs(values.param, "-p"));
  Object.assign(def.secrets, pairs(values.secret, "--secret"));
  const missing = Object.entries(def.secrets).filter(([, v]) => v === "").map(([k]) => k);
  if (missing.length) {
    console.error(`secrets without a value: ${missing.join(", ")}; give them with --secret NAME=VALUE`);
    return 2;
  }
  def.simulated = true;
  const workDir = path.resolve(values.workdir);
  mkdirSync(workDir, { recursive: true });
  const consoleLog = path.join(workDir, "console.log");
  rmSync(consoleLog, { force: true });
  const status = await runOne(def, {
    executor: new DockerExecutor(), reporter: new LocalReporter(consoleLog), workDir, workerName: "simulator",
    network: values.network, keepRunDir: true,
    mounts: { volumesDir: path.join(workDir, "volumes"), sharedVolumes: pairs(values["shared-volume"], "--shared-volume") },
  }, new AbortController().signal);
  console.error(`== console.log: ${consoleLog}; /archive: ${path.join(workDir, "runs", String(def.runId), "archive")}`);
  return status === Status.PASSED ? 0 : 1;
}

function definitionFromProject(file: string, triggerName: string | undefined, runName: string | undefined, params: Record<string, string>): RunDefinition {
  const def = parseProjectDefinition(readFileSync(file, "utf8"));
  const trigger = findTrigger(def, triggerName);
  const spec = runName ? trigger.runs.find((r) => r.name === runName) : trigger.runs.length === 1 ? trigger.runs[0] : undefined;
  if (!spec) throw new UsageError(`--run: one of ${trigger.runs.map((r) => r.name).join(", ")}`);
  const project = path.basename(file).replace(/\.ya?ml$/, "");
  const rundef = buildRunDefinition(def, trigger, spec, { project, build: 0, triggerParams: params, publicUrl: "http://localhost" });
  const needed = [spec.containerAuth, ...(spec.scriptRepo ? (def.scriptRepos[spec.scriptRepo.name]?.token ?? "").split(":") : [])].filter((n): n is string => Boolean(n));
  for (const name of needed) rundef.secrets[name] ??= "";
  return rundef;
}
