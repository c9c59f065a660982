// Rows for the QUEUED runs of one trigger in a build: run definitions built
// from the definition, and the secrets copy each run keeps. Shared by new
// builds and by chained triggers adding runs to an existing build.
import { toJsonString } from "@bufbuild/protobuf";
import { RunDefinitionSchema } from "../../gen/jobserv/v1/run_definition_pb.js";
import { Status } from "../../gen/jobserv/v1/status_pb.js";
import type { ProjectDefinition, RunSpec, TriggerSpec } from "../projects/schema.js";
import type { NewRun } from "../store/database.js";
import { buildRunDefinition, type RunContext } from "./run-definition.js";

export function queuedRunRows(def: ProjectDefinition, trigger: TriggerSpec, runs: readonly RunSpec[], ctx: RunContext,
  buildId: number, secretsEnc: string, now: number, priority: number): NewRun[] {
  return runs.map((run) => ({
    build_id: buildId, name: run.name, status: Status.QUEUED, status_message: "", host_tag: run.hostTag,
    queue_priority: priority, worker_name: null, token_hash: null, acked: 0, log_size: 0, created_at: now,
    started_at: null, completed_at: null,
    definition_json: toJsonString(RunDefinitionSchema, buildRunDefinition(def, trigger, run, ctx)),
    secrets_enc: secretsEnc,
    trigger_type: trigger.type,
    run_triggers: run.triggers.length ? 1 : 0,
  }));
}
