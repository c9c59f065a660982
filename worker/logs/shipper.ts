// Ships a run's console output to the server in ordered chunks with explicit
// offsets. Bytes are held until the server acknowledged them, so a failed or
// repeated call never loses or duplicates anything: the server acknowledges
// resent bytes without storing them twice and answers a gap with the offset
// it has, from which we resend. Output is batched: a flush happens when
// `chunkBytes` are pending or `flushMs` after the first pending byte.
import { ConnectError } from "@connectrpc/connect";
import { backoffMs, sleep } from "../../common/sleep.js";
import { LogGapSchema } from "../../gen/jobserv/v1/worker_pb.js";
import { isRetryable } from "../connection/retry.js";

/** Sends `data` at `offset`; resolves to the committed length and whether the run is being cancelled. */
export type AppendFn = (offset: number, data: Uint8Array) => Promise<{ committed: number; cancelRequested: boolean }>;

export interface ShipperConfig { chunkBytes: number; flushMs: number }

export class LogShipper {
  /** Offset of pending[0]: everything below is acknowledged by the server. */
  private acked = 0;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private sending: Promise<void> | undefined;
  private failure: unknown;

  constructor(private readonly append: AppendFn, private readonly config: ShipperConfig,
    private readonly onCancel: () => void = () => {}, private readonly signal?: AbortSignal) {}

  write(data: Uint8Array): void {
    if (!data.length) return;
    this.pending.push(Buffer.from(data));
    this.pendingBytes += data.length;
    if (this.pendingBytes >= this.config.chunkBytes) this.kick();
    else this.timer ??= setTimeout(() => this.kick(), this.config.flushMs);
  }

  /** Ships everything written so far; rejects only if the server refused the log for good. */
  async flush(): Promise<void> {
    while (this.pendingBytes > 0 || this.sending) {
      this.kick();
      await this.sending;
      if (this.failure) throw this.failure;
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
    this.sending = this.sendAll().finally(() => { this.sending = undefined; });
  }

  private async sendAll(): Promise<void> {
    let attempt = 0;
    while (this.pendingBytes > 0 && !this.signal?.aborted) {
      const data = Buffer.concat(this.pending);
      this.pending = [data];
      const size = Math.min(data.length, this.config.chunkBytes * 4);
      try {
        const { committed, cancelRequested } = await this.append(this.acked, data.subarray(0, size));
        this.advanceTo(committed);
        if (cancelRequested) this.onCancel();
        attempt = 0;
      } catch (e) {
        const gap = e instanceof ConnectError ? e.findDetails(LogGapSchema)[0] : undefined;
        if (gap) { this.advanceTo(Number(gap.committedOffset)); continue; }
        if (!isRetryable(e)) { this.failure = e; return; }
        await sleep(backoffMs(attempt++), this.signal);
      }
    }
  }

  /** The server has `committed` bytes: drop what it holds from the pending buffer. */
  private advanceTo(committed: number): void {
    const drop = Math.max(0, Math.min(committed - this.acked, this.pendingBytes));
    const data = Buffer.concat(this.pending).subarray(drop);
    this.pending = data.length ? [data] : [];
    this.pendingBytes = data.length;
    this.acked += drop;
  }
}
