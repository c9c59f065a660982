// Git checkouts of runs from a private git host (smart HTTP with Basic auth
// on loopback): submodules, recursively, and Git LFS objects (the host also
// answers the LFS batch API), all with the run's credentials.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import test from "ava";
import { cloneAt } from "../../../worker/runner/git.js";
import { createRepo, git, startGitHttp } from "../../support/git-http.js";

const AUTH = { user: "ci", password: "s3cret-token" };

test("a checkout fetches its submodules recursively and LFS objects with the same credentials", async (t) => {
  const server = await startGitHttp(t, { basicAuth: AUTH });
  const inner = createRepo(server.root, "inner");
  writeFileSync(path.join(inner.work, "inner.txt"), "from the nested submodule\n");
  git(inner.work, "add", "inner.txt");
  git(inner.work, "commit", "--quiet", "-m", "inner");
  git(inner.work, "push", "--quiet", path.join(server.root, "inner.git"), "HEAD:refs/heads/master");

  const sub = createRepo(server.root, "sub");
  // Submodule URLs are the served (authenticated) ones; adding them reads from the bare repos directly.
  const allow = ["-c", "protocol.file.allow=always"];
  git(sub.work, ...allow, "submodule", "add", "--quiet", path.join(server.root, "inner.git"), "nested");
  git(sub.work, "config", "-f", ".gitmodules", "submodule.nested.url", `${server.url}/inner.git`);
  git(sub.work, "add", ".gitmodules", "nested");
  git(sub.work, "commit", "--quiet", "-m", "nested submodule");
  git(sub.work, "push", "--quiet", path.join(server.root, "sub.git"), "HEAD:refs/heads/master");

  const top = createRepo(server.root, "top");
  git(top.work, ...allow, "submodule", "add", "--quiet", path.join(server.root, "sub.git"), "sub");
  git(top.work, "config", "-f", ".gitmodules", "submodule.sub.url", `${server.url}/sub.git`);
  git(top.work, "lfs", "install", "--local");
  git(top.work, "lfs", "track", "*.bin");
  writeFileSync(path.join(top.work, "model.bin"), "large binary content\n");
  git(top.work, "add", ".gitmodules", "sub", ".gitattributes", "model.bin");
  git(top.work, "commit", "--quiet", "-m", "submodule and an LFS file");
  execFileSync("git", ["push", "--quiet", "--no-verify", path.join(server.root, "top.git"), "HEAD:refs/heads/master"], { cwd: top.work });
  const sha = git(top.work, "rev-parse", "HEAD");

  const dest = path.join(mkdtempSync(path.join(os.tmpdir(), "jobserv-checkout-")), "repo");
  t.teardown(() => rmSync(path.dirname(dest), { recursive: true, force: true }));
  const got = await cloneAt(`${server.url}/top.git`, dest, { ref: sha, credentials: `${AUTH.user}:${AUTH.password}`, attempts: 1 });
  t.is(got, sha);
  t.is(readFileSync(path.join(dest, "sub", "file.txt"), "utf8"), "change 1\n");
  t.is(readFileSync(path.join(dest, "sub", "nested", "inner.txt"), "utf8"), "from the nested submodule\n");
  t.is(readFileSync(path.join(dest, "model.bin"), "utf8"), "large binary content\n", "the LFS object, not its pointer");
  t.false(readFileSync(path.join(dest, ".git", "config"), "utf8").includes(AUTH.password), "no credentials stored in the checkout");
});

test("without credentials the private submodule host refuses and the checkout fails saying so", async (t) => {
  const server = await startGitHttp(t, { basicAuth: AUTH });
  const dest = path.join(mkdtempSync(path.join(os.tmpdir(), "jobserv-checkout-")), "repo");
  t.teardown(() => rmSync(path.dirname(dest), { recursive: true, force: true }));
  createRepo(server.root, "private");
  await t.throwsAsync(cloneAt(`${server.url}/private.git`, dest, { attempts: 1 }), { message: /git clone .* failed/ });
});
