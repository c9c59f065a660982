// Worker configuration: bad values stop the start with the variable's name
// and value; the worker's folder (its token) defaults to a persistent place
// per worker name, not $TMPDIR, and the token survives a restart.
import { readFileSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import test from "ava";
import { ConfigError } from "../../common/env-values.js";
import { defaultWorkerDir, loadWorkerConfig } from "../../worker/config.js";
import { tempDir } from "../support/temp-dir.js";

const refused = test.macro({
  exec(t, env: Record<string, string>, message: string) {
    const e = t.throws(() => loadWorkerConfig({ JOBSERV_WORKER_DIR: tempDir(t, "jobserv-worker-config-"), ...env }), { instanceOf: ConfigError });
    t.is(e?.message, message);
  },
  title: (given, env: Record<string, string>) => given ?? `refused: ${JSON.stringify(env)}`,
});

test(refused, { JOBSERV_WORKER_PROTOCOL: "http2" }, 'JOBSERV_WORKER_PROTOCOL="http2": expected one of connect, grpc, grpc-web');
test(refused, { JOBSERV_WORKER_CONCURRENCY: "" }, 'JOBSERV_WORKER_CONCURRENCY="": expected an integer from 1 to 1000');
test(refused, { JOBSERV_WORKER_CONCURRENCY: "two" }, 'JOBSERV_WORKER_CONCURRENCY="two": expected an integer from 1 to 1000');
test(refused, { JOBSERV_URL: "127.0.0.1:8080" }, 'JOBSERV_URL="127.0.0.1:8080": expected a URL with its scheme, e.g. http://host:8080');
test(refused, { JOBSERV_WORKER_NAME: "lab 1" }, 'JOBSERV_WORKER_NAME="lab 1": expected 1 to 80 of A-Z a-z 0-9 . _ -');
test(refused, { JOBSERV_WORKER_SHARED_VOLUMES: "ccache=/srv/ccache,bad" }, 'JOBSERV_WORKER_SHARED_VOLUMES="ccache=/srv/ccache,bad": entry "bad": expected name=/host/path');

test("the folder defaults to $XDG_STATE_HOME/jobserv-worker/<name>, else ~/.local/state, or /var/lib for root", (t) => {
  t.is(defaultWorkerDir({ XDG_STATE_HOME: "/st", HOME: "/h" }, "lab-1"), "/st/jobserv-worker/lab-1");
  const expected = process.getuid?.() === 0 ? "/var/lib/jobserv-worker/lab-1" : "/h/.local/state/jobserv-worker/lab-1";
  t.is(defaultWorkerDir({ HOME: "/h" }, "lab-1"), expected);
  t.false(defaultWorkerDir({ HOME: "/h" }, "lab-1").startsWith(os.tmpdir()));
});

test("the token is created once (0600) in the worker's folder and read again after a restart", (t) => {
  const state = tempDir(t, "jobserv-worker-config-");
  const env = { XDG_STATE_HOME: state, JOBSERV_WORKER_NAME: "lab-1", JOBSERV_WORKER_SHARED_VOLUMES: "ccache=/srv/ccache", JOBSERV_WORKER_PROTOCOL: "grpc" };
  const first = loadWorkerConfig(env);
  const file = path.join(state, "jobserv-worker", "lab-1", "token");
  t.is(readFileSync(file, "utf8").trim(), first.token);
  t.is(statSync(file).mode & 0o777, 0o600);
  t.like(loadWorkerConfig(env), { token: first.token, workDir: path.join(state, "jobserv-worker", "lab-1"), protocol: "grpc", sharedVolumes: { ccache: "/srv/ccache" } });
  t.not(loadWorkerConfig({ ...env, JOBSERV_WORKER_NAME: "lab-2" }).token, first.token, "another name, another folder and token");
});
