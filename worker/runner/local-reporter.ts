// The simulator's Reporter: console output to stdout and to a console.log
// file in the work folder; statuses as `== STATUS: message` lines on stderr.
// Nothing is sent anywhere: artifacts stay in the run's archive folder.
import { appendFileSync } from "node:fs";
import { Status } from "../../gen/jobserv/v1/status_pb.js";
import type { Reporter } from "./reporter.js";
import type { TestRecord } from "./test-record.js";

export class LocalReporter implements Reporter {
  constructor(private readonly consoleLog: string, private readonly out: NodeJS.WritableStream = process.stdout,
    private readonly err: NodeJS.WritableStream = process.stderr) {}

  write(data: Uint8Array): void {
    this.out.write(Buffer.from(data)); // a copy: the stream writes later, `data` may be reused at once
    appendFileSync(this.consoleLog, data);
  }

  async flush(): Promise<void> {}

  async status(status: Status, message: string): Promise<void> {
    this.err.write(`== ${Status[status]}${message ? `: ${message}` : ""}\n`);
  }

  async uploadArtifact(relPath: string): Promise<void> {
    this.err.write(`== artifact (kept locally): ${relPath}\n`);
  }

  async reportTests(tests: TestRecord[]): Promise<void> {
    this.err.write(`== ${tests.length} test(s) found\n`);
  }
}
