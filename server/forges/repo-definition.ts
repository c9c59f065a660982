// The definition a forge build runs from when its trigger has the param
// JOBSERV_DEFINITION_FILE (JobServ's definition_repo/definition_file): the
// file read from the repository at the build's GIT_SHA, whose trigger of the
// same name and type is run. The stored trigger still decides everything
// before that (authentication, branch, gates), and its secrets are the ones
// the build gets. Each forge supplies a DefinitionSource (how to read the
// file, how to put an error status on the commit).
//
// A file that cannot be used (missing, unreadable, invalid YAML, no such
// trigger, secrets it needs absent) creates no build: the commit gets an
// error status whose description is the problem, and the webhook answers 202
// `{error}` with the whole reason. The delivery itself was fine, so no 4xx
// (the forge would only show it in the hook's settings, where the author of
// the change never looks).
import { requiredSecretsPresent } from "../builds/required-secrets.js";
import { findTrigger } from "../projects/find-trigger.js";
import { parseProjectDefinition } from "../projects/parse.js";
import type { ProjectDefinition, TriggerType } from "../projects/schema.js";
import type { ApiRequest } from "./api-request.js";
import { DEFINITION_FILE_PARAM, definitionFilePath, definitionLocation, fetchDefinitionFile, type DefinitionLocation } from "./definition-file.js";
import { HttpStatusError, isClientError, withRetries } from "./retry.js";
import type { Candidate, ForgeDeps } from "./webhook-context.js";

export type RepoDefinition =
  | { kind: "stored" }
  | { kind: "file"; yaml: string }
  | { kind: "failed"; reason: string };

export interface DefinitionSource {
  type: TriggerType;
  /** The change's commit (an in-tree file is read there; error statuses go there). */
  sha: string;
  /** The GET request answering with the file's raw bytes at `where`. */
  fileRequest(path: string, where: DefinitionLocation): ApiRequest;
  /** For logs and errors, e.g. `GitHub GET owner/repo/.jobserv.yml@sha`. */
  describe(path: string, where: DefinitionLocation): string;
  /** Puts an error status with `text` on the commit (best effort). */
  reportError(text: string): Promise<void>;
}

/** Throws (with a readable message) unless `yaml` can run trigger `name` of `type` with the given secrets (pure). */
export function checkRepoDefinition(yaml: string, name: string, type: TriggerType, secretNames: readonly string[]): void {
  checkRepoTrigger(parseProjectDefinition(yaml), name, type, secretNames);
}

/** checkRepoDefinition for a definition already parsed. */
export function checkRepoTrigger(def: ProjectDefinition, name: string, type: TriggerType, secretNames: readonly string[]): void {
  const trigger = findTrigger(def, name);
  if (trigger.type !== type) throw new Error(`trigger "${name}" has type ${trigger.type}; expected ${type}`);
  requiredSecretsPresent(def, trigger, secretNames);
}

export async function definitionFromRepository(deps: ForgeDeps, chosen: Candidate, source: DefinitionSource): Promise<RepoDefinition> {
  let file = chosen.spec.params[DEFINITION_FILE_PARAM] ?? ".jobserv.yml";
  let where: DefinitionLocation | undefined;
  try {
    where = definitionLocation(chosen.spec.params);
    if (!where) return { kind: "stored" };
    file = definitionFilePath(where.file);
    const what = source.describe(file, where);
    const req = source.fileRequest(file, where);
    const yaml = await withRetries(() => fetchDefinitionFile(req, what), { attempts: 3, baseMs: deps.retryMs, what, permanent: isClientError, log: deps.log });
    checkRepoTrigger(await deps.trigger.lifecycle.definitions.parse(yaml), chosen.spec.name, source.type, Object.keys(chosen.secrets));
    return { kind: "file", yaml };
  } catch (e) {
    const place = where?.repo ? `${where.repo}${where.ref ? `@${where.ref}` : ""}` : "the repository at that commit";
    const why = e instanceof HttpStatusError && e.status === 404 ? `not found in ${place}` : (e as Error).message;
    await source.reportError(`No build: ${file}: ${why}`);
    return { kind: "failed", reason: `no build: ${file} at ${source.sha}: ${why}` };
  }
}

/** Sends a status request with retries; failures are logged by withRetries and otherwise ignored. */
export async function sendStatusBestEffort(deps: ForgeDeps, req: ApiRequest, what: string, send: (r: ApiRequest, what: string) => Promise<unknown>): Promise<void> {
  try {
    await withRetries(() => send(req, what), { attempts: 3, baseMs: deps.retryMs, what, permanent: isClientError, log: deps.log });
  } catch {
    // The webhook's answer still carries the reason.
  }
}
