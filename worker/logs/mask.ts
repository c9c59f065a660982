// Secret masking of console output: every secret value is replaced with `***`
// before the bytes leave the worker, also when a value is split across two
// writes. The last (longest secret - 1) bytes are held back until more output
// arrives or `flush()` is called; the caller flushes after a short quiet time.
// When no secret contains a newline, no secret can span one, so everything up
// to the last newline is released at once: a finished line never waits.
// Occurrences that overlap (two secrets sharing bytes, or one secret repeating
// into itself) are masked as one stretch, so no part of either leaks, and the
// output is the same however the input was split into writes.
// Values shorter than MIN_SECRET_LENGTH are not masked: masking "1" or "yes"
// would destroy the log and protect nothing.
export const MIN_SECRET_LENGTH = 4;
const MASK = "***";

export class SecretMasker {
  private readonly secrets: string[];
  /** The same as bytes. */
  private readonly secretBytes: Buffer[];
  private readonly holdBack: number;
  /** Bytes (latin1, one char per byte) not yet emitted. */
  private pending = "";
  /** The last bytes emitted (holdBack of them), unmasked: an occurrence may begin in them. */
  private context = "";
  /** The last emitted byte belonged to a masked stretch. */
  private maskedAtEnd = false;
  /** No secret contains "\n": masked text up to a newline is final. */
  private readonly lineSafe: boolean;

  constructor(values: Iterable<string>) {
    // Compare bytes: latin1 maps each byte to one char and back, losslessly.
    this.secrets = [...new Set([...values].filter((v) => Buffer.byteLength(v) >= MIN_SECRET_LENGTH))]
      .map((v) => Buffer.from(v, "utf8").toString("latin1"));
    this.secretBytes = this.secrets.map((s) => Buffer.from(s, "latin1"));
    this.holdBack = Math.max(0, ...this.secrets.map((s) => s.length - 1));
    this.lineSafe = this.secrets.every((s) => !s.includes("\n"));
  }

  get active(): boolean {
    return this.secrets.length > 0;
  }

  /** Masks `data`; returns the bytes that are safe to send now. */
  push(data: Uint8Array): Buffer {
    const parts: Buffer[] = [];
    this.pushTo(data, (b) => parts.push(b));
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  }

  /**
   * The same, handing the safe bytes to `emit` in order (in up to two pieces,
   * so no copy of `data` is made; a piece may be a view of `data`).
   */
  pushTo(data: Uint8Array, emit: (safe: Buffer) => void): void {
    if (!this.active) return emit(Buffer.from(data));
    if (this.pushClean(Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength), emit)) return;
    this.pending += Buffer.from(data).toString("latin1");
    const out = this.emit(Math.max(0, this.pending.length - this.holdBack, this.lineSafe ? this.pending.lastIndexOf("\n") + 1 : 0));
    if (out.length) emit(out);
  }

  /** Bytes held back (not yet emitted). */
  get holding(): number {
    return this.pending.length;
  }

  /**
   * The common case, without turning the output into a string: no secret
   * occurs in the held-back bytes and `data` together. An occurrence lies
   * within `data` or starts in the context or pending bytes and so ends
   * within the first holdBack bytes of `data`: both are searched as bytes.
   * Then the same cut as emit() makes, with nothing masked. False when
   * some secret occurs (emit() masks it).
   */
  private pushClean(data: Buffer, emit: (safe: Buffer) => void): boolean {
    const head = this.context + this.pending;
    const edge = Buffer.concat([Buffer.from(head, "latin1"), data.subarray(0, this.holdBack)]);
    for (const s of this.secretBytes) if (data.includes(s) || edge.includes(s)) return false;
    const base = this.context.length;
    const held = this.pending.length;
    const total = held + data.length;
    let cut = Math.max(0, total - this.holdBack);
    if (this.lineSafe) {
      const nl = data.lastIndexOf(0x0a);
      cut = Math.max(cut, nl >= 0 ? held + nl + 1 : this.pending.lastIndexOf("\n") + 1);
    }
    const end = base + cut;
    // The held-back bytes released, then those of `data`: two pieces, no copy of `data`.
    if (end > base) {
      if (held) emit(Buffer.from(this.pending.slice(0, Math.min(cut, held)), "latin1"));
      if (cut > held) emit(data.subarray(0, cut - held));
    }
    this.pending = slice(head, data, end, base + total).toString("latin1");
    this.context = slice(head, data, Math.max(0, end - this.holdBack), end).toString("latin1");
    if (end > base) this.maskedAtEnd = false;
    return true;
  }

  /** Everything held back, masked. */
  flush(): Buffer {
    return this.emit(this.pending.length);
  }

  /** Emits the first `cut` pending bytes (more if a masked stretch runs past them), masked. */
  private emit(cut: number): Buffer {
    const base = this.context.length;
    const text = this.context + this.pending;
    const stretches = this.stretches(text);
    let end = base + cut;
    // A masked stretch is emitted whole, never cut in two.
    for (const [s, e] of stretches) if (s < end && e > end) end = e;
    let out = "";
    let pos = base;
    let maskedAtEnd = this.maskedAtEnd;
    for (const [s, e] of stretches) {
      if (e <= base) continue;
      if (s >= end) break;
      out += text.slice(pos, Math.max(s, base));
      // A stretch that began in bytes already emitted as `***` goes on from there: no second mask.
      if (!(s < base && this.maskedAtEnd)) out += MASK;
      pos = e;
    }
    out += text.slice(pos, end);
    if (end > base) maskedAtEnd = pos === end && stretches.some(([s, e]) => e === end && s < end);
    this.maskedAtEnd = maskedAtEnd;
    this.pending = text.slice(end);
    this.context = text.slice(Math.max(0, end - this.holdBack), end);
    return Buffer.from(out, "latin1");
  }

  /** Every occurrence of every secret in `text`, overlapping ones merged: sorted [start, end) pairs. */
  private stretches(text: string): Array<[number, number]> {
    const found: Array<[number, number]> = [];
    for (const s of this.secrets) {
      for (let i = text.indexOf(s); i >= 0; i = text.indexOf(s, i + 1)) found.push([i, i + s.length]);
    }
    found.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
    const merged: Array<[number, number]> = [];
    for (const [s, e] of found) {
      const last = merged[merged.length - 1];
      if (last && s < last[1]) last[1] = Math.max(last[1], e);
      else merged.push([s, e]);
    }
    return merged;
  }
}

/** Bytes [from, to) of `head` (latin1) followed by `data`. */
function slice(head: string, data: Buffer, from: number, to: number): Buffer {
  if (from >= head.length) return data.subarray(from - head.length, to - head.length);
  if (to <= head.length) return Buffer.from(head.slice(from, to), "latin1");
  return Buffer.concat([Buffer.from(head.slice(from), "latin1"), data.subarray(0, to - head.length)]);
}
