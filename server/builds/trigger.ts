// triggerBuild: checks a trigger request (params, project, trigger, the
// secrets its runs need) and hands it to the lifecycle, which numbers the
// build and queues its runs in one transaction.
import type { TriggerBuildRequest } from "../../gen/jobserv/v1/build_pb.js";
import type { Principal } from "../auth/access.js";
import { InvalidArgumentError, NotFoundError } from "../errors.js";
import { findTrigger } from "../projects/find-trigger.js";
import { MAX_QUEUE_PRIORITY } from "../projects/parse-trigger.js";
import type { EarlyTransaction } from "../store/builds.js";
import type { Store } from "../store/db.js";
import { findProjectByName, findTriggerRow, firstTriggerSecretsOfType, type ProjectWithTrigger } from "../store/projects.js";
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
  /** JobServ's posted build: secrets over the inherited ones (`triggered-by` is never taken from here). */
  secrets?: Record<string, string>;
  /** Inherit the secrets of the project's first trigger of this type (suffix `-optional`: none is no error). */
  secretsFromTriggerType?: string;
  /** Inherit the secrets of the project's trigger of this name. */
  secretsFromTrigger?: string;
  /** Who asked (an API token's name): the runs' `triggered-by` secret. */
  triggeredBy?: string;
  /** Queue priority (higher first); unset: the trigger's `queue-priority`. */
  queuePriority?: number | undefined;
}

const SECRET_NAME = /^[A-Za-z0-9_.-]+$/;

/** The secrets of a build from a posted definition: inherited (by trigger type, then name), then posted, then `triggered-by`. */
async function postedSecrets(deps: TriggerDeps, projectId: number, req: TriggerRequest, own: string): Promise<string> {
  if (!req.secrets && !req.secretsFromTriggerType && !req.secretsFromTrigger && !req.triggeredBy) return own;
  const merged: Record<string, string> = {};
  if (req.secretsFromTriggerType) {
    const optional = req.secretsFromTriggerType.endsWith("-optional");
    const type = optional ? req.secretsFromTriggerType.slice(0, -"-optional".length) : req.secretsFromTriggerType;
    const sealed = await firstTriggerSecretsOfType(deps.store.db, projectId, type);
    if (sealed === undefined && !optional) throw new InvalidArgumentError(`trigger-type: the project has no trigger of type "${type}"`);
    Object.assign(merged, deps.cipher.openMap(sealed ?? ""));
  }
  if (req.secretsFromTrigger) {
    const row = await findTriggerRow(deps.store.db, projectId, req.secretsFromTrigger);
    if (!row) throw new InvalidArgumentError(`trigger-id: the project has no trigger "${req.secretsFromTrigger}"`);
    Object.assign(merged, deps.cipher.openMap(row.secrets_enc));
  }
  for (const [k, v] of Object.entries(req.secrets ?? {})) {
    if (!SECRET_NAME.test(k)) throw new InvalidArgumentError(`secrets: "${k}" must match ${SECRET_NAME.source}`);
    merged[k] = v;
  }
  delete merged["triggered-by"];
  if (req.triggeredBy) merged["triggered-by"] = req.triggeredBy;
  return Object.keys(merged).length ? deps.cipher.sealMap(merged) : "";
}

/** A TriggerBuild request (RPC, or the REST route that creates builds) as the trigger takes it. */
export function triggerRequest(req: TriggerBuildRequest, caller: Principal): TriggerRequest {
  const posted = req.definitionYaml !== "" || Object.keys(req.secrets).length > 0 || req.secretsFromTriggerType !== "" || req.secretsFromTrigger !== "";
  return {
    project: req.project, triggerName: req.triggerName, params: req.params, reason: req.reason || "triggered through the API",
    ...(req.definitionYaml ? { definitionYaml: req.definitionYaml } : {}),
    ...(posted ? { secrets: req.secrets, secretsFromTriggerType: req.secretsFromTriggerType, secretsFromTrigger: req.secretsFromTrigger } : {}),
    ...(posted && caller.kind === "token" ? { triggeredBy: caller.token.name } : {}),
    queuePriority: req.queuePriority,
  };
}

const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * `found`: the project (and the row of the trigger the request names) as the
 * caller already read it for its access check (`findProjectWithTrigger`), so
 * they are not read again; otherwise read here. `early`: the transaction to
 * create the build in, begun by the caller before these reads (it rolls it
 * back with `end` if the trigger is refused).
 */
export async function triggerBuild(deps: TriggerDeps, req: TriggerRequest, found?: ProjectWithTrigger,
  early?: EarlyTransaction): Promise<{ buildId: number; number: number }> {
  for (const [k, v] of Object.entries(req.params)) {
    if (!PARAM_NAME.test(k)) throw new InvalidArgumentError(`params: "${k}" is not a valid variable name`);
    if (v.length > 65536) throw new InvalidArgumentError(`params.${k}: longer than 65536 characters`);
  }
  if (req.queuePriority !== undefined && (!Number.isInteger(req.queuePriority) || Math.abs(req.queuePriority) > MAX_QUEUE_PRIORITY)) {
    throw new InvalidArgumentError(`queue priority: ${req.queuePriority} is not an integer between -${MAX_QUEUE_PRIORITY} and ${MAX_QUEUE_PRIORITY}`);
  }
  const project = found?.project ?? await findProjectByName(deps.store.db, req.project);
  if (!project) throw new NotFoundError(`project "${req.project}" not found`);
  const definitionYaml = req.definitionYaml ?? project.definition_yaml;
  const definition = await deps.lifecycle.definitions.parse(definitionYaml);
  const trigger = findTrigger(definition, req.triggerName || undefined);
  const triggerRow = found?.trigger.name === trigger.name ? found.trigger.row : await findTriggerRow(deps.store.db, project.id, trigger.name);
  const own = triggerRow?.secrets_enc ?? "";
  const secretsEnc = await postedSecrets(deps, project.id, req, own);
  requiredSecretsPresent(definition, trigger, Object.keys(deps.cipher.openMap(secretsEnc)));
  return deps.lifecycle.queueBuild({
    project, definition, definitionYaml, trigger, params: req.params, reason: req.reason, secretsEnc,
    queuePriority: req.queuePriority ?? trigger.queuePriority, early,
  });
}
