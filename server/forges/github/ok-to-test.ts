// `ok-to-test` gating of pull requests from outside contributors (pure).
// Opt-in per github_pr trigger with the param GH_REQUIRE_OK_TO_TEST (any value
// but empty, 0, false or no). Then a PR whose `author_association` is not
// OWNER, MEMBER or COLLABORATOR is not built on opened/synchronize/reopened;
// a maintainer approves the current head by adding the `ok-to-test` label
// (the `labeled` event builds) or commenting `ci-retest`. The label being
// present does not approve later pushes: each new head needs a maintainer
// again, since the head's code (and its JOBSERV_DEFINITION_FILE) runs with
// the trigger's secrets. The decision reads the stored trigger's params,
// never the repository's definition file.
import { optStr, type Json } from "../payload.js";
import { flagEnabled } from "../trigger-flags.js";
import { OK_TO_TEST } from "./parse-event.js";

/** The github_pr trigger param turning the gate on. */
export const REQUIRE_OK_TO_TEST = "GH_REQUIRE_OK_TO_TEST";

/** GitHub's `author_association` values of people trusted to run CI. */
export const TRUSTED_ASSOCIATIONS: ReadonlySet<string> = new Set(["OWNER", "MEMBER", "COLLABORATOR"]);

export function okToTestRequired(triggerParams: Record<string, string>): boolean {
  return flagEnabled(triggerParams, REQUIRE_OK_TO_TEST);
}

/**
 * Why a `pull_request` event must not build under the trigger's params, or
 * undefined when it may. `action` is the event's action, `pr` its
 * `pull_request` object (a missing author_association counts as outside).
 */
export function okToTestRefusal(triggerParams: Record<string, string>, action: string, pr: Json): string | undefined {
  // parse-event lets `labeled` through only for the ok-to-test label.
  if (!okToTestRequired(triggerParams) || action === "labeled") return undefined;
  const association = optStr(pr, "author_association") ?? "NONE";
  if (TRUSTED_ASSOCIATIONS.has(association)) return undefined;
  const who = optStr(pr, "user.login") ?? "unknown";
  return `pull request by ${who} (${association}) needs the "${OK_TO_TEST}" label from a maintainer (${REQUIRE_OK_TO_TEST} is set)`;
}
