// Claims asked at the same time are made together: many workers waiting for
// runs cost one candidate read and one UPDATE per batch, not one per worker,
// and each still gets its own runs exactly once (on both dialects).
import test from "ava";
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from "kysely";
import { Status } from "../../../gen/jobserv/v1/status_pb.js";
import { triggerBuild } from "../../../server/builds/trigger.js";
import { claimRuns } from "../../../server/scheduler/claim.js";
import type { Store } from "../../../server/store/db.js";
import { insertProject } from "../../../server/store/projects.js";
import { hashToken } from "../../../server/auth/tokens.js";
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
        host-tag: amd64
        script: s
        loop-on:
          - param: I
            values: [${Array.from({ length: runs }, (_, i) => i).join(", ")}]
scripts:
  s: "#!/bin/sh\\ntrue\\n"
`;

/** Counts the UPDATE statements run through the store it wraps. */
class CountUpdates implements KyselyPlugin {
  updates = 0;
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    if (args.node.kind === "UpdateQueryNode") this.updates++;
    return args.node;
  }
  transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return Promise.resolve(args.result);
  }
}

for (const dialect of dialects) {
  test(`${dialect}: 20 workers asking at once share the claim's UPDATEs and each get their own run`, async (t) => {
    const base = await openTestStore(t, dialect);
    const counter = new CountUpdates();
    const store: Store = { db: base.db.withPlugin(counter), caps: base.caps, close: () => base.close() };
    await insertProject(store.db, "p", yaml(30), Date.now());
    const deps = triggerDeps(store);
    await triggerBuild(deps, { project: "p", triggerName: "ci", params: {}, reason: "" });
    counter.updates = 0;
    const workers = Array.from({ length: 20 }, (_, i) => ({ name: `w${i}`, tags: ["amd64"], concurrency: 1 }));
    const got = await Promise.all(workers.map((w) => claimRuns(store, deps.lifecycle, w, 1, ["amd64"])));
    // The first claim goes alone; the 19 asked while it was in flight go together.
    t.true(counter.updates <= 2, `${counter.updates} UPDATEs for 20 claims`);
    t.deepEqual(got.map((g) => g.length), workers.map(() => 1), "one run each");
    const ids = got.map((g) => g[0]!.id);
    t.is(new Set(ids).size, 20, "no run given twice");
    const rows = await store.db.selectFrom("runs").select(["id", "status", "worker_name", "token_hash", "acked", "started_at"])
      .where("id", "in", ids).execute();
    for (const [i, g] of got.entries()) {
      const r = rows.find((x) => x.id === g[0]!.id)!;
      t.is(r.status, Status.RUNNING);
      t.is(r.worker_name, workers[i]!.name, "the run is recorded as that worker's");
      t.is(r.token_hash, hashToken(g[0]!.token), "with the token that worker was given");
      t.is(r.acked, 0);
      t.truthy(r.started_at);
    }
    const queued = await store.db.selectFrom("runs").select("id").where("status", "=", Status.QUEUED).execute();
    t.is(queued.length, 10, "the other 10 runs still queued");
  });
}
