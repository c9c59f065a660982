// The console log on screen, virtualised: only the lines in view (plus a few)
// exist in the DOM, whatever the log's size, so a 100 MB log scrolls like a
// short one. Lines have one fixed height and do not wrap (long ones scroll
// sideways). A spacer gives the scrollbar its length; past what browsers
// allow for an element's height it is scaled, and the scroll position maps
// to a line proportionally. Each line number is a link (#L<n>); opening one
// scrolls to the line and marks it. Following keeps the end in view while
// new lines arrive; scrolling away from the end stops it, back to the end
// starts it again. Rendering happens once per animation frame at most.
import { renderAnsi } from "./ansi.js";
import type { LogBuffer } from "./log-buffer.js";

/** Safely below the tallest element Chromium (about 33.5 M px) and Firefox (about 17.8 M px) lay out. */
const MAX_SPACER_PX = 15_000_000;
const OVERSCAN = 4;
const MAX_CHARS = 4000;

export class LogView {
  /** The scrolling element (focusable: arrows, Page Up/Down, Home/End scroll it). */
  readonly element: HTMLElement;
  private readonly spacer: HTMLElement;
  private readonly window: HTMLElement;
  private lineHeight = 18;
  private follow = true;
  private marked = -1;
  private highlight = "";
  private frame = 0;
  private programmaticTop = -1;
  private measured = false;

  constructor(private readonly buffer: LogBuffer, private readonly onFollow: (following: boolean) => void = () => {}) {
    this.window = document.createElement("div");
    this.window.className = "log-window";
    this.spacer = document.createElement("div");
    this.spacer.className = "log-spacer";
    this.spacer.append(this.window);
    this.element = document.createElement("div");
    this.element.className = "log-view";
    this.element.tabIndex = 0;
    this.element.setAttribute("role", "region");
    this.element.setAttribute("aria-label", "Console log");
    this.element.append(this.spacer);
    this.element.addEventListener("scroll", () => this.onScroll(), { passive: true });
    new ResizeObserver(() => this.update()).observe(this.element);
  }

  get following(): boolean {
    return this.follow;
  }

  /** Follows the end (scrolls there now) or stops following. */
  setFollow(on: boolean): void {
    if (this.follow !== on) {
      this.follow = on;
      this.onFollow(on);
    }
    this.update();
  }

  /** Scrolls to line `n` (1-based), marks it, and stops following. */
  showLine(n: number): void {
    this.marked = n - 1;
    this.setFollow(false);
    this.measure();
    const { total, scale } = this.geometry();
    const view = this.element.clientHeight;
    const targetLine = Math.max(0, n - 1 - Math.floor(view / this.lineHeight / 3));
    const top = scale === 1 ? targetLine * this.lineHeight : (targetLine / Math.max(1, this.buffer.lineCount - view / this.lineHeight)) * (total - view);
    this.scrollTo(top);
    this.update();
  }

  /** Highlights occurrences of `text` (case-insensitive) in the lines shown. */
  setHighlight(text: string): void {
    this.highlight = text.toLowerCase();
    this.update();
  }

  /** Re-renders on the next animation frame (after appends, resizes, scrolls). */
  update(): void {
    if (!this.frame) this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  private measure(): void {
    const probe = this.window.firstElementChild as HTMLElement | null;
    if (probe && probe.offsetHeight > 0) this.lineHeight = probe.offsetHeight;
  }

  private geometry(): { total: number; scale: number } {
    const natural = this.buffer.lineCount * this.lineHeight;
    const total = Math.min(natural, MAX_SPACER_PX);
    return { total, scale: natural > 0 ? total / natural : 1 };
  }

  private scrollTo(top: number): void {
    this.programmaticTop = Math.round(top);
    this.element.scrollTop = top;
  }

  private onScroll(): void {
    const el = this.element;
    const top = el.scrollTop;
    const atEnd = top + el.clientHeight >= el.scrollHeight - this.lineHeight / 2;
    // Our own scrolling (following, showing a line) says nothing about what the reader wants.
    if (Math.abs(top - this.programmaticTop) > 1) {
      this.programmaticTop = -1;
      if (atEnd !== this.follow) this.setFollow(atEnd);
    }
    this.update();
  }

  private render(): void {
    const el = this.element;
    const lines = this.buffer.lineCount;
    const { total } = this.geometry();
    this.spacer.style.height = `${total}px`;
    if (this.follow) this.scrollTo(Math.max(0, total - el.clientHeight));
    const view = el.clientHeight;
    const visible = Math.ceil(view / this.lineHeight) + 1;
    const maxScroll = Math.max(0, total - view);
    const top = Math.min(el.scrollTop, maxScroll);
    // The first line in view, as a fraction: linear in the scroll position, exact when not scaled.
    const exact = maxScroll > 0 ? (top / maxScroll) * Math.max(0, lines - view / this.lineHeight) : 0;
    const first = Math.max(0, Math.floor(exact) - OVERSCAN);
    const last = Math.min(lines, Math.floor(exact) + visible + OVERSCAN);
    this.window.style.top = `${top - (exact - first) * this.lineHeight}px`;
    const digits = String(lines).length;
    this.window.style.setProperty("--gutter", `${digits + 1}ch`);
    const rows = this.window.children;
    for (let i = first; i < last; i++) {
      const row = (rows[i - first] as HTMLElement | undefined) ?? this.window.appendChild(this.makeRow());
      this.fillRow(row, i);
    }
    while (rows.length > last - first) rows[rows.length - 1]!.remove();
    if (!this.measured && rows.length) {
      this.measured = true;
      const before = this.lineHeight;
      this.measure();
      if (this.lineHeight !== before) this.update();
    }
  }

  private makeRow(): HTMLElement {
    const row = document.createElement("div");
    row.className = "log-line";
    const number = document.createElement("a");
    number.className = "ln";
    const text = document.createElement("span");
    text.className = "lt";
    row.append(number, text);
    return row;
  }

  private fillRow(row: HTMLElement, i: number): void {
    const n = String(i + 1);
    const key = `${n}\u0000${this.highlight}`;
    row.classList.toggle("marked", i === this.marked);
    // A row already showing this line (complete lines never change) keeps its DOM.
    if (row.dataset["key"] === key && i < this.buffer.lineCount - 1) return;
    row.dataset["key"] = key;
    const number = row.firstChild as HTMLAnchorElement;
    number.textContent = n;
    number.href = `#L${n}`;
    const { text, bytes, cut } = this.buffer.line(i);
    const shown = text.length > MAX_CHARS ? text.slice(0, MAX_CHARS) : text;
    renderAnsi(shown, this.buffer.styleAt(i), this.highlight, row.lastChild as HTMLElement);
    if (cut || shown.length < text.length) {
      const more = document.createElement("span");
      more.className = "cut";
      more.textContent = ` … (line of ${bytes} bytes cut; see the raw log)`;
      (row.lastChild as HTMLElement).append(more);
    }
  }
}
