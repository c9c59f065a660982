// GitLab merge-request payloads (pure parsing): the clone URLs come from
// `git_http_url`, GitLab's documented field and the one JobServ reads;
// `http_url` (its deprecated alias) only when the first is absent.
import { readFileSync } from "node:fs";
import path from "node:path";
import test from "ava";
import { parseGitlabEvent } from "../../../server/forges/gitlab/parse-event.js";

const FIXTURES = path.resolve(import.meta.dirname, "../../fixtures/webhooks/gitlab");
const payload = (name: string) => JSON.parse(readFileSync(path.join(FIXTURES, name), "utf8")) as Record<string, any>;

test("a merge request without http_url builds from git_http_url", (t) => {
  const p = payload("merge_request.open.json");
  for (const side of ["source", "target"]) {
    delete p.object_attributes[side].http_url;
    p.object_attributes[side].git_http_url = `https://gitlab.example/${side}/repo.git`;
  }
  const hook = parseGitlabEvent("Merge Request Hook", p, "https://gitlab.example/api/v4");
  if (hook.kind !== "build") return t.fail(hook.reason);
  t.is(hook.params.GIT_URL, "https://gitlab.example/source/repo.git");
  t.is(hook.params.GL_TARGET_REPO, "https://gitlab.example/target/repo.git");
});

test("git_http_url wins over http_url; a note on a merge request reads it too", (t) => {
  const p = payload("note.merge_request.json");
  p.merge_request.source.git_http_url = "https://gitlab.example/fork/repo.git";
  p.merge_request.source.http_url = "https://gitlab.example/old/repo.git";
  const hook = parseGitlabEvent("Note Hook", p, "https://gitlab.example/api/v4");
  if (hook.kind !== "build") return t.fail(hook.reason);
  t.is(hook.params.GIT_URL, "https://gitlab.example/fork/repo.git");
});

test("neither field: the error names git_http_url", (t) => {
  const p = payload("merge_request.open.json");
  delete p.object_attributes.source.http_url;
  delete p.object_attributes.source.git_http_url;
  const e = t.throws(() => parseGitlabEvent("Merge Request Hook", p, "https://gitlab.example/api/v4"));
  t.regex(e!.message, /object_attributes\.source\.git_http_url/);
});
