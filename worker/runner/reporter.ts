// What the runner needs from the outside world while it executes a run: a
// place for console output and a place for status reports. The worker talks
// to the server; the simulator (later) writes to stdout and a local file.
import type { Status } from "../../gen/jobserv/v1/status_pb.js";

export interface Reporter {
  /** Console output, in order. Never throws; delivery is the reporter's job. */
  write(data: Uint8Array): void;
  /** Waits until every byte written so far is delivered. */
  flush(): Promise<void>;
  /** Reports a status; resolves when delivered. */
  status(status: Status, message: string): Promise<void>;
}
