// Two server instances over one store and one S3-compatible bucket (s3rver on
// loopback), on both dialects: an artifact uploaded through instance A is
// listed and downloaded byte for byte through instance B; an instance set to
// presign answers 302 to a URL of the bucket after the same access check; a
// rerun removes the run's objects from the bucket.
import { randomBytes } from "node:crypto";
import test from "ava";
import { RunService } from "../../../gen/jobserv/v1/run_pb.js";
import { S3ArtifactStorage } from "../../../server/artifacts/s3-storage.js";
import { adminHeaders } from "../../support/auth.js";
import { apiClient, eventually } from "../../support/clients.js";
import { dialects } from "../../support/db.js";
import { holdRun } from "../../support/held-run.js";
import { startS3Server } from "../../support/s3-server.js";
import { startTestServer } from "../../support/server.js";

for (const dialect of dialects) {
  test(`${dialect}: uploaded through A, downloaded through B; presigned redirects; rerun clears the bucket`, async (t) => {
    const s3 = await startS3Server(t);
    const a = await startTestServer(t, dialect, { ...s3.serverConfig("ci/") });
    const b = await startTestServer(t, dialect, { ...s3.serverConfig("ci/"), databaseUrl: a.databaseUrl });
    const c = await startTestServer(t, dialect, { ...s3.serverConfig("ci/"), databaseUrl: a.databaseUrl, s3PresignSeconds: 60 });
    const held = await holdRun(t, a.url, "ab");
    const data = randomBytes(9 * 1024 * 1024 + 5); // more than one multipart part
    const up = held.upload(a.url, "out/image.bin");
    const put = await fetch(up.url, { method: "PUT", headers: up.headers, body: data });
    t.is(put.status, 200, await put.clone().text());
    t.deepEqual(await put.json(), { path: "out/image.bin", size: data.length });

    const ref = { project: "ab", buildNumber: held.build, run: "r" };
    const listed = await apiClient(RunService, b.url).listArtifacts({ ref });
    t.deepEqual(listed.artifacts.map((x) => [x.path, Number(x.size)]), [["out/image.bin", data.length]]);
    const path = `/projects/ab/builds/${held.build}/runs/r/out/image.bin`;
    const viaB = await fetch(b.url + path, { headers: adminHeaders });
    t.is(viaB.status, 200);
    t.is(viaB.headers.get("content-length"), String(data.length));
    t.true(Buffer.from(await viaB.arrayBuffer()).equals(data), "B streams the bytes A stored");

    t.is((await fetch(c.url + path, { redirect: "manual" })).status, 401, "no token: refused before any redirect");
    const redirect = await fetch(c.url + path, { headers: adminHeaders, redirect: "manual" });
    t.is(redirect.status, 302);
    const location = redirect.headers.get("location")!;
    t.true(location.startsWith(`${s3.endpoint}/${s3.bucket}/ci/ab/${held.build}/r/out/image.bin?`), location);
    t.true(Buffer.from(await (await fetch(location)).arrayBuffer()).equals(data), "the presigned URL reads the object");
    t.is((await fetch(c.url + path.replace("image.bin", "nothing.bin"), { headers: adminHeaders, redirect: "manual" })).status, 404);

    await held.finish();
    const bucket = new S3ArtifactStorage(s3.storage("ci/"));
    t.teardown(() => bucket.close());
    const keys = async () => {
      const out: string[] = [];
      for await (const o of bucket.list(`ab/${held.build}/r/`)) out.push(o.key);
      return out.sort();
    };
    t.true((await keys()).includes(`ab/${held.build}/r/out/image.bin`));
    await apiClient(RunService, b.url).rerunRun({ ref });
    await eventually(async () => ((await keys()).length === 0 ? true : undefined), 10_000, "the rerun to clear the run's objects");
  });
}
