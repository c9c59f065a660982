// GitLab merge requests beyond the plain path, against a local stand-in for
// the GitLab API that checks each request's format: GL_REQUIRE_OK_TO_TEST
// holds back MRs from forks until a member's ci-retest; JOBSERV_DEFINITION_FILE
// runs the repository's definition at the MR head (a missing or invalid file
// creates no build and puts a `failed` status on the commit); a versions API
// that keeps failing still lets the build start, without GIT_SHA_BASE.
import { readFileSync } from "node:fs";
import path from "node:path";
import test, { type ExecutionContext } from "ava";
import { ProjectService } from "../../../gen/jobserv/v1/project_pb.js";
import { openStore } from "../../../server/store/db.js";
import { apiClient } from "../../support/clients.js";
import { dialects } from "../../support/db.js";
import { startFakeForge } from "../../support/fake-forge.js";
import { fakeGitlabApi, type GitlabFixtures } from "../../support/fake-gitlab-api.js";
import { forgeProject } from "../../support/projects.js";
import { startTestServer } from "../../support/server.js";

const FIXTURES = path.resolve(import.meta.dirname, "../../fixtures/webhooks/gitlab");
const fixture = (name: string) => JSON.parse(readFileSync(path.join(FIXTURES, name), "utf8")) as Record<string, Record<string, unknown>>;
const SHA = "da1560886d4f094c3e6c9ef40349f7d38b5d27d7";
const BAD = "1111111111111111111111111111111111111111";
const MISSING = "2222222222222222222222222222222222222222";
const BASE = "b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0";

const stored = (params: Record<string, string>) => forgeProject({ trigger: "mr", type: "gitlab_mr", params, run: "stored-run", tag: "gl" });
const FROM_REPO = forgeProject({ trigger: "mr", type: "gitlab_mr", run: "repo-run", tag: "gl", say: "from the repository" });

async function setUp(t: ExecutionContext, dialect: (typeof dialects)[number], yaml: string, fixtures: Omit<GitlabFixtures, "token">) {
  const fake = fakeGitlabApi({ token: "glpat-xyz", ...fixtures });
  const gitlab = await startFakeForge(t, fake.respond);
  const server = await startTestServer(t, dialect, { gitlabApi: `${gitlab.url}/api/v4`, forgeRetryMs: 10 });
  const projects = apiClient(ProjectService, server.url);
  await projects.createProject({ name: "gl", definitionYaml: yaml });
  await projects.setTriggerSecrets({ project: "gl", triggerName: "mr", secrets: { "webhook-key": "hook", gitlabtok: "glpat-xyz" } });
  const store = await openStore(server.databaseUrl);
  t.teardown(() => store.close());
  let uuid = 0;
  const post = async (event: "Merge Request Hook" | "Note Hook", body: unknown) => {
    const res = await fetch(`${server.url}/gitlab/gl/`, {
      method: "POST", body: JSON.stringify(body),
      headers: { "content-type": "application/json", "x-gitlab-event": event, "x-gitlab-token": "hook", "x-gitlab-event-uuid": `e${++uuid}` },
    });
    return { status: res.status, json: await res.json() as Record<string, unknown> };
  };
  const builds = () => store.db.selectFrom("builds").selectAll().orderBy("number").execute();
  return { fake, post, builds, store };
}

/** The MR open fixture at `sha`, from a fork when `fork`. */
function openAt(sha: string, fork = false) {
  const p = fixture("merge_request.open.json");
  (p["object_attributes"]!["last_commit"] as Record<string, unknown>)["id"] = sha;
  if (fork) p["object_attributes"]!["source_project_id"] = 99;
  return p;
}

