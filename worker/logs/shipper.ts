// Ships a run's console output to the server in ordered chunks with explicit
// offsets. Every byte is first appended to a spool file on disk and read back
// from there to send, so memory stays bounded however long the server is
// unreachable, and nothing is lost: bytes stay spooled until the server has
// acknowledged them. The server acknowledges resent bytes without storing
// them twice and answers a gap with the offset it has, from which we resend.
// A line never waits on a timer: output holding a newline is sent at once
// when no send is in flight; while one is, output gathers and goes in the
// next request, as soon as the server answers (so a fast stream ships in
// large requests, an idle one line by line). A partial line is sent when
// `chunkBytes` are pending or `flushMs` after its first byte.
import { closeSync, mkdirSync, openSync, readSync, unlinkSync, writeSync } from "node:fs";
import { randomBytes } from "node:crypto";
import os from "node:os";
import path from "node:path";
import { ConnectError } from "@connectrpc/connect";
import { retry, retryConnectErrors } from "../../common/retry.js";
import { LogGapSchema } from "../../gen/jobserv/v1/worker_pb.js";

/** Sends `data` at `offset`; resolves to the committed length and whether the run is being cancelled. */
export type AppendFn = (offset: number, data: Uint8Array) => Promise<{ committed: number; cancelRequested: boolean }>;

export interface ShipperConfig {
  chunkBytes: number;
  flushMs: number;
  /** Folder for the spool file, created if missing (default: the OS temp folder). */
  spoolDir?: string;
}

const NEWLINE = 0x0a;

export class LogShipper {
  private fd: number | undefined;
  private file = "";
  /** Log offset of the spool file's first byte. */
  private fileBase = 0;
  /** Bytes written so far (the log offset of the next byte). */
  private written = 0;
  /** Bytes the server has acknowledged. */
  private acked = 0;
  private timer: NodeJS.Timeout | undefined;
  private sending: Promise<void> | undefined;
  private failure: unknown;

  constructor(private readonly append: AppendFn, private readonly config: ShipperConfig,
    private readonly onCancel: () => void = () => {}, private readonly signal?: AbortSignal) {}

  write(data: Uint8Array): void {
    if (!data.length) return;
    if (this.fd === undefined) {
      const dir = this.config.spoolDir ?? os.tmpdir();
      mkdirSync(dir, { recursive: true });
      this.file = path.join(dir, `jobserv-log-${randomBytes(6).toString("hex")}.spool`);
      this.fd = openSync(this.file, "w+", 0o600);
      this.fileBase = this.written;
    }
    writeSync(this.fd, data, 0, data.length, this.written - this.fileBase);
    this.written += data.length;
    if (this.sending) return; // sendAll picks it up when the server answers
    if (this.written - this.acked >= this.config.chunkBytes || data.includes(NEWLINE)) this.kick();
    else this.timer ??= setTimeout(() => this.kick(), this.config.flushMs);
  }

  /** Ships everything written so far; rejects only if the server refused the log for good. */
  async flush(): Promise<void> {
    while (this.acked < this.written || this.sending) {
      this.kick();
      await this.sending;
      if (this.failure) throw this.failure;
      if (this.signal?.aborted) return;
    }
  }

  /** Flushes, then removes the spool file. Writing again later starts a new one. */
  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      clearTimeout(this.timer);
      if (this.fd !== undefined) {
        closeSync(this.fd);
        unlinkSync(this.file);
        this.fd = undefined;
      }
    }
  }

  /** Bytes the server has acknowledged. */
  get committed(): number {
    return this.acked;
  }

  private kick(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.sending || this.failure) return;
    this.sending = this.sendAll().finally(() => {
      this.sending = undefined;
      // Written after the last send's answer but before this ran: send it too.
      if (this.acked < this.written && !this.failure && !this.signal?.aborted) this.kick();
    });
  }

  private async sendAll(): Promise<void> {
    while (this.acked < this.written && !this.signal?.aborted) {
      try {
        await retry(() => this.sendNext(), { baseMs: 100, capMs: 5_000, signal: this.signal, classify: (e) => (gapOf(e) ? "fail" : retryConnectErrors(e)) });
      } catch (e) {
        const gap = gapOf(e);
        if (gap) { this.resendFrom(Number(gap.committedOffset)); if (this.failure) return; continue; }
        if (retryConnectErrors(e) === "fail" || !this.signal?.aborted) this.failure = e;
        return;
      }
    }
  }

  /** Sends the next pending bytes from the spool; catching up after a burst or an outage, bigger requests, fewer round trips (1 MiB at most). */
  private async sendNext(): Promise<void> {
    const size = Math.min(this.written - this.acked, Math.max(this.config.chunkBytes, 1 << 20));
    const data = Buffer.alloc(size);
    readSync(this.fd!, data, 0, size, this.acked - this.fileBase);
    const { committed, cancelRequested } = await this.append(this.acked, data);
    this.advanceTo(committed);
    if (cancelRequested) this.onCancel();
  }

  /**
   * The server holds only `committed` bytes, fewer than it acknowledged (it
   * lost a tail, e.g. a store failover): send again from there. Bytes before
   * this spool file are gone; if the server needs those, the log cannot be
   * repaired and the shipper fails.
   */
  private resendFrom(committed: number): void {
    if (committed >= this.acked) return this.advanceTo(committed);
    if (committed < this.fileBase) {
      this.failure = new Error(`log gap: the server holds ${committed} bytes, the spool starts at ${this.fileBase}`);
      return;
    }
    this.acked = committed;
  }

  /** The server holds `committed` bytes: everything below is done. */
  private advanceTo(committed: number): void {
    this.acked = Math.max(this.acked, Math.min(committed, this.written));
  }
}

function gapOf(e: unknown) {
  return e instanceof ConnectError ? e.findDetails(LogGapSchema)[0] : undefined;
}
