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
import { localRunDefinition, RunChoiceError } from "../server/local-run-definition.js";
import { runLocally } from "../worker/local-run.js";
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
  const status = await runLocally(def, {
    workDir, consoleLog, network: values.network,
    volumesDir: path.join(workDir, "volumes"), sharedVolumes: pairs(values["shared-volume"], "--shared-volume"),
  });
  console.error(`== console.log: ${consoleLog}; /archive: ${path.join(workDir, "runs", String(def.runId), "archive")}`);
  return status === Status.PASSED ? 0 : 1;
}

function definitionFromProject(file: string, trigger: string | undefined, run: string | undefined, params: Record<string, string>): RunDefinition {
  const project = path.basename(file).replace(/\.ya?ml$/, "");
  try {
    return localRunDefinition(readFileSync(file, "utf8"), { project, trigger, run, params });
  } catch (e) {
    if (e instanceof RunChoiceError) throw new UsageError(`--run: ${e.message}`);
    throw e;
  }
}
