// The git poller against a real git repository served over smart HTTP by
// `git http-backend` on loopback, with two server instances on one store: a
// push triggers exactly one build with GIT_URL/GIT_REF/GIT_OLD_SHA/GIT_SHA,
// `[skip ci]` none, unwatched refs none, and a restart re-triggers nothing.
// "Nothing more happened" is checked after several further polls (counted at
// the git server), not after a sleep. A private repository (Basic auth) is
// polled with the trigger's token, also for reading `[skip ci]`. On both
// store dialects.
import test from "ava";
import { ProjectService } from "../../../../gen/jobserv/v1/project_pb.js";
import { openStore } from "../../../../server/store/db.js";
import { apiClient, eventually } from "../../../support/clients.js";
import { dialects } from "../../../support/db.js";
import { createRepo, git, startGitHttp } from "../../../support/git-http.js";
import { startTestServer } from "../../../support/server.js";

const yaml = (url: string) => `
timeout: 1
triggers:
  - name: poll
    type: git_poller
    params:
      GIT_URL: ${url}
      GIT_POLL_REFS: refs/heads/master refs/heads/release-*
    runs:
      - name: build
        container: img
        script: s
scripts:
  s: "#!/bin/sh\\ntrue\\n"
`;

for (const dialect of dialects) {
  test(`${dialect}: git poller over smart HTTP: one build per ref change across two instances and a restart`, async (t) => {
    const gitServer = await startGitHttp(t);
    const repo = createRepo(gitServer.root, "app");
    const url = `${gitServer.url}/app.git`;
    const options = { gitPollIntervalMs: 100 };
    const a = await startTestServer(t, dialect, options);
    const b = await startTestServer(t, dialect, { ...options, databaseUrl: a.databaseUrl });
    await apiClient(ProjectService, a.url).createProject({ name: "polled", definitionYaml: yaml(url) });
    const store = await openStore(a.databaseUrl);
    t.teardown(() => store.close());
    const builds = () => store.db.selectFrom("builds").selectAll().orderBy("number").execute();
    const seen = (ref: string) => store.db.selectFrom("poller_refs").select("sha").where("ref", "=", ref).executeTakeFirst().then((r) => r?.sha);
    /** Waits until `n` more ref advertisements were served: the poller has looked again. */
    const polls = async (n: number) => {
      const target = gitServer.advertisements() + n;
      await eventually(async () => (gitServer.advertisements() >= target ? true : undefined), 20_000, `${n} more polls`);
    };

    const initial = git(repo.work, "rev-parse", "HEAD");
    await eventually(async () => ((await seen("refs/heads/master")) === initial ? true : undefined), 20_000, "first sighting recorded");
    await polls(3);
    t.is((await builds()).length, 0, "a first sighting only records");

    const old = initial;
    const head = repo.commit("a change to build");
    const [build] = await eventually(async () => { const bs = await builds(); return bs.length ? bs : undefined; }, 20_000, "a build");
    t.deepEqual(JSON.parse(build!.params_json), { GIT_URL: url, GIT_REF: "refs/heads/master", GIT_OLD_SHA: old, GIT_SHA: head });
    t.is(build!.trigger_name, "poll");
    await polls(4);
    t.is((await builds()).length, 1, "two instances polling, one build");

    const skipped = repo.commit("docs only [skip ci]");
    await eventually(async () => ((await seen("refs/heads/master")) === skipped ? true : undefined), 20_000, "skip-ci head recorded");
    repo.commit("unwatched work", "feature-x");
    await polls(4);
    t.is((await builds()).length, 1, "[skip ci] and unwatched refs build nothing");

    // Restart: both instances stop, one comes back; the stored SHAs prevent a re-trigger.
    await a.close();
    await b.close();
    const c = await startTestServer(t, dialect, { ...options, databaseUrl: a.databaseUrl });
    t.truthy(c.url);
    await polls(4);
    t.is((await builds()).length, 1, "a restart triggers nothing again");
    const release = repo.commit("release branch", "release-1");
    t.is(release.length, 40);
    await eventually(async () => ((await seen("refs/heads/release-1")) === release ? true : undefined), 20_000, "release branch seen");
    t.is((await builds()).length, 1, "a new matching branch is a first sighting");
    const fix = repo.commit("fix on master");
    const after = await eventually(async () => { const bs = await builds(); return bs.length === 2 ? bs : undefined; }, 20_000, "build 2");
    t.like(JSON.parse(after[1]!.params_json), { GIT_OLD_SHA: skipped, GIT_SHA: fix });
  });

  test(`${dialect}: git poller on a private repository: the trigger's token reads refs and commit messages`, async (t) => {
    const TOKEN = "poll-token-x81";
    const gitServer = await startGitHttp(t, { basicAuth: { user: "oauth2", password: TOKEN } });
    const repo = createRepo(gitServer.root, "private");
    const url = `${gitServer.url}/private.git`;
    const server = await startTestServer(t, dialect, { gitPollIntervalMs: 100 });
    const projects = apiClient(ProjectService, server.url);
    await projects.createProject({ name: "with-token", definitionYaml: yaml(url) });
    await projects.setTriggerSecrets({ project: "with-token", triggerName: "poll", secrets: { gitlabtok: TOKEN } });
    await projects.createProject({ name: "no-token", definitionYaml: yaml(url) });
    const store = await openStore(server.databaseUrl);
    t.teardown(() => store.close());
    const builds = () => store.db.selectFrom("builds").innerJoin("projects", "projects.id", "builds.project_id")
      .select(["projects.name as project", "builds.params_json"]).execute();
    const seenBy = (project: string) => store.db.selectFrom("poller_refs").innerJoin("projects", "projects.id", "poller_refs.project_id")
      .select("poller_refs.sha").where("projects.name", "=", project).where("poller_refs.ref", "=", "refs/heads/master").executeTakeFirst().then((r) => r?.sha);
    const polls = async (n: number) => {
      const target = gitServer.advertisements() + n;
      await eventually(async () => (gitServer.advertisements() >= target ? true : undefined), 20_000, `${n} more polls`);
    };

    const initial = git(repo.work, "rev-parse", "HEAD");
    await eventually(async () => ((await seenBy("with-token")) === initial ? true : undefined), 20_000, "first sighting with the token");
    // The [skip ci] message can only be read with the token: unread, the poller would build it.
    const skipped = repo.commit("docs [skip ci]");
    await eventually(async () => ((await seenBy("with-token")) === skipped ? true : undefined), 20_000, "skip-ci head recorded");
    await polls(4);
    t.is((await builds()).length, 0, "[skip ci] read through auth: no build");
    const head = repo.commit("a change to build");
    const [build] = await eventually(async () => { const bs = await builds(); return bs.length ? bs : undefined; }, 20_000, "a build");
    t.is(build!.project, "with-token");
    t.like(JSON.parse(build!.params_json), { GIT_URL: url, GIT_OLD_SHA: skipped, GIT_SHA: head });
    await polls(4);
    t.is(await seenBy("no-token"), undefined, "without a token the private refs are never read");
    t.is((await builds()).length, 1);
  });
}
