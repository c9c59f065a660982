// The head commit's message of a moved ref, for `[skip ci]`: fetched with git
// itself (one shallow commit, trees filtered where the server allows) into a
// scratch bare repository, which works for any smart-HTTP server and for
// local repositories alike, without a forge-specific API.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { gitAuthEnv } from "../../../common/git-auth.js";

const run = promisify(execFile);

/** `authorization`: a header value for private HTTP(S) repositories (common/git-auth.ts). */
export async function commitMessage(scratchRepo: string, url: string, ref: string, sha: string, authorization?: string): Promise<string> {
  const env = { ...process.env, GIT_TERMINAL_PROMPT: "0", ...gitAuthEnv(authorization) };
  const git = (...args: string[]) => run("git", ["-C", scratchRepo, ...args], { timeout: 60_000, maxBuffer: 16 * 1024 * 1024, env });
  await git("fetch", "--quiet", "--no-tags", "--depth=1", "--filter=tree:0", "--", url, `+${ref}:refs/jobserv/poll`);
  for (const rev of [sha, "refs/jobserv/poll"]) {
    try {
      return (await git("log", "-1", "--format=%B", rev, "--")).stdout;
    } catch { /* the ref moved again since it was listed: use what was fetched */ }
  }
  throw new Error(`commit ${sha} of ${url} not found after fetching ${ref}`);
}

export async function initScratchRepo(dir: string): Promise<void> {
  await run("git", ["init", "--quiet", "--bare", dir]);
}
