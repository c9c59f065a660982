// Reads a remote's refs: over smart HTTP(S) by fetching and parsing the ref
// advertisement; anything else (file:// URLs, local paths) with `git ls-remote`.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { parseRefAdvertisement } from "./pkt-line.js";

const run = promisify(execFile);

/** `authorization`: a header value for private HTTP(S) repositories (common/git-auth.ts). */
export async function listRefs(url: string, authorization?: string): Promise<Map<string, string>> {
  if (/^https?:\/\//.test(url)) {
    const res = await fetch(`${url.replace(/\/$/, "")}/info/refs?service=git-upload-pack`, {
      headers: { "user-agent": "git/2.0 (jobserv)", ...(authorization ? { authorization } : {}) }, signal: AbortSignal.timeout(30_000),
    });
    if (!res.ok) throw new Error(`GET ${url}/info/refs: HTTP ${res.status}`);
    if (res.headers.get("content-type") !== "application/x-git-upload-pack-advertisement") {
      throw new Error(`${url} is not a smart-HTTP git server (content-type ${res.headers.get("content-type")})`);
    }
    return parseRefAdvertisement(Buffer.from(await res.arrayBuffer()));
  }
  const { stdout } = await run("git", ["ls-remote", "--", url], { timeout: 30_000, maxBuffer: 64 * 1024 * 1024 });
  const refs = new Map<string, string>();
  for (const line of stdout.split("\n")) {
    const [sha, ref] = line.split("\t");
    if (sha && ref && !ref.endsWith("^{}")) refs.set(ref, sha);
  }
  return refs;
}
