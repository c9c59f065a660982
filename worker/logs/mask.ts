// Secret masking of console output: every secret value is replaced with `***`
// before the bytes leave the worker, also when a value is split across two
// writes. The last (longest secret - 1) bytes are held back until more output
// arrives or `flush()` is called; the caller flushes after a short quiet time.
// When no secret contains a newline, no secret can span one, so everything up
// to the last newline is released at once: a finished line never waits.
// Values shorter than MIN_SECRET_LENGTH are not masked: masking "1" or "yes"
// would destroy the log and protect nothing.
export const MIN_SECRET_LENGTH = 4;
const MASK = "***";

export class SecretMasker {
  private readonly secrets: string[];
  private readonly holdBack: number;
  private carry = "";
  /** No secret contains "\n": masked text up to a newline is final. */
  private readonly lineSafe: boolean;

  constructor(values: Iterable<string>) {
    // Compare bytes: latin1 maps each byte to one char and back, losslessly.
    this.secrets = [...new Set([...values].filter((v) => Buffer.byteLength(v) >= MIN_SECRET_LENGTH))]
      .map((v) => Buffer.from(v, "utf8").toString("latin1"))
      .sort((a, b) => b.length - a.length);
    this.holdBack = Math.max(0, ...this.secrets.map((s) => s.length - 1));
    this.lineSafe = this.secrets.every((s) => !s.includes("\n"));
  }

  get active(): boolean {
    return this.secrets.length > 0;
  }

  /** Masks `data`; returns the bytes that are safe to send now. */
  push(data: Uint8Array): Buffer {
    if (!this.active) return Buffer.from(data);
    const text = this.mask(this.carry + Buffer.from(data).toString("latin1"));
    const cut = Math.max(0, text.length - this.holdBack, this.lineSafe ? text.lastIndexOf("\n") + 1 : 0);
    this.carry = text.slice(cut);
    return Buffer.from(text.slice(0, cut), "latin1");
  }

  /** Everything held back, masked. */
  flush(): Buffer {
    const rest = this.mask(this.carry);
    this.carry = "";
    return Buffer.from(rest, "latin1");
  }

  private mask(text: string): string {
    let out = text;
    for (const s of this.secrets) out = out.split(s).join(MASK);
    return out;
  }
}
