// The pure parts of the ok-to-test gate and of reading a definition file from
// GitHub: which param values turn the gate on, who passes it, which file paths
// are accepted, and the contents request (path segments and ref encoded).
import test from "ava";
import { InvalidArgumentError } from "../../../server/errors.js";
import { definitionFilePath, definitionLocation } from "../../../server/forges/definition-file.js";
import { definitionFileRequest } from "../../../server/forges/github/definition-file.js";
import { okToTestRefusal, okToTestRequired } from "../../../server/forges/github/ok-to-test.js";
import { checkRepoDefinition } from "../../../server/forges/repo-definition.js";

test("GH_REQUIRE_OK_TO_TEST: any value but empty, 0, false, no turns the gate on", (t) => {
  for (const v of ["1", "yes", "true", "TRUE", "on"]) t.true(okToTestRequired({ GH_REQUIRE_OK_TO_TEST: v }), v);
  for (const v of ["", " ", "0", "false", "No"]) t.false(okToTestRequired({ GH_REQUIRE_OK_TO_TEST: v }), v);
  t.false(okToTestRequired({}));
});

test("okToTestRefusal: outsiders wait for the label; trusted associations and labeled events pass", (t) => {
  const on = { GH_REQUIRE_OK_TO_TEST: "1" };
  const pr = (association?: string) => ({ user: { login: "someone" }, ...(association ? { author_association: association } : {}) });
  for (const a of ["OWNER", "MEMBER", "COLLABORATOR"]) t.is(okToTestRefusal(on, "opened", pr(a)), undefined, a);
  for (const a of ["CONTRIBUTOR", "FIRST_TIME_CONTRIBUTOR", "FIRST_TIMER", "NONE", "MANNEQUIN"]) {
    t.regex(okToTestRefusal(on, "synchronize", pr(a)) ?? "", new RegExp(`someone \\(${a}\\) needs the "ok-to-test" label`), a);
  }
  t.regex(okToTestRefusal(on, "reopened", pr()) ?? "", /\(NONE\)/, "no author_association counts as outside");
  t.is(okToTestRefusal(on, "labeled", pr("NONE")), undefined);
  t.is(okToTestRefusal({}, "opened", pr("NONE")), undefined, "gate off");
});

test("definitionFilePath: relative paths inside the repository only", (t) => {
  t.is(definitionFilePath(".jobserv.yml"), ".jobserv.yml");
  t.is(definitionFilePath("./ci/project.yml"), "ci/project.yml");
  for (const bad of ["", "/etc/passwd", "../x.yml", "ci/../../x.yml", "ci//x.yml", "ci/"]) {
    t.throws(() => definitionFilePath(bad), { instanceOf: InvalidArgumentError, message: /JOBSERV_DEFINITION_FILE/ }, bad);
  }
});

test("definitionFileRequest: GitHub's contents endpoint, raw media type, token auth", (t) => {
  const sha = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";
  const req = definitionFileRequest("https://ghe.example/api/v3", "tok", "o", "r", "ci dir/jobserv#1.yml", sha);
  t.deepEqual(req, {
    method: "GET",
    url: `https://ghe.example/api/v3/repos/o/r/contents/ci%20dir/jobserv%231.yml?ref=${sha}`,
    headers: { accept: "application/vnd.github.raw+json", "x-github-api-version": "2022-11-28", authorization: "token tok" },
  });
  t.false("authorization" in definitionFileRequest("https://api.github.com", undefined, "o", "r", "x.yml", sha).headers);
});

test("checkRepoDefinition: the trigger must exist, be github_pr, and have its secrets", (t) => {
  const yaml = (type: string, auth = "") => `
timeout: 1
triggers:
  - name: pr
    type: ${type}
    runs:
      - name: r
        container: img
        script: s${auth}
scripts:
  s: "#!/bin/sh\\ntrue\\n"
`;
  t.notThrows(() => checkRepoDefinition(yaml("github_pr"), "pr", "github_pr", []));
  t.throws(() => checkRepoDefinition(yaml("github_pr"), "other", "github_pr", []), { message: /no trigger named "other"/ });
  t.throws(() => checkRepoDefinition(yaml("simple"), "pr", "github_pr", []), { message: /type simple; expected github_pr/ });
  t.throws(() => checkRepoDefinition(yaml("github_pr", "\n        container-auth: regauth"), "pr", "github_pr", ["githubtok"]), { message: /needs secret\(s\) regauth/ });
  t.throws(() => checkRepoDefinition("timeout: [", "pr", "github_pr", []), { message: /line|parse/ });
});

test("definitionLocation: stored, in-tree file, or another repository at a ref", (t) => {
  t.is(definitionLocation({}), undefined);
  t.is(definitionLocation({ JOBSERV_DEFINITION_FILE: " " }), undefined);
  t.deepEqual(definitionLocation({ JOBSERV_DEFINITION_FILE: "ci/x.yml" }), { file: "ci/x.yml" });
  t.deepEqual(definitionLocation({ JOBSERV_DEFINITION_FILE: "ci/x.yml", JOBSERV_DEFINITION_REF: "v1" }), { file: "ci/x.yml" }, "a ref alone means nothing in-tree");
  t.deepEqual(definitionLocation({ JOBSERV_DEFINITION_REPO: "acme/defs" }), { file: ".jobserv.yml", repo: "acme/defs" });
  t.deepEqual(definitionLocation({ JOBSERV_DEFINITION_REPO: "g/sub/p", JOBSERV_DEFINITION_REF: "stable" }), { file: ".jobserv.yml", repo: "g/sub/p", ref: "stable" });
  for (const bad of ["a b", "/abs", "o//r", "o/r?x", "../x", "o/..", "."]) {
    t.throws(() => definitionLocation({ JOBSERV_DEFINITION_REPO: bad }), { instanceOf: InvalidArgumentError, message: /JOBSERV_DEFINITION_REPO/ }, bad);
  }
});
