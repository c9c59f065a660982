// triggerBuild: one transaction allocates the build number, inserts the build
// and its QUEUED runs (with their run definitions); then the injected
// `onQueued` wakes the dispatcher. `builds/` never imports `scheduler/`.
import { Status } from "../../gen/jobserv/v1/status_pb.js";
import { InvalidArgumentError, NotFoundError } from "../errors.js";
import { findTrigger } from "../projects/find-trigger.js";
import { parseProjectDefinition } from "../projects/parse.js";
import { insertBuild, nextBuildNumber } from "../store/builds.js";
import type { Store } from "../store/db.js";
import { findProjectByName } from "../store/projects.js";
import { insertRuns } from "../store/runs.js";
import type { StatusEvents } from "./events.js";
import { queuedRunRows } from "./queued-runs.js";
import type { SecretCipher } from "../secrets/cipher.js";
import { requiredSecretsPresent } from "./required-secrets.js";

export interface TriggerDeps {
  store: Store;
  cipher: SecretCipher;
  events: StatusEvents;
  publicUrl: string;
  now: () => number;
  /** Called after commit: runs are queued. */
  onQueued: () => void;
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
  const def = parseProjectDefinition(definitionYaml);
  const trigger = findTrigger(def, req.triggerName || undefined);
  const secretsRow = await deps.store.db.selectFrom("project_triggers").select("secrets_enc")
    .where("project_id", "=", project.id).where("name", "=", trigger.name).executeTakeFirst();
  const secretsEnc = secretsRow?.secrets_enc ?? "";
  requiredSecretsPresent(def, trigger, Object.keys(deps.cipher.openMap(secretsEnc)));
  const now = deps.now();
  const result = await deps.store.db.transaction().execute(async (trx) => {
    const number = await nextBuildNumber(trx, project.id);
    const buildId = await insertBuild(trx, {
      project_id: project.id, number, status: Status.QUEUED, trigger_name: trigger.name,
      reason: req.reason, params_json: JSON.stringify(req.params), definition_yaml: definitionYaml, created_at: now,
    });
    const ctx = { project: project.name, build: number, triggerParams: req.params, publicUrl: deps.publicUrl };
    await insertRuns(trx, queuedRunRows(def, trigger, trigger.runs, ctx, buildId, secretsEnc, now));
    return { buildId, number };
  });
  const runs = await deps.store.db.selectFrom("runs").select(["id"]).where("build_id", "=", result.buildId).execute();
  for (const r of runs) deps.events.run({ runId: r.id, buildId: result.buildId, status: Status.QUEUED, worker: null, message: "", triggerType: trigger.type });
  deps.onQueued();
  return result;
}
