// Uploads one artifact file to the server's REST gateway:
// PUT /worker/runs/{run}/artifacts/{path} with the run token, the file
// streamed as the body (plain HTTP/1.1, so it passes any proxy). A PUT
// replaces the file, so a retried upload stores it once. Network errors and
// 5xx/429 answers are retried with back-off; other answers are final.
import { constants } from "node:fs";
import { open } from "node:fs/promises";
import http from "node:http";
import https from "node:https";
import { pipeline } from "node:stream/promises";
import { retry } from "../../common/retry.js";

export interface UploadTarget {
  serverUrl: string;
  workerName: string;
  runId: bigint;
  runToken: string;
}

/** The server refused an upload for good (bad path, too large, run no longer active). */
export class ArtifactRefusedError extends Error {
  override name = "ArtifactRefusedError";
}

const ATTEMPTS = 8;

export async function uploadArtifactFile(target: UploadTarget, relPath: string, file: string, size: number): Promise<void> {
  const base = target.serverUrl.replace(/\/+$/, "");
  const url = new URL(`${base}/worker/runs/${target.runId}/artifacts/${relPath.split("/").map(encodeURIComponent).join("/")}`);
  const headers = {
    "jobserv-worker": target.workerName,
    "jobserv-run-token": target.runToken,
    "content-type": "application/octet-stream",
    "content-length": String(size),
  };
  try {
    await retry(async () => {
      const res = await put(url, headers, file);
      if (res.status >= 200 && res.status < 300) return;
      const reason = `HTTP ${res.status}: ${errorText(res.body)}`;
      throw res.status < 500 && res.status !== 429 ? new ArtifactRefusedError(`${relPath}: ${reason}`) : new Error(reason);
    }, { attempts: ATTEMPTS, baseMs: 250, classify: (e) => (e instanceof ArtifactRefusedError ? "fail" : "retry") });
  } catch (e) {
    if (e instanceof ArtifactRefusedError) throw e;
    throw new Error(`${relPath}: ${(e as Error).message} (after ${ATTEMPTS} attempts)`);
  }
}

async function put(url: URL, headers: Record<string, string>, file: string): Promise<{ status: number; body: string }> {
  const client = url.protocol === "https:" ? https : http;
  // O_NOFOLLOW: a symlink the script left in /archive is never followed out of it.
  const handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  return new Promise((resolve, reject) => {
    const req = client.request(url, { method: "PUT", headers }, (res) => {
      const parts: Buffer[] = [];
      res.on("data", (d: Buffer) => parts.push(d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString() }));
      res.on("error", reject);
    });
    req.on("error", reject);
    pipeline(handle.createReadStream(), req).catch(reject);
  });
}

function errorText(body: string): string {
  try {
    return (JSON.parse(body) as { error?: string }).error ?? body;
  } catch {
    return body.slice(0, 500);
  }
}
