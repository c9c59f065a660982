// A test run leaves nothing behind in its TMPDIR: worker folders, spool files
// (a killed worker leaves its spool: worker-crash kills one mid-run),
// databases and server folders are per test and removed afterwards. Runs a few
// test files that start real servers and workers (child processes too) in a
// child ava with a private TMPDIR, then looks into it.
import { execFile } from "node:child_process";
import { readdirSync } from "node:fs";
import path from "node:path";
import test from "ava";
import { tempDir } from "../support/temp-dir.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const FILES = ["test/e2e/worker-crash.test.ts", "test/worker/connection/registration-refused.test.ts", "test/worker/logs/shipper.test.ts", "test/worker/runner/run.test.ts"];

test("the worker tests leave their private TMPDIR empty", async (t) => {
  const tmp = tempDir(t, "jobserv-hygiene-");
  const ava = path.join(ROOT, "node_modules/ava/entrypoints/cli.js");
  const result = await new Promise<{ code: number; out: string }>((resolve) => {
    execFile(process.execPath, [ava, ...FILES], {
      cwd: ROOT, maxBuffer: 16 << 20,
      // tsx's compile cache is the tool's, not ours: off, so only our leftovers could show.
      env: { ...process.env, TMPDIR: tmp, TSX_DISABLE_CACHE: "1", AVA_FORCE_CI: "not-ci" },
    }, (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, out: stdout + stderr }));
  });
  t.is(result.code, 0, result.out);
  t.deepEqual(readdirSync(tmp), [], "nothing left behind");
});
