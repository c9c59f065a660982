// Artifact uploads into an S3-compatible bucket (s3rver on loopback) through
// a real server process: a 1 GiB artifact streams through with bounded
// memory (the server's peak RSS is measured) and reads back byte for byte;
// a server killed in the middle of an upload leaves no object, visible or
// listed, and the file can be uploaded again after a restart. The storage
// does not depend on the store dialect: SQLite here.
import { createHash, randomBytes } from "node:crypto";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import test from "ava";
import { RunService } from "../../gen/jobserv/v1/run_pb.js";
import { S3ArtifactStorage } from "../../server/artifacts/s3-storage.js";
import { adminHeaders } from "../support/auth.js";
import { apiClient, eventually } from "../support/clients.js";
import { freshDatabaseUrl } from "../support/db.js";
import { holdRun } from "../support/held-run.js";
import { startS3Server } from "../support/s3-server.js";
import { ServerProcess } from "../support/server-process.js";

const MiB = 1024 * 1024;

function procStatus(pid: number, field: "VmRSS" | "VmHWM"): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return Number(m![1]) * 1024;
}

/** PUT of `total` bytes (random, 1 MiB writes, with back-pressure) that stops writing after `pauseAfter` until `resume`. */
function streamedPut(url: string, headers: Record<string, string>, total: number, opts: { pauseAfter?: number; resume?: Promise<void> } = {}) {
  const hash = createHash("sha256");
  const req = http.request(url, { method: "PUT", headers: { ...headers, "content-length": String(total) } });
  const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req.once("error", reject);
    req.once("response", (res) => {
      let body = "";
      res.on("data", (d: Buffer) => { body += d.toString(); });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
  });
  const sent = (async () => {
    for (let done = 0; done < total;) {
      if (opts.pauseAfter !== undefined && done >= opts.pauseAfter) await opts.resume;
      const chunk = randomBytes(Math.min(MiB, total - done));
      hash.update(chunk);
      done += chunk.length;
      if (!req.write(chunk)) await new Promise((resolve) => req.once("drain", resolve));
    }
    req.end();
    return hash.digest("hex");
  })();
  return { answer, sent };
}

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

test("a 1 GiB artifact streams into the bucket with bounded server memory and reads back byte for byte", async (t) => {
  t.timeout(10 * 60_000);
  const s3 = await startS3Server(t);
  const server = await ServerProcess.start(t, await freshDatabaseUrl(t, "sqlite"), s3.env());
  const held = await holdRun(t, server.url, "big");
  const pid = server.pid!;
  const before = procStatus(pid, "VmRSS");
  writeFileSync(`/proc/${pid}/clear_refs`, "5"); // resets the peak (VmHWM) to the current RSS

  const up = held.upload(server.url, "disk.img");
  const { answer, sent } = streamedPut(up.url, up.headers, 1024 * MiB);
  const sha = await sent;
  const reply = await answer;
  t.is(reply.status, 200, reply.body);
  const peak = procStatus(pid, "VmHWM");
  t.log(`server RSS before ${(before / MiB).toFixed(0)} MiB, peak during the 1 GiB upload ${(peak / MiB).toFixed(0)} MiB (+${((peak - before) / MiB).toFixed(0)} MiB)`);
  t.true(peak - before < 160 * MiB, `peak RSS grew by ${((peak - before) / MiB).toFixed(0)} MiB`);

  const res = await fetch(`${server.url}/projects/big/builds/${held.build}/runs/r/disk.img`, { headers: adminHeaders });
  t.is(res.headers.get("content-length"), String(1024 * MiB));
  const hash = createHash("sha256");
  for await (const chunk of res.body!) hash.update(chunk);
  t.is(hash.digest("hex"), sha, "the download is the upload, byte for byte");
});

test("a server killed in the middle of an upload leaves no object; after a restart the upload works", async (t) => {
  const s3 = await startS3Server(t);
  const server = await ServerProcess.start(t, await freshDatabaseUrl(t, "sqlite"), s3.env());
  const held = await holdRun(t, server.url, "cut");
  const up = held.upload(server.url, "half.bin");
  let resume: () => void = () => {};
  const { answer } = streamedPut(up.url, up.headers, 64 * MiB, { pauseAfter: 40 * MiB, resume: new Promise((r) => { resume = r; }) });
  answer.catch(() => {}); // the connection dies with the server
  // A part stored by the S3 server means the multipart upload is under way (s3rver keeps parts as N and N.md5).
  await eventually(async () => (files(s3.dir).some((f) => /uploads.*\/\d+\.md5$/.test(f)) ? true : undefined), 30_000,
    () => `a part of the upload to reach the S3 server: ${files(s3.dir).join(", ")}`);
  await server.kill();
  resume();

  const bucket = new S3ArtifactStorage(s3.storage());
  t.teardown(() => bucket.close());
  const objects = async () => { const out: string[] = []; for await (const o of bucket.list("")) out.push(o.key); return out; };
  t.deepEqual(await objects(), [], "nothing is visible in the bucket");
  t.is(await bucket.get(`cut/${held.build}/r/half.bin`), undefined);

  await server.start();
  const ref = { project: "cut", buildNumber: held.build, run: "r" };
  t.deepEqual((await apiClient(RunService, server.url).listArtifacts({ ref })).artifacts, [], "nor listed");
  t.is((await fetch(`${server.url}/projects/cut/builds/${held.build}/runs/r/half.bin`, { headers: adminHeaders })).status, 404);
  const again = await fetch(up.url, { method: "PUT", headers: up.headers, body: Buffer.alloc(3 * MiB, 7) });
  t.is(again.status, 200, await again.text());
  t.deepEqual(await objects(), [`cut/${held.build}/r/half.bin`]);
});
