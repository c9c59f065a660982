// The runner's Reporter over WorkerService: output through a LogShipper
// (AppendLog: over the Connect protocol by append-log.ts, which sends the log
// bytes uncopied; over gRPC and gRPC-web by the generic client), statuses
// through UpdateRun, retried until delivered.
import path from "node:path";
import type { Client } from "@connectrpc/connect";
import { retry, retryConnectErrors } from "../../common/retry.js";
import { Status } from "../../gen/jobserv/v1/status_pb.js";
import type { WorkerService } from "../../gen/jobserv/v1/worker_pb.js";
import type { WorkerConfig } from "../config.js";
import { LogShipper } from "../logs/shipper.js";
import type { Reporter } from "../runner/reporter.js";
import type { TestRecord } from "../runner/test-record.js";
import { directAppendLog } from "./append-log.js";
import { uploadArtifactFile, type UploadTarget } from "./artifact-upload.js";

/** Where a worker spools console output: its own folder, not the shared temp folder. */
export function spoolDir(workDir: string): string {
  return path.join(workDir, "spool");
}

export class RemoteReporter implements Reporter {
  private readonly shipper: LogShipper;
  private readonly upload: UploadTarget;

  constructor(private readonly client: Client<typeof WorkerService>, private readonly runId: bigint, private readonly runToken: string,
    config: Pick<WorkerConfig, "logChunkBytes" | "logFlushMs" | "serverUrl" | "name" | "token" | "protocol" | "workDir">, private readonly onCancel: () => void) {
    this.upload = { serverUrl: config.serverUrl, workerName: config.name, runId, runToken };
    const appendLog = config.protocol === "connect"
      ? directAppendLog({ serverUrl: config.serverUrl, workerName: config.name, workerToken: config.token, runId, runToken })
      : (offset: number, data: Uint8Array) => client.appendLog({ runId, runToken, offset: BigInt(offset), data });
    this.shipper = new LogShipper(async (offset, data) => {
      const res = await appendLog(offset, data);
      return { committed: Number(res.committedOffset), cancelRequested: res.cancelRequested };
    }, { chunkBytes: config.logChunkBytes, flushMs: config.logFlushMs, spoolDir: spoolDir(config.workDir) }, onCancel);
  }

  write(data: Uint8Array): void {
    this.shipper.write(data);
  }

  /** Ships every byte written so far and removes the spool file. */
  flush(): Promise<void> {
    return this.shipper.close();
  }

  uploadArtifact(relPath: string, file: string, size: number): Promise<void> {
    return uploadArtifactFile(this.upload, relPath, file, size);
  }

  async reportTests(tests: TestRecord[]): Promise<void> {
    const res = await retry(() => this.client.reportTests({ runId: this.runId, runToken: this.runToken, tests }),
      { attempts: 22, classify: retryConnectErrors });
    if (res.cancelRequested) this.onCancel();
  }

  /** Rides on a repeated RUNNING report (a no-op for the status). */
  imageDigest(digest: string): Promise<void> {
    return this.status(Status.RUNNING, "", digest);
  }

  async status(status: Status, message: string, imageDigest = ""): Promise<void> {
    const res = await retry(() => this.client.updateRun({ runId: this.runId, runToken: this.runToken, status, message, imageDigest }),
      { attempts: 52, classify: retryConnectErrors });
    if (res.cancelRequested) this.onCancel();
  }
}
