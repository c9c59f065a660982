// Git checkouts for runs, on the worker host: the script repo of a run
// (`script-repo`) and, for forge and poller triggers, the repository under
// test at the exact SHA. Tokens travel in an http.extraHeader set through the
// environment (common/git-auth.ts), never in the URL or argv (so they do not
// end up in .git/config, process lists or logs).
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { gitAuthEnv, gitAuthorization } from "../../common/git-auth.js";
import { retry } from "../../common/retry.js";

const run = promisify(execFile);

export interface CloneOptions {
  /** Branch, tag or commit to check out after cloning. */
  ref?: string;
  /** `user:token`, or a token alone (user chosen from the host). */
  credentials?: string;
  attempts?: number;
}

async function git(args: string[], cwd?: string, env: Record<string, string> = {}): Promise<string> {
  const { stdout } = await run("git", args, {
    cwd, env: { ...process.env, GIT_TERMINAL_PROMPT: "0", GIT_ASKPASS: "true", ...env }, maxBuffer: 16 * 1024 * 1024,
  });
  return stdout.trim();
}

/**
 * Clones `url` into `dest` and checks out `ref` on branch `jobserv-run`, then
 * its submodules (recursively) and LFS objects when the repository uses them,
 * with the same credentials (sent only to `url`'s host); returns the commit
 * checked out.
 */
export async function cloneAt(url: string, dest: string, opts: CloneOptions = {}): Promise<string> {
  const attempts = opts.attempts ?? 3;
  const auth = gitAuthEnv(gitAuthorization(url, opts.credentials), /^https?:/.test(url) ? url : undefined);
  await withRetries(attempts, async (attempt) => {
    if (attempt > 1) await run("rm", ["-rf", dest]);
    await git(["clone", "--quiet", "--", url, dest], undefined, auth);
  }, (e) => `git clone ${url} failed: ${firstLine(e)}`);
  if (opts.ref) {
    try {
      await git(["checkout", "--quiet", "-B", "jobserv-run", opts.ref], dest);
    } catch (e) {
      throw new Error(`git checkout ${opts.ref} in ${url} failed: ${firstLine(e)}`);
    }
  }
  await withRetries(attempts, () => checkoutSubmodules(dest, auth), (e) => `git submodule update in ${url} failed: ${firstLine(e)}`);
  await withRetries(attempts, () => fetchLfs(dest, auth), (e) => `git lfs pull in ${url} failed: ${firstLine(e)}`);
  return git(["rev-parse", "HEAD"], dest);
}

async function checkoutSubmodules(dest: string, auth: Record<string, string>): Promise<void> {
  if (!existsSync(path.join(dest, ".gitmodules"))) return;
  await git(["submodule", "update", "--init", "--recursive", "--quiet"], dest, auth);
}

/** LFS objects of the repository and its submodules, when it uses LFS (a `filter=lfs` attribute) and git-lfs is installed. */
async function fetchLfs(dest: string, auth: Record<string, string>): Promise<void> {
  const attributes = await readFile(path.join(dest, ".gitattributes"), "utf8").catch(() => "");
  if (!/filter=lfs/.test(attributes)) return;
  try {
    await git(["lfs", "version"], dest);
  } catch {
    throw new Error("the repository uses Git LFS, but git-lfs is not installed on this worker");
  }
  await git(["lfs", "pull"], dest, auth);
  if (existsSync(path.join(dest, ".gitmodules"))) await git(["submodule", "foreach", "--recursive", "--quiet", "git lfs pull"], dest, auth);
}

/** `step` tried `attempts` times, 0.5 s apart and then longer (at most 3 s); its last failure described by `describe`. */
async function withRetries(attempts: number, step: (attempt: number) => Promise<void>, describe: (e: unknown) => string): Promise<void> {
  try {
    await retry(step, { attempts, baseMs: 500, capMs: 3_000 });
  } catch (e) {
    throw new Error(describe(e));
  }
}

function firstLine(e: unknown): string {
  const err = e as { stderr?: string; message?: string };
  return (err.stderr || err.message || String(e)).trim().split("\n").slice(-1)[0] ?? "";
}
