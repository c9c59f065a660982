// A real S3-compatible server on loopback for tests: s3rver (npm) as a child
// process on a free port, its data in a temp dir, one bucket made at start.
// It knows one access key (S3RVER/S3RVER; it checks the key of V4 requests, not
// their signature), streams multipart uploads to disk and serves ranges and
// presigned URLs. Stopped and removed in teardown.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import type { ExecutionContext } from "ava";
import type { ServerConfig } from "../../server/config.js";
import type { S3StorageConfig } from "../../server/artifacts/s3-storage.js";

export const S3_CREDENTIALS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };

export interface TestS3 {
  endpoint: string;
  bucket: string;
  /** Where s3rver keeps the bucket's files (to look for leftovers). */
  dir: string;
  /** Storage settings for an S3ArtifactStorage on this server (fixed credentials). */
  storage(prefix?: string): S3StorageConfig;
  /** Server settings selecting this bucket (credentials come from `env`). */
  serverConfig(prefix?: string): Partial<ServerConfig>;
  /** Environment of a server child process using this bucket. */
  env(prefix?: string): Record<string, string>;
  stop(): Promise<void>;
}

/** The s3rver command (a devDependency; NODE_PATH may point at another install). */
export function s3rverBin(): string {
  return createRequire(import.meta.url).resolve("s3rver/bin/s3rver.js");
}

export async function startS3Server(t: ExecutionContext, bucket = "jobserv-test"): Promise<TestS3> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "jobserv-s3-"));
  const child = spawn(process.execPath, [s3rverBin(), "-d", dir, "-a", "127.0.0.1", "-p", "0", "--configure-bucket", bucket],
    { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /listening on [\d.]+:(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    void exited.then(() => reject(new Error(`s3rver exited: ${out}`)));
  });
  child.stdout.resume();
  const stop = async () => {
    if (child.exitCode === null) child.kill("SIGKILL");
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  t.teardown(stop);
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint, bucket, dir, stop,
    storage: (prefix = "") => ({ bucket, prefix, endpoint, region: "us-east-1", forcePathStyle: true, credentials: S3_CREDENTIALS }),
    serverConfig: (prefix = "") => ({ s3Bucket: bucket, s3Prefix: prefix, s3Endpoint: endpoint, s3Region: "us-east-1", s3PathStyle: true, s3Credentials: S3_CREDENTIALS }),
    env: (prefix = "") => ({
      JOBSERV_S3_BUCKET: bucket, JOBSERV_S3_PREFIX: prefix, JOBSERV_S3_ENDPOINT: endpoint, JOBSERV_S3_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: S3_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: S3_CREDENTIALS.secretAccessKey,
    }),
  };
}
