// GIT_SHA_BASE of a merge request build (JobServ reads it from the MR
// versions API; the webhook payload does not carry it): the base_commit_sha
// of the version whose head is the build's commit. GitLab computes a new
// version shortly after a push, so a missing one is retried; if it still
// cannot be read the build goes ahead without GIT_SHA_BASE and the reason
// is logged (scripts that diff against the base see the param missing
// rather than losing the build).
import { send } from "../api-request.js";
import { isClientError, withRetries } from "../retry.js";
import type { ForgeDeps } from "../webhook-context.js";
import { mergeRequestVersionsRequest } from "./api.js";
import type { MergeRequestRef } from "./parse-event.js";

/** The base of `versions` (GitLab's JSON) whose head is `sha`, or undefined (pure). */
export function baseOfVersion(versions: unknown, sha: string): string | undefined {
  if (!Array.isArray(versions)) return undefined;
  for (const v of versions as Record<string, unknown>[]) {
    if (v && v["head_commit_sha"] === sha && typeof v["base_commit_sha"] === "string" && v["base_commit_sha"]) return v["base_commit_sha"];
  }
  return undefined;
}

export async function mergeRequestBaseSha(deps: ForgeDeps, token: string | undefined, mr: MergeRequestRef): Promise<string | undefined> {
  const what = `GitLab GET merge request versions ${mr.projectId}!${mr.iid}`;
  const req = mergeRequestVersionsRequest(deps.gitlabApi, token, mr.projectId, mr.iid);
  try {
    return await withRetries(async () => {
      const base = baseOfVersion(await send(req, what), mr.sha);
      if (!base) throw new Error(`${what}: no version with head ${mr.sha} yet`);
      return base;
    }, { attempts: 3, baseMs: deps.retryMs, what, permanent: isClientError, log: deps.log });
  } catch (e) {
    deps.log.warn({ project: mr.projectId, iid: mr.iid, sha: mr.sha, err: (e as Error).message }, "building without GIT_SHA_BASE");
    return undefined;
  }
}
