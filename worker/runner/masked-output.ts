// The runner's console output path: masks secret values (see logs/mask.ts)
// before handing bytes to the reporter, and flushes held-back bytes after
// `quietMs` without output so a live tail never waits for the end of the run.
import { SecretMasker } from "../logs/mask.js";
import type { Reporter } from "./reporter.js";

export class MaskedOutput {
  private readonly masker: SecretMasker;
  private readonly deliver = (safe: Buffer) => this.reporter.write(safe);
  private timer: NodeJS.Timeout | undefined;
  private lastWrite = 0;

  constructor(private readonly reporter: Reporter, secrets: Iterable<string>, private readonly quietMs = 200) {
    this.masker = new SecretMasker(secrets);
  }

  write(data: Uint8Array | string): void {
    const bytes = typeof data === "string" ? Buffer.from(data) : data;
    if (!this.masker.active) return this.reporter.write(bytes);
    this.masker.pushTo(bytes, this.deliver);
    if (!this.masker.holding) {
      // Nothing held back (output that ends a line): no timer.
      clearTimeout(this.timer);
      this.timer = undefined;
      return;
    }
    // One timer, pushed back when it fires early, rather than one per write.
    this.lastWrite = Date.now();
    this.timer ??= setTimeout(this.onQuiet, this.quietMs);
  }

  private readonly onQuiet = () => {
    this.timer = undefined;
    const wait = this.lastWrite + this.quietMs - Date.now();
    if (wait > 0) this.timer = setTimeout(this.onQuiet, wait);
    else this.drain();
  };

  /** Hands everything held back to the reporter and waits until it is delivered. */
  async flush(): Promise<void> {
    this.drain();
    await this.reporter.flush();
  }

  private drain(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const rest = this.masker.flush();
    if (rest.length) this.reporter.write(rest);
  }
}
