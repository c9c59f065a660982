// triggerBuild: checks a trigger request (params, project, trigger, the
// secrets its runs need) and hands it to the lifecycle, which numbers the
// build and queues its runs in one transaction.
import { InvalidArgumentError, NotFoundError } from "../errors.js";
import { findTrigger } from "../projects/find-trigger.js";
import { parseProjectDefinition } from "../projects/parse.js";
import type { Store } from "../store/db.js";
import { findProjectByName, findTriggerRow } from "../store/projects.js";
import type { SecretCipher } from "../secrets/cipher.js";
import type { Lifecycle } from "./lifecycle.js";
import { requiredSecretsPresent } from "./required-secrets.js";

export interface TriggerDeps {
  store: Store;
  cipher: SecretCipher;
  lifecycle: Lifecycle;
  /** Base URL of the API, for the links callers get back. */
  publicUrl: string;
  now: () => number;
}

export interface TriggerRequest {
  project: string;
  triggerName?: string;
  params: Record<string, string>;
  reason: string;
  /**
   * A definition to build from instead of the project's stored one (a
   * github_pr trigger's JOBSERV_DEFINITION_FILE, read from the repository at
   * the PR's SHA). Stored on the build, so its chained triggers use it too.
   */
  definitionYaml?: string;
}

const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export async function triggerBuild(deps: TriggerDeps, req: TriggerRequest): Promise<{ buildId: number; number: number }> {
  for (const [k, v] of Object.entries(req.params)) {
    if (!PARAM_NAME.test(k)) throw new InvalidArgumentError(`params: "${k}" is not a valid variable name`);
    if (v.length > 65536) throw new InvalidArgumentError(`params.${k}: longer than 65536 characters`);
  }
  const project = await findProjectByName(deps.store.db, req.project);
  if (!project) throw new NotFoundError(`project "${req.project}" not found`);
  const definitionYaml = req.definitionYaml ?? project.definition_yaml;
  const definition = parseProjectDefinition(definitionYaml);
  const trigger = findTrigger(definition, req.triggerName || undefined);
  const secretsEnc = (await findTriggerRow(deps.store.db, project.id, trigger.name))?.secrets_enc ?? "";
  requiredSecretsPresent(definition, trigger, Object.keys(deps.cipher.openMap(secretsEnc)));
  return deps.lifecycle.queueBuild({ project, definition, definitionYaml, trigger, params: req.params, reason: req.reason, secretsEnc });
}
