// What the runner needs from the outside world while it executes a run: a
// place for console output and a place for status reports. The worker talks
// to the server; the simulator (later) writes to stdout and a local file.
import type { Status } from "../../gen/jobserv/v1/status_pb.js";
import type { TestRecord } from "./test-record.js";

export interface Reporter {
  /** Console output, in order. Never throws; delivery is the reporter's job. `data` may be reused once this returns: copy what is kept. */
  write(data: Uint8Array): void;
  /** Waits until every byte written so far is delivered. */
  flush(): Promise<void>;
  /** Reports a status; resolves when delivered. */
  status(status: Status, message: string): Promise<void>;
  /**
   * Stores `file` (`size` bytes, a file of the run's /archive) as artifact
   * `relPath` ("/"-separated). Resolves when stored; rejects when it was
   * refused for good (bad path, over the size limit, run no longer active).
   * Not called for simulated runs.
   */
  uploadArtifact(relPath: string, file: string, size: number): Promise<void>;
  /** Stores the run's tests, replacing any reported before. Not called for simulated runs. */
  reportTests(tests: TestRecord[]): Promise<void>;
  /** Records the digest of the image the run's container runs (repo@sha256:...). */
  imageDigest?(digest: string): Promise<void>;
}
