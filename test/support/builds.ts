// Drives a project through a real server: create it from YAML, optionally set
// trigger secrets, trigger a build and wait for it to complete; read logs.
import { BuildService, type Build } from "../../gen/jobserv/v1/build_pb.js";
import { ProjectService } from "../../gen/jobserv/v1/project_pb.js";
import { RunService } from "../../gen/jobserv/v1/run_pb.js";
import { Status } from "../../gen/jobserv/v1/status_pb.js";
import { apiClient, eventually } from "./clients.js";

export async function applyProject(url: string, name: string, yaml: string, secrets?: { trigger: string; values: Record<string, string> }): Promise<void> {
  const projects = apiClient(ProjectService, url);
  try {
    await projects.createProject({ name, definitionYaml: yaml });
  } catch {
    await projects.updateProject({ name, definitionYaml: yaml });
  }
  if (secrets) await projects.setTriggerSecrets({ project: name, triggerName: secrets.trigger, secrets: secrets.values });
}

export async function trigger(url: string, project: string, triggerName: string, params: Record<string, string> = {}): Promise<number> {
  const { build } = await apiClient(BuildService, url).triggerBuild({ project, triggerName, params });
  return build!.number;
}

export async function waitForBuild(url: string, project: string, number: number, why: () => string = () => "", ms = 60_000): Promise<Build> {
  return eventually(async () => {
    const { build } = await apiClient(BuildService, url).getBuild({ project, number });
    return build && (build.status === Status.PASSED || build.status === Status.FAILED) ? build : undefined;
  }, ms, () => `build ${project}#${number} to complete. ${why()}`);
}

export async function readLog(url: string, project: string, build: number, run: string): Promise<string> {
  const parts: Uint8Array[] = [];
  for await (const msg of apiClient(RunService, url).tailLog({ ref: { project, buildNumber: build, run } })) parts.push(msg.data);
  return Buffer.concat(parts).toString();
}
