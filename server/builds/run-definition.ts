// Builds the RunDefinition of one run of a build: pure, from the parsed
// project definition, the trigger, the run spec and the trigger's params.
import { create } from "@bufbuild/protobuf";
import { RunDefinitionSchema, type RunDefinition } from "../../gen/jobserv/v1/run_definition_pb.js";
import { runEnvironment } from "../projects/run-environment.js";
import type { ProjectDefinition, RunSpec, TriggerSpec } from "../projects/schema.js";

export interface RunContext {
  project: string;
  build: number;
  triggerParams: Record<string, string>;
  /** Base URL of the API, e.g. http://host:8080; used for H_RUN_URL. */
  publicUrl: string;
}

export function buildRunDefinition(def: ProjectDefinition, trigger: TriggerSpec, run: RunSpec, ctx: RunContext): RunDefinition {
  const triggerUrl = ctx.triggerParams["H_TRIGGER_URL"];
  // Run names may carry host-tag pattern characters (`?`, `[`, `]`): escaped in the URL.
  const runUrl = `${ctx.publicUrl}/projects/${ctx.project}/builds/${ctx.build}/runs/${encodeURIComponent(run.name)}/`;
  const repo = run.scriptRepo ? def.scriptRepos[run.scriptRepo.name] : undefined;
  return create(RunDefinitionSchema, {
    project: ctx.project,
    buildNumber: ctx.build,
    runName: run.name,
    triggerName: trigger.name,
    triggerType: trigger.type,
    timeoutSeconds: def.timeoutSeconds,
    container: run.container,
    containerAuth: run.containerAuth ?? "",
    privileged: run.privileged,
    capAdd: run.capAdd,
    capDrop: run.capDrop,
    containerUser: run.containerUser ?? "",
    containerEntrypoint: run.containerEntrypoint,
    script: run.script !== undefined ? def.scripts[run.script] ?? "" : "",
    scriptRepo: repo && run.scriptRepo
      ? { cloneUrl: repo.cloneUrl, gitRef: repo.gitRef ?? "", path: run.scriptRepo.path, tokenSecret: repo.token ?? "" }
      : undefined,
    env: runEnvironment(def, trigger, run, ctx.triggerParams, { project: ctx.project, build: ctx.build, runUrl, ...(triggerUrl ? { triggerUrl } : {}) }),
    hostTag: run.hostTag,
    persistentVolumes: run.persistentVolumes,
    sharedVolumes: run.sharedVolumes,
    consoleProgressPattern: run.consoleProgress?.progressPattern ?? "",
    testGrepping: run.testGrepping
      ? { testPattern: run.testGrepping.testPattern ?? "", resultPattern: run.testGrepping.resultPattern, fixupdict: run.testGrepping.fixupdict }
      : undefined,
    runUrl,
  });
}
