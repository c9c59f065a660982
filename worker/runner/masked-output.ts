// The runner's console output path: masks secret values (see logs/mask.ts)
// before handing bytes to the reporter, and flushes held-back bytes after
// `quietMs` without output so a live tail never waits for the end of the run.
import { SecretMasker } from "../logs/mask.js";
import type { Reporter } from "./reporter.js";

export class MaskedOutput {
  private readonly masker: SecretMasker;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly reporter: Reporter, secrets: Iterable<string>, private readonly quietMs = 200) {
    this.masker = new SecretMasker(secrets);
  }

  write(data: Uint8Array | string): void {
    const bytes = typeof data === "string" ? Buffer.from(data) : data;
    if (!this.masker.active) return this.reporter.write(bytes);
    const safe = this.masker.push(bytes);
    if (safe.length) this.reporter.write(safe);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.drain(), this.quietMs);
  }

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
