// Backup and restore as README tells operators, with the real tools: the
// store first (mariadb-dump; sqlite3 .backup), then the object storage
// (rclone sync of the bucket; a copy of the artifacts folder). After both
// are lost, they are restored into a new database and a new bucket (folder),
// and a new server reads the build's log (moved into storage before the
// backup) and its artifact back byte for byte.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import test, { type ExecutionContext } from "ava";
import { RunService } from "../../gen/jobserv/v1/run_pb.js";
import { openStore } from "../../server/store/db.js";
import { adminHeaders } from "../support/auth.js";
import { apiClient, eventually } from "../support/clients.js";
import { freshDatabaseUrl } from "../support/db.js";
import { holdRun, type HeldRun } from "../support/held-run.js";
import { startS3Server, S3_CREDENTIALS, type TestS3 } from "../support/s3-server.js";
import { startTestServer } from "../support/server.js";

const run = promisify(execFile);

function tempDir(t: ExecutionContext, name: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `jobserv-${name}-`));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * rclone with the bucket's server as remote "s3" (configured through the environment only).
 * --fast-list: one recursive listing (s3rver answers delimiter listings of nested prefixes incompletely).
 */
function rclone(s3: TestS3, ...args: string[]): Promise<unknown> {
  return run("rclone", ["--config", "/dev/null", "--fast-list", ...args], {
    env: {
      PATH: process.env["PATH"], RCLONE_CONFIG_S3_TYPE: "s3", RCLONE_CONFIG_S3_PROVIDER: "Other", RCLONE_CONFIG_S3_ENDPOINT: s3.endpoint,
      RCLONE_CONFIG_S3_ACCESS_KEY_ID: S3_CREDENTIALS.accessKeyId, RCLONE_CONFIG_S3_SECRET_ACCESS_KEY: S3_CREDENTIALS.secretAccessKey,
      RCLONE_CONFIG_S3_FORCE_PATH_STYLE: "true",
    },
  });
}

/** A completed build whose log moved into storage and whose run uploaded `artifact`; returns what to compare after a restore. */
async function buildWithMovedLog(t: ExecutionContext, url: string, databaseUrl: string): Promise<{ held: HeldRun; log: Buffer; artifact: Buffer }> {
  const held = await holdRun(t, url, "kept");
  const log = Buffer.concat(Array.from({ length: 50 }, (_, i) => Buffer.from(`line ${i} ${randomBytes(600).toString("base64")}\n`)));
  for (let off = 0; off < log.length; off += 10_000) await held.append(off, log.subarray(off, off + 10_000));
  const artifact = randomBytes(6 * 1024 * 1024 + 3);
  const up = held.upload(url, "dist/firmware.bin");
  t.is((await fetch(up.url, { method: "PUT", headers: up.headers, body: artifact })).status, 200);
  await held.finish();
  const store = await openStore(databaseUrl, undefined, { migrate: false });
  try {
    await eventually(async () => {
      const rows = await store.db.selectFrom("log_chunks").select("archived").where("run_id", "=", Number(held.runId)).execute();
      return rows.length === 1 && Number(rows[0]!.archived) === 1 ? true : undefined;
    }, 20_000, "the log to move into storage");
  } finally {
    await store.close();
  }
  return { held, log, artifact };
}

async function readBack(t: ExecutionContext, url: string, held: HeldRun, log: Buffer, artifact: Buffer): Promise<void> {
  const ref = { project: "kept", buildNumber: held.build, run: "r" };
  const parts: Uint8Array[] = [];
  for await (const m of apiClient(RunService, url).tailLog({ ref })) parts.push(m.data);
  t.true(Buffer.concat(parts).equals(log), "the log, from restored storage");
  const res = await fetch(`${url}/projects/kept/builds/${held.build}/runs/r/dist/firmware.bin`, { headers: adminHeaders });
  t.is(res.status, 200);
  t.true(Buffer.from(await res.arrayBuffer()).equals(artifact), "the artifact, from restored storage");
}

test("MariaDB + S3: mariadb-dump and rclone sync, restored into a new database and bucket", async (t) => {
  const s3 = await startS3Server(t, "ci-data");
  const db = await freshDatabaseUrl(t, "mysql");
  const before = await startTestServer(t, "mysql", { ...s3.serverConfig("jobserv/"), databaseUrl: db, logArchive: true, logArchiveDelayMs: 0 });
  const { held, log, artifact } = await buildWithMovedLog(t, before.url, db);

  // Backup: the store first, then the bucket (an object the dump names is then surely in the copy).
  const backup = tempDir(t, "backup");
  const u = new URL(db);
  const credentials = [`-h${u.hostname}`, `-P${u.port || 3306}`, `-u${u.username}`, `-p${u.password}`];
  const dump = await run("mariadb-dump", [...credentials, "--single-transaction", u.pathname.slice(1)], { maxBuffer: 256 * 1024 * 1024 });
  writeFileSync(path.join(backup, "store.sql"), dump.stdout);
  await rclone(s3, "sync", `s3:${s3.bucket}`, path.join(backup, "bucket"));
  await before.close();
  await s3.stop(); // the bucket is gone

  // Restore into a new database and a new bucket.
  const restoredDb = await freshDatabaseUrl(t, "mysql");
  await run("sh", ["-c", `mariadb ${credentials.join(" ")} ${new URL(restoredDb).pathname.slice(1)} < "${path.join(backup, "store.sql")}"`]);
  const s3b = await startS3Server(t, "ci-data");
  await rclone(s3b, "sync", path.join(backup, "bucket"), `s3:${s3b.bucket}`);
  const after = await startTestServer(t, "mysql", { ...s3b.serverConfig("jobserv/"), databaseUrl: restoredDb });
  await readBack(t, after.url, held, log, artifact);
});

test("SQLite + artifacts folder: sqlite3 .backup and a copy of the folder", async (t) => {
  const db = await freshDatabaseUrl(t, "sqlite");
  const artifactsDir = tempDir(t, "artifacts");
  const before = await startTestServer(t, "sqlite", { databaseUrl: db, artifactsDir, logArchive: true, logArchiveDelayMs: 0 });
  const { held, log, artifact } = await buildWithMovedLog(t, before.url, db);

  const backup = tempDir(t, "backup");
  await run("sqlite3", [db.replace(/^sqlite:/, ""), `.backup '${path.join(backup, "jobserv.db")}'`]);
  cpSync(artifactsDir, path.join(backup, "artifacts"), { recursive: true });
  await before.close();

  const restored = tempDir(t, "restored");
  cpSync(path.join(backup, "jobserv.db"), path.join(restored, "jobserv.db"));
  cpSync(path.join(backup, "artifacts"), path.join(restored, "artifacts"), { recursive: true });
  t.true(readFileSync(path.join(restored, "artifacts", "kept", String(held.build), "r", "console.log")).equals(log), "the moved log is a plain file in the folder");
  const after = await startTestServer(t, "sqlite", { databaseUrl: `sqlite:${path.join(restored, "jobserv.db")}`, artifactsDir: path.join(restored, "artifacts") });
  await readBack(t, after.url, held, log, artifact);
});
