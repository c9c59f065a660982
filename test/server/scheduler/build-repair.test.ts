// A server that dies between completing a run and rolling up its build leaves
// the build open: the lease sweep of any instance brings it up to date.
import test from "ava";
import { Status } from "../../../gen/jobserv/v1/status_pb.js";
import { BuildService } from "../../../gen/jobserv/v1/build_pb.js";
import { openStore } from "../../../server/store/db.js";
import { applyProject, trigger } from "../../support/builds.js";
import { apiClient, eventually } from "../../support/clients.js";
import { dialects } from "../../support/db.js";
import { startTestServer } from "../../support/server.js";

const YAML = "timeout: 1\ntriggers:\n  - name: t\n    type: simple\n    runs:\n      - name: r\n        container: img\n        host-tag: nobody-has-this\n        script: s\nscripts:\n  s: \"#!/bin/sh\\ntrue\\n\"\n";

for (const dialect of dialects) {
  test(`${dialect}: a build left behind its completed runs is rolled up by the sweep`, async (t) => {
    const server = await startTestServer(t, dialect, { workerLeaseMs: 1_000 });
    await applyProject(server.url, "repair", YAML);
    const n = await trigger(server.url, "repair", "t");
    // What a server killed mid-way leaves: the run committed PASSED, the build not rolled up.
    const raw = await openStore(server.databaseUrl);
    t.teardown(() => raw.close());
    await raw.db.updateTable("runs").set({ status: Status.PASSED, completed_at: Date.now() }).execute();
    const builds = apiClient(BuildService, server.url);
    t.is((await builds.getBuild({ project: "repair", number: n })).build?.status, Status.QUEUED);
    const repaired = await eventually(async () => {
      const { build } = await builds.getBuild({ project: "repair", number: n });
      return build?.status === Status.PASSED ? build : undefined;
    }, 10_000, "the sweep to roll the build up");
    t.truthy(repaired.completeTime);
  });
}
