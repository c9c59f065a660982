// A Reporter wrapper that keeps a bounded copy of the console output in a
// file, so the post-script can apply test-grepping to the text the server
// stores. The copy keeps the first `maxBytes` (64 MiB by default) and drops
// the rest (0: no copy, for a run without test-grepping); the file is removed
// when the run's final status is reported.
import { closeSync, mkdirSync, openSync, rmSync, writeSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { Status } from "../../gen/jobserv/v1/status_pb.js";
import type { Reporter } from "./reporter.js";
import type { TestRecord } from "./test-record.js";

export const CONSOLE_COPY_BYTES = 64 * 1024 * 1024;

export class ConsoleCopy implements Reporter {
  private fd: number | undefined;
  private copied = 0;
  private broken = false;

  constructor(private readonly inner: Reporter, private readonly file: string, private readonly maxBytes = CONSOLE_COPY_BYTES) {}

  write(data: Uint8Array): void {
    this.inner.write(data);
    this.copy(data);
  }

  flush(): Promise<void> {
    return this.inner.flush();
  }

  async status(status: Status, message: string): Promise<void> {
    try {
      await this.inner.status(status, message);
    } finally {
      if (status === Status.PASSED || status === Status.FAILED) this.discard();
    }
  }

  uploadArtifact(relPath: string, file: string, size: number): Promise<void> {
    return this.inner.uploadArtifact(relPath, file, size);
  }

  imageDigest(digest: string): Promise<void> {
    return this.inner.imageDigest?.(digest) ?? Promise.resolve();
  }

  reportTests(tests: TestRecord[]): Promise<void> {
    return this.inner.reportTests(tests);
  }

  /** The console text copied so far (at most `maxBytes`), and whether output was dropped. */
  async text(): Promise<{ text: string; truncated: boolean }> {
    if (this.fd === undefined) return { text: "", truncated: this.broken };
    return { text: await readFile(this.file, "utf8"), truncated: this.broken || this.copied >= this.maxBytes };
  }

  /** Closes and removes the copy; later output is no longer copied. */
  discard(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    this.broken = true;
    rmSync(this.file, { force: true });
  }

  // Synchronous appends keep the copy in output order without a queue; the
  // chunks are small and the file is local.
  private copy(data: Uint8Array): void {
    if (this.broken || this.copied >= this.maxBytes) return;
    try {
      if (this.fd === undefined) {
        mkdirSync(path.dirname(this.file), { recursive: true });
        this.fd = openSync(this.file, "w");
      }
      const part = data.subarray(0, this.maxBytes - this.copied);
      writeSync(this.fd, part);
      this.copied += part.length;
    } catch {
      // A copy that cannot be written only costs test-grepping; output itself is unaffected.
      this.broken = true;
    }
  }
}
