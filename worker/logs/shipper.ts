// Ships a run's console output to the server in ordered chunks with explicit
// offsets. Every byte is first appended to a spool file on disk and read back
// from there to send, so memory stays bounded however long the server is
// unreachable, and nothing is lost: bytes stay spooled until the server has
// acknowledged them. The server acknowledges resent bytes without storing
// them twice and answers a gap with the offset it has, from which we resend.
// A line waits on no timer in a quiet stream: output holding a newline is
// sent at once when no send is in flight; while one is, output gathers and
// goes in the next request, when the server answers but no sooner than
// `minIntervalMs` after the last request began (unless a full request is
// pending or the log is being flushed): a fast stream ships in large requests
// (without the pause a fast server answered so soon that a busy stream went
// in a few hundred small requests a second, whose overhead on a small host
// slowed the stream itself), an idle one line by line. A partial line is
// sent when `chunkBytes` are pending or `flushMs` after its first byte.
// Writes reach the spool file through a fixed 1 MiB buffer, flushed when full
// and before every send (one file write per MiB or per request, not per
// container write); the buffer is reused, so memory stays bounded and the
// caller may reuse what it wrote.
import { closeSync, mkdirSync, openSync, readSync, unlinkSync, writeSync } from "node:fs";
import { randomBytes } from "node:crypto";
import os from "node:os";
import path from "node:path";
import { ConnectError } from "@connectrpc/connect";
import { retry, retryConnectErrors } from "../../common/retry.js";
import { LogGapSchema } from "../../gen/jobserv/v1/worker_pb.js";

/** Sends `data` at `offset`; resolves to the committed length and whether the run is being cancelled. `data` is reused once it settles. */
export type AppendFn = (offset: number, data: Uint8Array) => Promise<{ committed: number; cancelRequested: boolean }>;

export interface ShipperConfig {
  chunkBytes: number;
  flushMs: number;
  /** Least time from one request's start to the next one's while output keeps coming (default 20 ms). */
  minIntervalMs?: number;
  /** Folder for the spool file, created if missing (default: the OS temp folder). */
  spoolDir?: string;
}

const NEWLINE = 0x0a;
/**
 * Bytes per request at most: catching up after a burst or an outage, bigger
 * requests, fewer round trips. 4 KiB under 1 MiB so the encoded request (run
 * id, token, offset, data) fits the 1 MiB buffer protobuf-es's writer grows
 * to: at exactly 1 MiB of data it grew to 2 MiB, zero-filled, per request.
 */
const MAX_REQUEST = (1 << 20) - 4096;
/** Bytes gathered in memory before they go to the spool file in one write. */
const SPOOL_BUFFER = 1 << 20;

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
  /** Written bytes not yet in the spool file: the last `buffered` ones. */
  private buffer: Buffer | undefined;
  private buffered = 0;
  private readBuffer: Buffer | undefined;
  /** When the last request began (ms since the epoch). */
  private lastSendAt = 0;
  /** Set by flush(): no pause between requests. */
  private draining = false;
  /** Ends the pause between requests early. */
  private wake: (() => void) | undefined;

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
    this.buffer ??= Buffer.allocUnsafe(SPOOL_BUFFER);
    if (this.buffered + data.length > this.buffer.length) this.spill();
    if (data.length >= this.buffer.length) writeSync(this.fd, data, 0, data.length, this.written - this.fileBase);
    else {
      this.buffer.set(data, this.buffered);
      this.buffered += data.length;
    }
    this.written += data.length;
    if (this.sending) return; // sendAll picks it up when the server answers
    if (this.written - this.acked >= this.config.chunkBytes || data.includes(NEWLINE)) this.kick();
    else this.timer ??= setTimeout(() => this.kick(), this.config.flushMs);
  }

  /** Ships everything written so far; rejects only if the server refused the log for good. */
  async flush(): Promise<void> {
    this.draining = true;
    this.wake?.();
    try {
      while (this.acked < this.written || this.sending) {
        this.kick();
        await this.sending;
        if (this.failure) throw this.failure;
        if (this.signal?.aborted) return;
      }
    } finally {
      this.draining = false;
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
        this.buffered = 0;
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
      const pause = this.pause();
      if (pause) await pause;
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

  /** Moves the buffered bytes into the spool file. */
  private spill(): void {
    if (!this.buffered) return;
    writeSync(this.fd!, this.buffer!, 0, this.buffered, this.written - this.buffered - this.fileBase);
    this.buffered = 0;
  }

  /**
   * Until `minIntervalMs` after the last request began, unless a full request
   * is pending or the log is being flushed; undefined when there is no wait
   * (the request then goes out in this turn).
   */
  private pause(): Promise<void> | undefined {
    const wait = this.lastSendAt + (this.config.minIntervalMs ?? 20) - Date.now();
    if (wait <= 0 || this.draining || this.written - this.acked >= this.requestBytes) return undefined;
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => this.wake!(), wait);
      this.wake = () => { clearTimeout(timer); this.wake = undefined; resolve(); };
    });
  }

  private get requestBytes(): number {
    return Math.max(this.config.chunkBytes, MAX_REQUEST);
  }

  /** Sends the next pending bytes from the spool (a full request's worth at most). */
  private async sendNext(): Promise<void> {
    this.spill();
    this.lastSendAt = Date.now();
    const size = Math.min(this.written - this.acked, this.requestBytes);
    // One read buffer for every request (one in flight at a time): no 1 MiB allocation per request.
    this.readBuffer ??= Buffer.allocUnsafe(this.requestBytes);
    const data = this.readBuffer.subarray(0, readSync(this.fd!, this.readBuffer, 0, size, this.acked - this.fileBase));
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
