// ANSI escape sequences in console logs: SGR colours and styles (16, 256 and
// 24-bit colours; bold, dim, italic, underline, inverse, strike) are shown;
// every other sequence (cursor moves, erase, window titles, charsets) is
// dropped; a carriage return shows only what was written after it, as a
// terminal's progress line would. Styles carry over from line to line, so
// the log buffer tracks the style at each line start (log-buffer.ts).

/** Colours: -1 default, 0-255 the xterm palette, 0x1000000 + 0xRRGGBB 24-bit. */
export interface Style {
  readonly fg: number;
  readonly bg: number;
  /** Bit set: 1 bold, 2 dim, 4 italic, 8 underline, 16 inverse, 32 strike. */
  readonly flags: number;
}

export const PLAIN: Style = { fg: -1, bg: -1, flags: 0 };

export function sameStyle(a: Style, b: Style): boolean {
  return a.fg === b.fg && a.bg === b.bg && a.flags === b.flags;
}

const FLAG_ON: Record<number, number> = { 1: 1, 2: 2, 3: 4, 4: 8, 7: 16, 9: 32 };
const FLAG_OFF: Record<number, number> = { 22: 3, 23: 4, 24: 8, 27: 16, 29: 32 };

/** The style after an SGR sequence with `params` (an empty list is a reset). */
export function applySgr(style: Style, params: readonly number[]): Style {
  let { fg, bg, flags } = style;
  if (!params.length) return PLAIN;
  for (let i = 0; i < params.length; i++) {
    const p = params[i]!;
    if (p === 0) ({ fg, bg, flags } = PLAIN);
    else if (FLAG_ON[p]) flags |= FLAG_ON[p];
    else if (FLAG_OFF[p]) flags &= ~FLAG_OFF[p];
    else if (p >= 30 && p <= 37) fg = p - 30;
    else if (p >= 90 && p <= 97) fg = p - 90 + 8;
    else if (p >= 40 && p <= 47) bg = p - 40;
    else if (p >= 100 && p <= 107) bg = p - 100 + 8;
    else if (p === 39) fg = -1;
    else if (p === 49) bg = -1;
    else if (p === 38 || p === 48) {
      let colour = -1;
      if (params[i + 1] === 5 && params[i + 2] !== undefined) {
        colour = params[i + 2]! & 255;
        i += 2;
      } else if (params[i + 1] === 2 && params[i + 4] !== undefined) {
        colour = 0x1000000 + ((params[i + 2]! & 255) << 16) + ((params[i + 3]! & 255) << 8) + (params[i + 4]! & 255);
        i += 4;
      }
      if (p === 38) fg = colour;
      else bg = colour;
    }
  }
  return fg === style.fg && bg === style.bg && flags === style.flags ? style : { fg, bg, flags };
}

/** One escape sequence at `start` (an ESC): where it ends, and its SGR parameters if it is SGR. */
export interface Escape { end: number; sgr?: number[] }

/**
 * Parses the escape sequence starting at `start` from character/byte codes
 * `at(i)` for i < `limit`. "incomplete" if it may continue past `limit`. A
 * malformed or overlong sequence is just the ESC itself.
 */
export function parseEscape(at: (i: number) => number, start: number, limit: number): Escape | "incomplete" {
  const lone = { end: start + 1 };
  if (start + 1 >= limit) return "incomplete";
  const kind = at(start + 1);
  if (kind === 0x5b) { // CSI: ESC [ params intermediates final
    let i = start + 2;
    const max = Math.min(limit, start + 256);
    while (i < max && at(i) >= 0x30 && at(i) <= 0x3f) i++;
    const paramsEnd = i;
    while (i < max && at(i) >= 0x20 && at(i) <= 0x2f) i++;
    if (i >= max) return max === limit ? "incomplete" : lone;
    const final = at(i);
    if (final < 0x40 || final > 0x7e) return lone;
    if (final !== 0x6d || paramsEnd !== i) return { end: i + 1 };
    let text = "";
    for (let j = start + 2; j < paramsEnd; j++) text += String.fromCharCode(at(j));
    if (/[^0-9;:]/.test(text)) return { end: i + 1 }; // private or odd parameters: not a style change
    return { end: i + 1, sgr: text === "" ? [] : text.split(/[;:]/).map((n) => (n === "" ? 0 : Number(n))) };
  }
  if (kind === 0x5d) { // OSC: ESC ] ... BEL or ESC \
    const max = Math.min(limit, start + 4096);
    for (let i = start + 2; i < max; i++) {
      if (at(i) === 0x07) return { end: i + 1 };
      if (at(i) === 0x1b && i + 1 < limit && at(i + 1) === 0x5c) return { end: i + 2 };
    }
    return max === limit ? "incomplete" : lone;
  }
  let i = start + 1; // ESC intermediates final, e.g. ESC ( B
  while (i < limit && at(i) >= 0x20 && at(i) <= 0x2f) i++;
  if (i >= limit) return "incomplete";
  return at(i) >= 0x30 && at(i) <= 0x7e ? { end: i + 1 } : lone;
}

