// The runner's checkout of a private repository (worker/runner/git.ts) with
// real git against a real smart-HTTP server that demands Basic auth: the
// trigger's token opens it (user `oauth2` for non-GitHub hosts, or an
// explicit `user:token`), the exact SHA is checked out, and the token is
// neither written into .git/config nor told in the error of a refused clone.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import test from "ava";
import { cloneAt } from "../../../worker/runner/git.js";
import { createRepo, git, startGitHttp } from "../../support/git-http.js";

const TOKEN = "glpat-private-7Hq2";

test("a private repository clones with the token, at the exact SHA, and keeps no token behind", async (t) => {
  const server = await startGitHttp(t, { basicAuth: { user: "oauth2", password: TOKEN } });
  const repo = createRepo(server.root, "private");
  const first = git(repo.work, "rev-parse", "HEAD");
  const second = repo.commit("second commit");
  const dest = mkdtempSync(path.join(os.tmpdir(), "jobserv-clone-"));
  t.teardown(() => rmSync(dest, { recursive: true, force: true }));
  const url = `${server.url}/private.git`;

  t.is(await cloneAt(url, path.join(dest, "a"), { credentials: TOKEN, ref: first }), first, "the exact older SHA");
  t.is(await cloneAt(url, path.join(dest, "b"), { credentials: `oauth2:${TOKEN}` }), second, "user:token form, default branch head");
  for (const dir of ["a", "b"]) t.false(readFileSync(path.join(dest, dir, ".git", "config"), "utf8").includes(TOKEN), "no token in .git/config");

  for (const credentials of [undefined, "wrong-token"]) {
    const err = await t.throwsAsync(cloneAt(url, path.join(dest, `x-${credentials ?? "none"}`), { credentials, attempts: 1 }));
    t.regex(err!.message, new RegExp(`^git clone ${url} failed: .*(Authentication failed|could not read Username|401)`));
    t.false(err!.message.includes(TOKEN));
  }
});
