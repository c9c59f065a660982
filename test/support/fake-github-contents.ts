// GitHub's "Get repository content" endpoint for the fake forge
// (test/support/fake-forge.ts): `GET /repos/{owner}/{repo}/contents/{path}?ref={sha}`
// serving files of one repository by commit. Requests are checked against
// GitHub's documented format (method, raw media type in Accept, `ref`, the
// API version header, `token` authorization); every deviation is answered
// with an error and recorded in `violations`, which tests assert empty.
import type { RecordedRequest, Reply } from "./fake-forge.js";

export interface FakeContents {
  respond: (r: RecordedRequest) => Reply | undefined;
  violations: string[];
  /** The contents requests seen, in order. */
  seen: RecordedRequest[];
}

const RAW_TYPES = new Set(["application/vnd.github.raw+json", "application/vnd.github.raw", "application/vnd.github.v3.raw"]);
const NOT_FOUND = { message: "Not Found", documentation_url: "https://docs.github.com/rest/repos/contents#get-repository-content", status: "404" };

/** `files` maps a commit SHA or ref name ("HEAD": the default branch) to repository paths and their text. */
export function fakeGithubContents(owner: string, repo: string, token: string, files: Record<string, Record<string, string>>): FakeContents {
  const violations: string[] = [];
  const seen: RecordedRequest[] = [];
  const prefix = `/repos/${owner}/${repo}/contents/`;
  const respond = (r: RecordedRequest): Reply | undefined => {
    const url = new URL(r.path, "http://fake");
    if (!url.pathname.startsWith(prefix)) return undefined;
    seen.push(r);
    const bad = (what: string, reply: Reply): Reply => { violations.push(`${r.method} ${r.path}: ${what}`); return reply; };
    if (r.method !== "GET") return bad(`method ${r.method}`, { status: 404, body: NOT_FOUND });
    const accept = String(r.headers["accept"] ?? "");
    if (!RAW_TYPES.has(accept)) return bad(`Accept "${accept}" is not a raw media type`, { status: 415, body: { message: "fake GitHub: expected a raw media type" } });
    if (r.headers["x-github-api-version"] !== "2022-11-28") return bad("X-GitHub-Api-Version missing", { status: 400, body: { message: "fake GitHub: API version" } });
    const auth = r.headers["authorization"];
    if (auth === undefined) return bad("no Authorization (a private repository answers 404)", { status: 404, body: NOT_FOUND });
    if (auth !== `token ${token}` && auth !== `Bearer ${token}`) return bad(`Authorization "${auth}"`, { status: 401, body: { message: "Bad credentials" } });
    // No ref: the default branch (served as "HEAD"); else a commit SHA or a branch/tag name.
    const ref = url.searchParams.get("ref") ?? "HEAD";
    if (!/^[0-9a-f]{40}$|^[\w.-]+(\/[\w.-]+)*$/.test(ref)) return bad(`ref "${ref}" is not a commit SHA or ref name`, { status: 422, body: { message: "fake GitHub: ref" } });
    const path = url.pathname.slice(prefix.length).split("/").map(decodeURIComponent).join("/");
    const text = files[ref]?.[path];
    if (text === undefined) return { status: 404, body: NOT_FOUND };
    return { status: 200, raw: { text, contentType: "application/vnd.github.raw+json; charset=utf-8" } };
  };
  return { respond, violations, seen };
}