function colourCss(c: number): string {
  if (c >= 0x1000000) return `#${(c - 0x1000000).toString(16).padStart(6, "0")}`;
  if (c < 16) return `var(--ansi-${c})`;
  if (c < 232) {
    const n = c - 16;
    const v = (x: number) => (x ? 55 + x * 40 : 0);
    return `rgb(${v(Math.floor(n / 36))},${v(Math.floor(n / 6) % 6)},${v(n % 6)})`;
  }
  const g = 8 + (c - 232) * 10;
  return `rgb(${g},${g},${g})`;
}

function styled(text: string, style: Style, mark: string): Node {
  const parts = marked(text, mark);
  if (sameStyle(style, PLAIN) && parts.length === 1 && typeof parts[0] === "string") return document.createTextNode(text);
  const span = document.createElement("span");
  const inverse = (style.flags & 16) !== 0;
  const fg = inverse ? style.bg : style.fg;
  const bg = inverse ? style.fg : style.bg;
  if (fg >= 0) span.style.color = colourCss(fg);
  else if (inverse) span.style.color = "var(--log-bg)";
  if (bg >= 0) span.style.backgroundColor = colourCss(bg);
  else if (inverse) span.style.backgroundColor = "var(--log-fg)";
  if (style.flags & 1) span.classList.add("a-b");
  if (style.flags & 2) span.classList.add("a-d");
  if (style.flags & 4) span.classList.add("a-i");
  if (style.flags & 8) span.classList.add("a-u");
  if (style.flags & 32) span.classList.add("a-s");
  span.append(...parts);
  return span;
}

/** `text` split around case-insensitive occurrences of `mark` (lower case), those wrapped in <mark>. */
function marked(text: string, mark: string): (string | HTMLElement)[] {
  if (!mark) return [text];
  const lower = text.toLowerCase();
  const out: (string | HTMLElement)[] = [];
  let from = 0;
  for (let i = lower.indexOf(mark); i >= 0; i = lower.indexOf(mark, i + mark.length)) {
    if (i > from) out.push(text.slice(from, i));
    const m = document.createElement("mark");
    m.textContent = text.slice(i, i + mark.length);
    out.push(m);
    from = i + mark.length;
  }
  if (from < text.length || !out.length) out.push(text.slice(from));
  return out;
}

/**
 * Renders one log line (without its newline) into `into`, starting in
 * `style`; occurrences of `mark` (lower case; "" for none) are highlighted.
 */
export function renderAnsi(text: string, style: Style, mark: string, into: HTMLElement): void {
  let out: Node[] = [];
  let runStart = 0;
  let s = style;
  const code = (i: number) => text.charCodeAt(i);
  const end = text.endsWith("\r") ? text.length - 1 : text.length;
  const flush = (to: number) => {
    if (to > runStart) out.push(styled(text.slice(runStart, to), s, mark));
  };
  for (let i = 0; i < end; i++) {
    const c = code(i);
    if (c === 0x0d) { // carriage return: what follows overwrites the line
      out = [];
      runStart = i + 1;
    } else if (c === 0x1b) {
      const esc = parseEscape(code, i, end);
      const stop = esc === "incomplete" ? end : esc.end;
      flush(i);
      if (esc !== "incomplete" && esc.sgr) s = applySgr(s, esc.sgr);
      runStart = stop;
      i = stop - 1;
    }
  }
  flush(end);
  into.replaceChildren(...out);
}
