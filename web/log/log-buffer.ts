// A console log in memory, built for logs of hundreds of megabytes: the bytes
// in 4 MiB blocks (small live appends are copied together rather than kept
// as thousands of tiny arrays), an index of line starts (one float per line),
// and the ANSI style at line starts, recorded only where it changes. Nothing
// is decoded until a line is shown or searched. Appending scans only the new
// bytes, with the engine's native indexOf for newlines and escapes.
import { applySgr, parseEscape, PLAIN, sameStyle, type Style } from "./ansi.js";

const BLOCK = 4 * 1024 * 1024;
/** Longest part of one line decoded for display. */
const LINE_BYTES_SHOWN = 64 * 1024;

export class LogBuffer {
  /** Bytes received so far. */
  size = 0;
  private readonly blocks: Uint8Array[] = [];
  private readonly blockStart: number[] = [];
  private readonly used: number[] = [];
  private lastBlock = 0;
  /** starts[i]: offset of line i; lines 0..complete-1 end with a newline. */
  private starts = new Float64Array(4096);
  private complete = 0;
  private readonly styleLines: number[] = [0];
  private readonly styles: Style[] = [PLAIN];
  private style: Style = PLAIN;
  /** Escapes before this offset are applied; nextEsc caches the next one at or after it (-1: none yet). */
  private escFrom = 0;
  private nextEsc = -1;
  private readonly decoder = new TextDecoder();

  /** Lines to show: a last line without its newline counts; an empty one after a final newline does not. */
  get lineCount(): number {
    if (this.size === 0) return 0;
    return this.starts[this.complete] === this.size ? this.complete : this.complete + 1;
  }

  append(data: Uint8Array): void {
    if (!data.length) return;
    const base = this.size;
    this.store(data);
    this.size += data.length;
    for (let nl = data.indexOf(10); ; nl = data.indexOf(10, nl + 1)) {
      this.applyStylesBefore(nl < 0 ? this.size : base + nl);
      if (nl < 0) break;
      this.pushLine(base + nl + 1);
    }
  }

  /** Line `i`'s text (without its newline; at most 64 KiB of it), its length in bytes, and whether the text is cut. */
  line(i: number): { text: string; bytes: number; cut: boolean } {
    const start = this.starts[i]!;
    const end = i < this.complete ? this.starts[i + 1]! - 1 : this.size;
    const bytes = end - start;
    return { text: this.decoder.decode(this.slice(start, Math.min(end, start + LINE_BYTES_SHOWN))), bytes, cut: bytes > LINE_BYTES_SHOWN };
  }

  /** The ANSI style in effect where line `i` starts. */
  styleAt(i: number): Style {
    return this.styles[lastAtMost(this.styleLines, i)]!;
  }

  /** Offset where line `i` starts (i = lineCount: the end). */
  lineStart(i: number): number {
    return i >= this.lineCount ? this.size : this.starts[i]!;
  }

  /** The text of lines [from, to), decoded at once (for search). */
  text(from: number, to: number): string {
    return this.decoder.decode(this.slice(this.lineStart(from), this.lineStart(to)));
  }

  /** The bytes [start, end): a view when they lie in one block, else a copy. */
  slice(start: number, end: number): Uint8Array {
    const b = this.blockOf(start);
    const local = start - this.blockStart[b]!;
    if (end - this.blockStart[b]! <= this.used[b]!) return this.blocks[b]!.subarray(local, local + end - start);
    const out = new Uint8Array(end - start);
    for (let at = start, i = b; at < end; i++) {
      const from = at - this.blockStart[i]!;
      const n = Math.min(this.used[i]! - from, end - at);
      out.set(this.blocks[i]!.subarray(from, from + n), at - start);
      at += n;
    }
    return out;
  }

  private store(data: Uint8Array): void {
    for (let off = 0; off < data.length;) {
      let last = this.blocks.length - 1;
      if (last < 0 || this.used[last] === this.blocks[last]!.length) {
        this.blocks.push(new Uint8Array(BLOCK));
        this.blockStart.push(this.size + off);
        this.used.push(0);
        last++;
      }
      const n = Math.min(BLOCK - this.used[last]!, data.length - off);
      this.blocks[last]!.set(data.subarray(off, off + n), this.used[last]);
      this.used[last]! += n;
      off += n;
    }
  }

  private pushLine(start: number): void {
    if (this.complete + 1 >= this.starts.length) {
      const grown = new Float64Array(this.starts.length * 2);
      grown.set(this.starts);
      this.starts = grown;
    }
    this.starts[++this.complete] = start;
    if (!sameStyle(this.style, this.styles[this.styles.length - 1]!)) {
      this.styleLines.push(this.complete);
      this.styles.push(this.style);
    }
  }

  /** Applies the SGR sequences that start before `limit`. */
  private applyStylesBefore(limit: number): void {
    for (;;) {
      const e = this.findNextEsc();
      if (e < 0 || e >= limit) return;
      const esc = parseEscape((g) => this.byteAt(g), e, this.size);
      if (esc === "incomplete") return; // parsed again when more bytes arrive
      if (esc.sgr) this.style = applySgr(this.style, esc.sgr);
      this.escFrom = esc.end;
    }
  }

  /** The next ESC at or after escFrom, each byte searched once (natively, per block). */
  private findNextEsc(): number {
    if (this.nextEsc >= this.escFrom) return this.nextEsc;
    for (let b = this.blockOf(Math.min(this.escFrom, Math.max(0, this.size - 1))); b < this.blocks.length; b++) {
      const from = Math.max(0, this.escFrom - this.blockStart[b]!);
      const i = this.blocks[b]!.subarray(0, this.used[b]).indexOf(27, from);
      if (i >= 0) return (this.nextEsc = this.blockStart[b]! + i);
    }
    this.escFrom = this.size; // none up to here: the next append searches only its own bytes
    return (this.nextEsc = -1);
  }

  private byteAt(g: number): number {
    const b = this.blockOf(g);
    return this.blocks[b]![g - this.blockStart[b]!]!;
  }

  private blockOf(offset: number): number {
    const last = this.lastBlock;
    if (offset >= this.blockStart[last]! && offset < this.blockStart[last]! + this.used[last]!) return last;
    return (this.lastBlock = lastAtMost(this.blockStart, offset));
  }
}

/** The last index of ascending `sorted` whose value is at most `value` (0 if none is). */
function lastAtMost(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (sorted[mid]! <= value) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