for (const dialect of dialects) {
  test(`${dialect}: GL_REQUIRE_OK_TO_TEST: a fork's MR waits for a member's ci-retest`, async (t) => {
    const { fake, post, builds } = await setUp(t, dialect, stored({ GL_REQUIRE_OK_TO_TEST: "yes" }), {
      versions: { "14!1": [{ head_commit_sha: SHA, base_commit_sha: BASE, start_commit_sha: BASE }] },
      members: { "14/1": 30 },
    });
    const held = await post("Merge Request Hook", openAt(SHA, true));
    t.is(held.status, 202);
    t.regex(String(held.json["ignored"]), /comes from a fork.*GL_REQUIRE_OK_TO_TEST/);
    t.is((await builds()).length, 0);

    const sameProject = await post("Merge Request Hook", openAt(SHA));
    t.is(sameProject.status, 201, "an MR from the project itself builds");

    const note = fixture("note.merge_request.json");
    (note["merge_request"]!)["source_project_id"] = 99;
    const approved = await post("Note Hook", note);
    t.is(approved.status, 201, JSON.stringify(approved.json));
    const all = await builds();
    t.is(all.length, 2);
    t.is(JSON.parse(all[1]!.params_json)["GIT_SHA_BASE"], BASE);
    t.deepEqual(fake.violations, []);
  });

  test(`${dialect}: JOBSERV_DEFINITION_FILE: the MR head's file is run; a bad one builds nothing and fails the commit`, async (t) => {
    const file = "ci/jobserv.yml";
    const { fake, post, builds, store } = await setUp(t, dialect, stored({ JOBSERV_DEFINITION_FILE: file }), {
      versions: { "14!1": [{ head_commit_sha: SHA, base_commit_sha: BASE, start_commit_sha: BASE }] },
      files: { [`14@${SHA}`]: { [file]: FROM_REPO }, [`14@${BAD}`]: { [file]: FROM_REPO.replace("type: gitlab_mr", "type: simple") } },
    });
    const created = await post("Merge Request Hook", openAt(SHA));
    t.is(created.status, 201, JSON.stringify(created.json));
    const read = fake.seen.find((r) => r.path.includes("/repository/files/"));
    t.is(read?.path, `/api/v4/projects/14/repository/files/ci%2Fjobserv.yml/raw?ref=${SHA}`, "the path is one encoded segment, at the head");
    const [build] = await builds();
    t.is(build!.definition_yaml, FROM_REPO);
    const runs = await store.db.selectFrom("runs").select("name").where("build_id", "=", build!.id).execute();
    t.deepEqual(runs.map((r) => r.name), ["repo-run"], "runs from the repository's file");

    for (const [sha, why] of [[MISSING, /not found in the repository/], [BAD, /type simple; expected gitlab_mr/]] as const) {
      const refused = await post("Merge Request Hook", openAt(sha));
      t.is(refused.status, 202, sha);
      t.regex(String(refused.json["error"]), why);
      const status = fake.seen.find((r) => r.method === "POST" && r.path === `/api/v4/projects/14/statuses/${sha}`);
      t.truthy(status, `a status on ${sha}`);
      t.like(JSON.parse(status!.body), { state: "failed", name: "jobserv/mr" });
      t.regex(String((JSON.parse(status!.body) as { description: string }).description), why);
    }
    t.is((await builds()).length, 1, "no build from a file that cannot be used");
    t.deepEqual(fake.violations, []);
  });

  test(`${dialect}: the build starts without GIT_SHA_BASE when GitLab has no version of the head`, async (t) => {
    const { fake, post, builds } = await setUp(t, dialect, stored({}), {
      versions: { "14!1": [{ head_commit_sha: "0".repeat(40), base_commit_sha: BASE, start_commit_sha: BASE }] },
    });
    const created = await post("Merge Request Hook", openAt(SHA));
    t.is(created.status, 201);
    const params = JSON.parse((await builds())[0]!.params_json) as Record<string, string>;
    t.is(params["GIT_SHA"], SHA);
    t.false("GIT_SHA_BASE" in params);
    t.is(fake.seen.filter((r) => r.path.endsWith("/versions")).length, 3, "asked three times");
    t.deepEqual(fake.violations, []);
  });
}

for (const dialect of dialects) {
  test(`${dialect}: JOBSERV_DEFINITION_REPO: the definition comes from another project at JOBSERV_DEFINITION_REF`, async (t) => {
    const { fake, post, builds, store } = await setUp(t, dialect, stored({ JOBSERV_DEFINITION_REPO: "infra/ci-defs", JOBSERV_DEFINITION_REF: "stable" }), {
      versions: { "14!1": [{ head_commit_sha: SHA, base_commit_sha: BASE, start_commit_sha: BASE }] },
      files: { "infra/ci-defs@stable": { ".jobserv.yml": FROM_REPO } },
    });
    t.is((await post("Merge Request Hook", openAt(SHA))).status, 201);
    const read = fake.seen.find((r) => r.path.includes("/repository/files/"));
    t.is(read?.path, "/api/v4/projects/infra%2Fci-defs/repository/files/.jobserv.yml/raw?ref=stable", "the other project, at the ref");
    const runs = await store.db.selectFrom("runs").select("name").execute();
    t.deepEqual(runs.map((r) => r.name), ["repo-run"]);
    // The file does not depend on the MR: another head reads the same one.
    t.is((await post("Merge Request Hook", openAt(MISSING))).status, 201);
    t.is((await builds()).length, 2);
    t.deepEqual(fake.violations, []);
  });
}
