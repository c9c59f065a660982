// GitHub webhook payload -> what to do (pure). Follows JobServ's github.py:
// pull_request opened/synchronize/reopened (and labeled `ok-to-test`) build
// the PR head; an issue_comment containing `ci-retest` from a repository
// owner/member/collaborator rebuilds the PR (its head SHA is not in the
// payload, so the caller fetches the PR); push builds the pushed branch.
import { InvalidArgumentError } from "../../errors.js";
import { fieldsOf, has, obj, str, type Json } from "../payload.js";
import { hasSkipCi } from "../skip-ci.js";

export type GithubHook =
  | { kind: "ping" }
  | { kind: "ignore"; reason: string }
  | { kind: "pull_request"; action: string; pr: Json; owner: string; repo: string; reason: string }
  | { kind: "retest"; owner: string; repo: string; number: string; reason: string }
  | { kind: "push"; params: Record<string, string>; branch: string; reason: string };

const PR_ACTIONS = new Set(["opened", "synchronize", "reopened"]);
/** Users whose `ci-retest` comments count (GitHub's author_association values). */
const ALLOWED_ASSOCIATIONS = new Set(["OWNER", "MEMBER", "COLLABORATOR"]);
export const OK_TO_TEST = "ok-to-test";

export function parseGithubEvent(event: string, payload: Json): GithubHook {
  switch (event) {
    case "ping": return { kind: "ping" };
    case "pull_request": return pullRequest(payload);
    case "issue_comment": return issueComment(payload);
    case "push": return push(payload);
    case "": throw new InvalidArgumentError("X-GitHub-Event: header missing");
    default: return { kind: "ignore", reason: `event "${event}" is not handled` };
  }
}

function pullRequest(p: Json): GithubHook {
  const action = str(p, "action");
  const pr = obj(p, "pull_request");
  const build = PR_ACTIONS.has(action) || (action === "labeled" && has(p, "label.name") && str(p, "label.name") === OK_TO_TEST);
  if (!build) return { kind: "ignore", reason: `pull_request action "${action}" does not start builds` };
  const full = str(p, "repository.full_name");
  const [owner = "", repo = ""] = full.split("/");
  const number = str(pr, "number");
  return { kind: "pull_request", action, pr, owner, repo, reason: `GitHub PR(${number}): ${action}, ${str(pr, "html_url")}` };
}

function issueComment(p: Json): GithubHook {
  const action = str(p, "action");
  if (action !== "created") return { kind: "ignore", reason: `issue_comment action "${action}" does not start builds` };
  if (!has(p, "issue.pull_request")) return { kind: "ignore", reason: "comment is on an issue, not a pull request" };
  const body = typeof obj(p, "comment")["body"] === "string" ? str(p, "comment.body") : "";
  if (!body.includes("ci-retest")) return { kind: "ignore", reason: "comment does not contain ci-retest" };
  const association = str(p, "comment.author_association");
  if (!ALLOWED_ASSOCIATIONS.has(association)) {
    return { kind: "ignore", reason: `ci-retest from ${str(p, "comment.user.login")} (${association}) is not allowed` };
  }
  const [owner = "", repo = ""] = str(p, "repository.full_name").split("/");
  const number = str(p, "issue.number");
  return { kind: "retest", owner, repo, number, reason: `GitHub PR(${number}): ci-retest, ${str(p, "issue.html_url")}` };
}

function push(p: Json): GithubHook {
  const ref = str(p, "ref");
  if (p["deleted"] === true) return { kind: "ignore", reason: `push deleted ${ref}` };
  const after = str(p, "after");
  const head = has(p, "head_commit.message") ? str(p, "head_commit.message") : "";
  if (hasSkipCi(head)) return { kind: "ignore", reason: `head commit ${after} asks to skip CI` };
  const branch = ref.replace(/^refs\/(heads|tags)\//, "");
  const params = {
    GH_OWNER: str(p, "repository.owner.login"),
    GH_REPO: str(p, "repository.name"),
    GH_BRANCH: branch,
    GIT_URL: str(p, "repository.clone_url"),
    GIT_REF: ref,
    GIT_OLD_SHA: str(p, "before"),
    GIT_SHA: after,
  };
  return { kind: "push", params, branch, reason: `GitHub push to ${ref} of ${str(p, "repository.full_name")}: ${str(p, "compare")}` };
}

/**
 * JobServ's github_pr params from a pull request object (webhook payload or
 * `GET /repos/{o}/{r}/pulls/{n}`); `where` names it in errors.
 */
export function pullRequestParams(pr: Json, owner: string, repo: string, where = "pull_request"): Record<string, string> {
  const f = fieldsOf(pr, where);
  return {
    GH_PRNUM: f("number"),
    GH_OWNER: owner,
    GH_REPO: repo,
    GH_BRANCH: f("base.ref"),
    GH_STATUS_URL: f("statuses_url"),
    GH_TARGET_REPO: f("base.repo.clone_url"),
    GIT_URL: f("head.repo.clone_url"),
    GIT_SHA_BASE: f("base.sha"),
    GIT_OLD_SHA: f("base.sha"),
    GIT_SHA: f("head.sha"),
  };
}

/** Whether a trigger's `GH_BRANCH` param (comma/space list; absent = any) accepts `branch`. */
export function branchMatches(triggerParams: Record<string, string>, branch: string): boolean {
  const list = triggerParams["GH_BRANCH"];
  if (list === undefined || list.trim() === "") return true;
  return list.split(/[\s,]+/).includes(branch);
}
