// Store rows -> API messages.
import { create } from "@bufbuild/protobuf";
import { timestampFromMs, type Timestamp } from "@bufbuild/protobuf/wkt";
import { BuildSchema, type Build } from "../../gen/jobserv/v1/build_pb.js";
import { ProjectSchema, type Project } from "../../gen/jobserv/v1/project_pb.js";
import { RunSchema, type Run } from "../../gen/jobserv/v1/run_pb.js";
import type { BuildSummaryRow, ProjectRow, RunSummaryRow } from "../store/database.js";

const ts = (ms: number | null): Timestamp | undefined => (ms === null ? undefined : timestampFromMs(Number(ms)));

export function toProject(row: ProjectRow, triggerNames: string[]): Project {
  return create(ProjectSchema, {
    name: row.name, definitionYaml: row.definition_yaml, triggerNames,
    createTime: ts(row.created_at), updateTime: ts(row.updated_at), public: Boolean(row.public),
    ...(row.keep_builds || row.keep_days ? { retention: { keepBuilds: row.keep_builds, keepDays: row.keep_days } } : {}),
    synchronousBuilds: Boolean(row.synchronous_builds),
  });
}

export function toRun(row: RunSummaryRow, project: string, buildNumber: number): Run {
  return create(RunSchema, {
    project, buildNumber, name: row.name, status: row.status, hostTag: row.host_tag,
    workerName: row.worker_name ?? "", logSize: BigInt(row.log_size), statusMessage: row.status_message,
    queuePriority: row.queue_priority, imageDigest: row.image_digest,
    ...fromDefinition(row.definition_json),
    createTime: ts(row.created_at), startTime: ts(row.started_at), completeTime: ts(row.completed_at),
  });
}

/** What a Run tells of its definition: the console-progress pattern and trigger (proto JSON names are lowerCamelCase). */
function fromDefinition(definitionJson: string): { consoleProgressPattern: string; triggerName: string } {
  const def = JSON.parse(definitionJson) as { consoleProgressPattern?: string; triggerName?: string };
  return { consoleProgressPattern: def.consoleProgressPattern ?? "", triggerName: def.triggerName ?? "" };
}

export function toBuild(row: BuildSummaryRow, project: string, runs: readonly RunSummaryRow[]): Build {
  return create(BuildSchema, {
    project, number: row.number, status: row.status, triggerName: row.trigger_name, reason: row.reason,
    params: JSON.parse(row.params_json) as Record<string, string>,
    runs: runs.map((r) => toRun(r, project, row.number)),
    createTime: ts(row.created_at), completeTime: ts(row.completed_at),
    name: row.name, annotation: row.annotation ?? "", queuePriority: row.queue_priority,
  });
}

/** Page tokens are opaque to clients: base64url of the last key seen. */
export function encodePageToken(key: string | number): string {
  return Buffer.from(String(key)).toString("base64url");
}

export function decodePageToken(token: string): string {
  return Buffer.from(token, "base64url").toString();
}

export function pageSize(requested: number, dflt: number): number {
  return requested <= 0 ? dflt : Math.min(requested, 1000);
}
