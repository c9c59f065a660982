// A fresh temporary folder for one test, removed in its teardown.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { ExecutionContext } from "ava";

export function tempDir(t: ExecutionContext, prefix = "jobserv-test-"): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
