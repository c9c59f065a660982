// Bad input gets a clear error with the right code, and nothing is stored.
import { Code, ConnectError } from "@connectrpc/connect";
import test from "ava";
import { BuildService } from "../../../gen/jobserv/v1/build_pb.js";
import { ProjectService } from "../../../gen/jobserv/v1/project_pb.js";
import { RunService } from "../../../gen/jobserv/v1/run_pb.js";
import { apiClient } from "../../support/clients.js";
import { dialects } from "../../support/db.js";
import { PASS_FAIL_YAML } from "../../support/projects.js";
import { startTestServer } from "../../support/server.js";

async function error(p: Promise<unknown>): Promise<ConnectError> {
  try { await p; } catch (e) { return ConnectError.from(e); }
  throw new Error("expected the call to fail");
}

for (const dialect of dialects) {
  test(`${dialect}: malformed YAML, unknown names and duplicates`, async (t) => {
    const server = await startTestServer(t, dialect);
    const projects = apiClient(ProjectService, server.url);
    const builds = apiClient(BuildService, server.url);
    const runs = apiClient(RunService, server.url);

    const syntax = await error(projects.createProject({ name: "p", definitionYaml: "timeout: 5\ntriggers:\n  - name: [unclosed\n" }));
    t.is(syntax.code, Code.InvalidArgument);
    t.regex(syntax.rawMessage, /^line 4, column 1: YAML syntax error: .*end with a \]/);
    const missing = await error(projects.createProject({ name: "p", definitionYaml: "triggers: []\n" }));
    t.is(missing.code, Code.InvalidArgument);
    t.regex(missing.rawMessage, /timeout/);
    const badName = await error(projects.createProject({ name: "../etc", definitionYaml: PASS_FAIL_YAML }));
    t.is(badName.code, Code.InvalidArgument);
    t.deepEqual((await projects.listProjects({})).projects, [], "nothing stored");

    await projects.createProject({ name: "p", definitionYaml: PASS_FAIL_YAML });
    t.is((await error(projects.createProject({ name: "p", definitionYaml: PASS_FAIL_YAML }))).code, Code.AlreadyExists);
    const badUpdate = await error(projects.updateProject({ name: "p", definitionYaml: "timeout: x\n" }));
    t.is(badUpdate.code, Code.InvalidArgument);
    t.is((await projects.getProject({ name: "p" })).project?.definitionYaml, PASS_FAIL_YAML, "a refused update keeps the old definition");

    t.is((await error(projects.getProject({ name: "nope" }))).code, Code.NotFound);
    const unknownProject = await error(builds.triggerBuild({ project: "nope", triggerName: "ci" }));
    t.is(unknownProject.code, Code.NotFound);
    t.regex(unknownProject.rawMessage, /project "nope" not found/);
    const unknownTrigger = await error(builds.triggerBuild({ project: "p", triggerName: "deploy" }));
    t.is(unknownTrigger.code, Code.InvalidArgument);
    t.regex(unknownTrigger.rawMessage, /deploy/);
    t.is((await error(builds.getBuild({ project: "p", number: 1 }))).code, Code.NotFound);
    t.is((await error(runs.getRun({ ref: { project: "p", buildNumber: 1, run: "good" } }))).code, Code.NotFound);
    t.is((await error(runs.getRunDefinition({ ref: { project: "nope", buildNumber: 1, run: "good" } }))).code, Code.NotFound);
    t.deepEqual((await builds.listBuilds({ project: "p" })).builds, [], "no build from refused triggers");
  });
}
