// A queued run is claimed exactly once, however many claimers race, and only
// by workers whose tags match its host-tag pattern (on both dialects).
import test from "ava";
import { Status } from "../../../gen/jobserv/v1/status_pb.js";
import { triggerBuild } from "../../../server/builds/trigger.js";
import { claimRuns } from "../../../server/scheduler/claim.js";
import { insertProject } from "../../../server/store/projects.js";
import { dialects, openTestStore } from "../../support/db.js";
import { triggerDeps } from "../../support/trigger.js";

const yaml = (runs: number) => `
timeout: 1
triggers:
  - name: ci
    type: simple
    runs:
      - name: r-{loop}
        container: img
        script: s
        loop-on:
          - param: I
            values: [${Array.from({ length: runs }, (_, i) => i).join(", ")}]
          - param: host-tag
            values: [arm64, amd64]
scripts:
  s: "#!/bin/sh\\ntrue\\n"
`;

for (const dialect of dialects) {
  test(`${dialect}: 8 workers racing for 60 runs claim each exactly once`, async (t) => {
    const store = await openTestStore(t, dialect);
    await insertProject(store.db, "p", yaml(30), Date.now());
    const deps = triggerDeps(store);
    await triggerBuild(deps, { project: "p", triggerName: "ci", params: {}, reason: "" });
    const workers = Array.from({ length: 8 }, (_, i) => ({ name: `w${i}`, tags: [i % 2 ? "amd64" : "arm64"], concurrency: 100 }));
    const claims = new Map<number, string[]>();
    // Keep claiming in small bites until nothing is left, all workers at once.
    await Promise.all(workers.map(async (w) => {
      for (;;) {
        const got = await claimRuns(store, deps.lifecycle, w, 3);
        if (!got.length) {
          // With SKIP LOCKED an empty answer may only mean "all locked right now".
          const left = await store.db.selectFrom("runs").select("id")
            .where("status", "=", Status.QUEUED).where("host_tag", "=", w.tags[0]!).executeTakeFirst();
          if (!left) return;
        }
        for (const c of got) claims.set(c.id, [...(claims.get(c.id) ?? []), w.name]);
      }
    }));
    t.is(claims.size, 60);
    t.true([...claims.values()].every((ws) => ws.length === 1), "no run claimed twice");
    const rows = await store.db.selectFrom("runs").select(["id", "host_tag", "worker_name", "status"]).execute();
    for (const r of rows) {
      t.is(r.status, Status.RUNNING);
      const worker = workers.find((w) => w.name === r.worker_name)!;
      t.deepEqual(worker.tags, [r.host_tag], `run ${r.id} went to a worker with its tag`);
      t.deepEqual(claims.get(r.id), [r.worker_name!]);
    }
  });

  test(`${dialect}: a worker without a matching tag claims nothing`, async (t) => {
    const store = await openTestStore(t, dialect);
    await insertProject(store.db, "p", yaml(2), Date.now());
    const deps = triggerDeps(store);
    await triggerBuild(deps, { project: "p", triggerName: "ci", params: {}, reason: "" });
    t.deepEqual(await claimRuns(store, deps.lifecycle, { name: "riscv-box", tags: ["riscv64"], concurrency: 4 }, 4), []);
    const got = await claimRuns(store, deps.lifecycle, { name: "box", tags: ["amd64"], concurrency: 4 }, 4);
    t.is(got.length, 2, "the two amd64 runs of four");
  });
}
