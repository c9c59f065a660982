// What an inbound forge webhook needs before anything is parsed: the project,
// and the triggers that may handle it with their secrets (the one named in
// the URL, else every trigger of the forge's type).
import type { TriggerDeps } from "../builds/trigger.js";
import { NotFoundError } from "../errors.js";
import type { TriggerSpec, TriggerType } from "../projects/schema.js";
import { getTriggerSecrets } from "../secrets/trigger-secrets.js";
import type { ProjectRow } from "../store/database.js";
import { findProjectByName } from "../store/projects.js";
import type { Logger } from "../logger.js";

export interface ForgeDeps {
  trigger: TriggerDeps;
  githubApi: string;
  gitlabApi: string;
  retryMs: number;
  log: Logger;
}

export interface Candidate {
  spec: TriggerSpec;
  secrets: Record<string, string>;
}

export interface WebhookContext {
  project: ProjectRow;
  candidates: Candidate[];
}

/** The secret name holding a trigger's inbound webhook key (JobServ's name). */
export const WEBHOOK_KEY = "webhook-key";

export async function webhookContext(deps: ForgeDeps, projectName: string, triggerName: string | undefined, type: TriggerType): Promise<WebhookContext> {
  const { store, cipher } = deps.trigger;
  const project = await findProjectByName(store.db, projectName);
  if (!project) throw new NotFoundError(`project "${projectName}" not found`);
  const def = await deps.trigger.lifecycle.definitions.parse(project.definition_yaml);
  const specs = triggerName === undefined ? def.triggers.filter((t) => t.type === type) : def.triggers.filter((t) => t.name === triggerName);
  if (specs.length === 0) {
    throw new NotFoundError(triggerName === undefined ? `project "${projectName}" has no ${type} trigger` : `project "${projectName}" has no trigger "${triggerName}"`);
  }
  const candidates: Candidate[] = [];
  for (const spec of specs) candidates.push({ spec, secrets: await getTriggerSecrets(store, cipher, project.id, spec.name) });
  return { project, candidates };
}
