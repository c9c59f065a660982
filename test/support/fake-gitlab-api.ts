// GitLab API v4 endpoints for the fake forge (test/support/fake-forge.ts), as
// GitLab documents them: merge request versions, project members (all, with
// access_level; 404 for a non-member), raw repository files at a ref (the
// file path one URL-encoded segment), and commit statuses. Requests are
// checked (method, PRIVATE-TOKEN, encoded path, `ref`, status body fields);
// every deviation is answered with an error and recorded in `violations`,
// which tests assert empty.
import type { RecordedRequest, Reply } from "./fake-forge.js";

export interface GitlabFixtures {
  token: string;
  /** `<project>!<iid>` -> versions, newest first. */
  versions?: Record<string, { head_commit_sha: string; base_commit_sha: string; start_commit_sha: string }[]>;
  /** `<project>/<user id>` -> access level (10 guest … 50 owner). */
  members?: Record<string, number>;
  /** `<project id or path>@<ref>` -> repository path -> text. */
  files?: Record<string, Record<string, string>>;
}

export interface FakeGitlab {
  respond: (r: RecordedRequest) => Reply | undefined;
  violations: string[];
  seen: RecordedRequest[];
}

const STATES = new Set(["pending", "running", "success", "failed", "canceled"]);
const notFound = (what: string): Reply => ({ status: 404, body: { message: `404 ${what} Not Found` } });

export function fakeGitlabApi(f: GitlabFixtures): FakeGitlab {
  const violations: string[] = [];
  const seen: RecordedRequest[] = [];
  const respond = (r: RecordedRequest): Reply | undefined => {
    const url = new URL(r.path, "http://fake");
    const bad = (what: string): Reply => { violations.push(`${r.method} ${r.path}: ${what}`); return { status: 400, body: { message: what } }; };
    let m: RegExpExecArray | null;
    seen.push(r);
    if (r.headers["private-token"] !== f.token) return { status: 401, body: { message: "401 Unauthorized" } };
    if ((m = /^\/api\/v4\/projects\/(\d+)\/merge_requests\/(\d+)\/versions$/.exec(url.pathname))) {
      if (r.method !== "GET") return bad(`method ${r.method}`);
      const v = f.versions?.[`${m[1]}!${m[2]}`];
      return v ? { status: 200, body: v } : notFound("Merge Request");
    }
    if ((m = /^\/api\/v4\/projects\/(\d+)\/members\/all\/(\d+)$/.exec(url.pathname))) {
      if (r.method !== "GET") return bad(`method ${r.method}`);
      const level = f.members?.[`${m[1]}/${m[2]}`];
      return level === undefined ? notFound("Member") : { status: 200, body: { id: Number(m[2]), username: `user${m[2]}`, access_level: level, state: "active" } };
    }
    // The project (id or path) and the file path are each one URL-encoded segment.
    if ((m = /^\/api\/v4\/projects\/([^/]+)\/repository\/files\/([^/]+)\/raw$/.exec(r.path.split("?")[0]!))) {
      if (r.method !== "GET") return bad(`method ${r.method}`);
      const ref = url.searchParams.get("ref");
      if (!ref) return bad("ref missing");
      const text = f.files?.[`${decodeURIComponent(m[1]!)}@${ref}`]?.[decodeURIComponent(m[2]!)];
      return text === undefined ? notFound("File") : { status: 200, raw: { text, contentType: "text/plain; charset=utf-8" } };
    }
    if ((m = /^\/api\/v4\/projects\/(\d+)\/statuses\/([0-9a-f]{40})$/.exec(url.pathname))) {
      if (r.method !== "POST") return bad(`method ${r.method}`);
      if (!String(r.headers["content-type"]).startsWith("application/json")) return bad("content-type");
      const body = JSON.parse(r.body) as Record<string, unknown>;
      if (!STATES.has(String(body["state"]))) return bad(`state ${String(body["state"])}`);
      if (typeof body["name"] !== "string" || !body["name"]) return bad("name");
      return { status: 201, body: { id: seen.length, sha: m[2], status: body["state"], name: body["name"] } };
    }
    return bad("not a GitLab endpoint this fake serves");
  };
  return { respond, violations, seen };
}
