// The log move in a running deployment, on both dialects: instance A (moving
// logs, no delay) and instance B (moving nothing itself) share a store and a
// bucket. A run's log is followed through B while it is written; after the
// run completes A moves the log into the bucket, and every read path — the
// follower that was open, REST console.log and TailLog from an offset, on
// either instance — serves the same bytes.
import { randomBytes } from "node:crypto";
import test from "ava";
import { RunService } from "../../../gen/jobserv/v1/run_pb.js";
import { Status } from "../../../gen/jobserv/v1/status_pb.js";
import { openStore } from "../../../server/store/db.js";
import { adminHeaders } from "../../support/auth.js";
import { apiClient, eventually } from "../../support/clients.js";
import { dialects } from "../../support/db.js";
import { holdRun } from "../../support/held-run.js";
import { startS3Server } from "../../support/s3-server.js";
import { startTestServer } from "../../support/server.js";

for (const dialect of dialects) {
  test(`${dialect}: after completion the log moves to the bucket; follower, REST and TailLog serve the same bytes`, async (t) => {
    const s3 = await startS3Server(t);
    const a = await startTestServer(t, dialect, { ...s3.serverConfig(), logArchive: true, logArchiveDelayMs: 0 });
    const b = await startTestServer(t, dialect, { ...s3.serverConfig(), logArchive: false, databaseUrl: a.databaseUrl });
    const store = await openStore(a.databaseUrl);
    t.teardown(() => store.close());
    const held = await holdRun(t, a.url, "mv");
    const ref = { project: "mv", buildNumber: held.build, run: "r" };

    const followed: Uint8Array[] = [];
    let finalStatus: Status | undefined;
    const follower = (async () => {
      for await (const msg of apiClient(RunService, b.url).tailLog({ ref, follow: true })) {
        followed.push(msg.data);
        if (msg.finalStatus) finalStatus = msg.finalStatus;
      }
    })();
    const log = Buffer.concat(Array.from({ length: 200 }, (_, i) => Buffer.concat([Buffer.from(`line ${i} `), randomBytes(5000), Buffer.from("\n")])));
    for (let off = 0; off < log.length; off += 40_000) await held.append(off, log.subarray(off, off + 40_000));
    await held.finish();
    await follower;
    t.is(finalStatus, Status.PASSED);
    t.true(Buffer.concat(followed).equals(log), "the follower got every byte");

    const rows = () => store.db.selectFrom("log_chunks").select(["start_offset", "end_offset", "archived"]).where("run_id", "=", Number(held.runId)).execute();
    await eventually(async () => {
      const r = await rows();
      return r.length === 1 && Number(r[0]!.archived) === 1 ? true : undefined;
    }, 20_000, "the log to move into the bucket");
    t.deepEqual((await rows()).map((r) => [Number(r.start_offset), Number(r.end_offset)]), [[0, log.length]]);

    for (const url of [a.url, b.url]) {
      const rest = await fetch(`${url}/projects/mv/builds/${held.build}/runs/r/console.log`, { headers: adminHeaders });
      t.true(Buffer.from(await rest.arrayBuffer()).equals(log), `REST console.log through ${url}`);
      const parts: Uint8Array[] = [];
      for await (const msg of apiClient(RunService, url).tailLog({ ref, offset: 123_456n })) parts.push(msg.data);
      t.true(Buffer.concat(parts).equals(log.subarray(123_456)), `TailLog from an offset through ${url}`);
    }
    const run = (await apiClient(RunService, b.url).getRun({ ref })).run!;
    t.is(Number(run.logSize), log.length);
  });
}
