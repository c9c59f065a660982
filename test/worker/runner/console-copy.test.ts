// The console copy behind test-grepping: passes everything through, keeps at
// most its bound, and removes its file at the run's final status.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import test from "ava";
import { Status } from "../../../gen/jobserv/v1/status_pb.js";
import { ConsoleCopy } from "../../../worker/runner/console-copy.js";
import type { Reporter } from "../../../worker/runner/reporter.js";

/** A Reporter that records what it is given. */
class RecordingReporter implements Reporter {
  readonly written: Buffer[] = [];
  readonly statuses: Status[] = [];
  write(data: Uint8Array): void { this.written.push(Buffer.from(data)); }
  async flush(): Promise<void> {}
  async status(status: Status): Promise<void> { this.statuses.push(status); }
  async uploadArtifact(): Promise<void> {}
  async reportTests(): Promise<void> {}
}

test("copies up to the bound, passes everything on, and is removed at the final status", async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "jobserv-copy-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, "runs", "7.console");
  const inner = new RecordingReporter();
  const copy = new ConsoleCopy(inner, file, 10);
  t.deepEqual(await copy.text(), { text: "", truncated: false });
  copy.write(Buffer.from("hello "));
  copy.write(Buffer.from("world, and more"));
  t.is(Buffer.concat(inner.written).toString(), "hello world, and more");
  t.deepEqual(await copy.text(), { text: "hello worl", truncated: true });
  await copy.status(Status.UPLOADING, "");
  t.true(existsSync(file));
  await copy.status(Status.PASSED, "exit code 0");
  t.false(existsSync(file));
  t.deepEqual(inner.statuses, [Status.UPLOADING, Status.PASSED]);
});
