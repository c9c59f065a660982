// Who may start a gitlab_mr build. A `ci-retest` note counts only from a
// member of the target project with Developer access or more (GitLab's
// members API; GitHub's equivalent is the comment's author_association).
// With the trigger param GL_REQUIRE_OK_TO_TEST, merge requests from forks
// are not built on open/reopen/update: a member's `ci-retest` note approves
// the current head (each new push needs one again, since the head's code,
// and its JOBSERV_DEFINITION_FILE, runs with the trigger's secrets).
import { send } from "../api-request.js";
import { HttpStatusError, isClientError, withRetries } from "../retry.js";
import { flagEnabled } from "../trigger-flags.js";
import type { ForgeDeps } from "../webhook-context.js";
import { projectMemberRequest } from "./api.js";
import type { MergeRequestRef } from "./parse-event.js";

export const REQUIRE_OK_TO_TEST = "GL_REQUIRE_OK_TO_TEST";
/** GitLab's access level of a Developer; Maintainer is 40, Owner 50. */
export const DEVELOPER_ACCESS = 30;

/** Why an MR event (not a note) must not build under the trigger's params, or undefined (pure). */
export function forkRefusal(triggerParams: Record<string, string>, mr: MergeRequestRef): string | undefined {
  if (!flagEnabled(triggerParams, REQUIRE_OK_TO_TEST) || !mr.fromFork) return undefined;
  return `merge request !${mr.iid} comes from a fork: a project member (Developer or more) must comment ci-retest (${REQUIRE_OK_TO_TEST} is set)`;
}

/** Why `user`'s ci-retest note must not build, or undefined when they are a Developer or more of the target project. */
export async function retestRefusal(deps: ForgeDeps, token: string | undefined, mr: MergeRequestRef, user: { id: string; username: string }): Promise<string | undefined> {
  const what = `GitLab GET member ${user.id} of project ${mr.projectId}`;
  let level = 0;
  try {
    const member = await withRetries(() => send(projectMemberRequest(deps.gitlabApi, token, mr.projectId, user.id), what),
      { attempts: 3, baseMs: deps.retryMs, what, permanent: isClientError, log: deps.log });
    const v = (member as Record<string, unknown> | null)?.["access_level"];
    level = typeof v === "number" ? v : 0;
  } catch (e) {
    if (!(e instanceof HttpStatusError && e.status === 404)) return `ci-retest from ${user.username}: membership could not be checked (${(e as Error).message})`;
  }
  if (level >= DEVELOPER_ACCESS) return undefined;
  return `ci-retest from ${user.username} is not allowed: needs Developer access or more to project ${mr.projectId}`;
}
