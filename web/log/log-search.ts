// Search in a console log of any size without freezing the page: the lines
// are decoded and searched in blocks of about 1 MiB, yielding to the browser
// between blocks. Case-insensitive; finds the lines that contain the text.
import type { LogBuffer } from "./log-buffer.js";

const BLOCK_BYTES = 1024 * 1024;
/** Enough to step through; a search that finds more says so. */
export const MAX_MATCHES = 100_000;

export interface SearchResult {
  /** 0-based numbers of matching lines, ascending. */
  lines: number[];
  /** Stopped at MAX_MATCHES. */
  capped: boolean;
}

/** Searches lines [0, buffer.lineCount) for `query`; rejects with an AbortError when `signal` aborts. */
export async function searchLog(buffer: LogBuffer, query: string, signal: AbortSignal, onProgress: (fraction: number) => void = () => {}): Promise<SearchResult> {
  const needle = query.toLowerCase();
  const lines: number[] = [];
  const count = buffer.lineCount;
  let from = 0;
  while (from < count) {
    // As many lines as make about one block (at least one line).
    let to = from + 1;
    const limit = buffer.lineStart(from) + BLOCK_BYTES;
    let lo = to;
    let hi = count;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (buffer.lineStart(mid) <= limit) lo = mid;
      else hi = mid - 1;
    }
    to = Math.max(to, lo);
    const text = buffer.text(from, to).toLowerCase();
    let line = from;
    let lineAt = 0;
    for (let i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
      // Count newlines up to the match to know its line.
      for (let nl = text.indexOf("\n", lineAt); nl >= 0 && nl < i; nl = text.indexOf("\n", nl + 1)) {
        line++;
        lineAt = nl + 1;
      }
      if (lines[lines.length - 1] !== line) lines.push(line);
      if (lines.length >= MAX_MATCHES) return { lines, capped: true };
      const nextLine = text.indexOf("\n", i);
      if (nextLine < 0) break;
      i = nextLine; // one hit per line is enough
    }
    from = to;
    onProgress(from / count);
    await new Promise((r) => setTimeout(r, 0));
    if (signal.aborted) throw new DOMException("search cancelled", "AbortError");
  }
  return { lines, capped: false };
}
