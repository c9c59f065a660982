// The console log panel of the run page: the virtualised view (log/), fed by
// TailLog, with a toolbar — follow/unfollow, search (Enter: next match,
// Shift+Enter: previous; "/" jumps to the box), how much is loaded, and the
// raw log. `#L<n>` in the address scrolls to line n and marks it, also when
// that line has not arrived yet. data-state on the panel says where the tail
// is: loading, live (following a running run) or complete.
import { messageOf } from "../core/api.js";
import { h } from "../core/dom.js";
import { bytes } from "../core/format.js";
import { tailLog } from "../live/tail.js";
import { LogBuffer } from "../log/log-buffer.js";
import { searchLog, type SearchResult } from "../log/log-search.js";
import { LogView } from "../log/log-view.js";

export interface LogPanel {
  element: HTMLElement;
  start(): void;
  /** Bytes received so far. */
  bytes(): number;
  /** The log's size as the run last reported it, and whether it is final. */
  setExpected(size: number, complete: boolean): void;
}

export function logPanel(ref: { project: string; buildNumber: number; run: string }, opts: { rawUrl: string }): LogPanel {
  const buffer = new LogBuffer();
  const follow = h("button", { type: "button", class: "follow", "aria-pressed": "true", title: "Keep the end of the log in view" }, "Following");
  const view = new LogView(buffer, (on) => {
    follow.setAttribute("aria-pressed", String(on));
    follow.textContent = on ? "Following" : "Follow";
  });
  follow.addEventListener("click", () => view.setFollow(!view.following));
  const query = h("input", { type: "search", id: "log-search", placeholder: "Search the log", autocomplete: "off", "aria-describedby": "log-matches" });
  const matches = h("span", { id: "log-matches", class: "muted", role: "status" });
  const prev = h("button", { type: "button", title: "Previous match (Shift+Enter)" }, "↑");
  const next = h("button", { type: "button", title: "Next match (Enter)" }, "↓");
  const progress = h("span", { class: "muted progress", role: "status" });
  const element = h("div", { class: "log-panel", "data-state": "loading" },
    h("div", { class: "toolbar log-toolbar" },
      follow,
      h("span", { class: "search" }, h("label", { for: "log-search", class: "sr-only" }, "Search the log"), query, prev, next, matches),
      progress,
      h("a", { href: opts.rawUrl }, "Raw log")),
    view.element);

  let expected = 0;
  let final = false;
  let frame = 0;
  const showProgress = () => {
    if (frame) return;
    frame = requestAnimationFrame(() => {
      frame = 0;
      const lines = buffer.lineCount;
      const loading = buffer.size < expected;
      progress.textContent = `${lines.toLocaleString()} line${lines === 1 ? "" : "s"} · ${bytes(buffer.size)}${loading ? ` of ${bytes(expected)}` : ""}`;
      element.dataset["lines"] = String(lines);
    });
  };

  // #L<n>: wait for line n if it has not arrived yet.
  let wanted = 0;
  const fromHash = () => {
    const m = /^#L(\d+)$/.exec(location.hash);
    wanted = m ? Number(m[1]) : 0;
    showWanted();
  };
  const showWanted = () => {
    if (wanted && wanted <= buffer.lineCount) {
      view.showLine(wanted);
      wanted = 0;
    }
  };
  window.addEventListener("hashchange", fromHash);

  let result: SearchResult | undefined;
  let searched = "";
  let searchedLines = 0;
  let at = -1;
  let searching: AbortController | undefined;
  const go = async (step: 1 | -1) => {
    const q = query.value;
    if (!q) return;
    // A new query, or lines arrived since the last search: search again, keeping the place.
    if (q !== searched || !result || buffer.lineCount !== searchedLines) {
      const current = q === searched && result ? result.lines[at] : undefined;
      searching?.abort();
      const mine = (searching = new AbortController());
      searched = q;
      searchedLines = buffer.lineCount;
      view.setHighlight(q);
      matches.textContent = "searching…";
      try {
        result = await searchLog(buffer, q, mine.signal, (f) => { matches.textContent = `searching… ${Math.round(f * 100)}%`; });
      } catch {
        return; // a newer search took over
      }
      const kept = current === undefined ? -1 : result.lines.indexOf(current);
      at = kept >= 0 ? kept : step === 1 ? -1 : result.lines.length;
    }
    if (!result.lines.length) {
      matches.textContent = "no matches";
      return;
    }
    at = (at + step + result.lines.length) % result.lines.length;
    matches.textContent = `${at + 1} of ${result.lines.length}${result.capped ? "+" : ""}`;
    view.showLine(result.lines[at]! + 1);
  };
  query.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter") {
      ev.preventDefault();
      void go(ev.shiftKey ? -1 : 1);
    } else if (ev.key === "Escape") {
      query.value = "";
      searching?.abort();
      result = undefined;
      searched = "";
      matches.textContent = "";
      view.setHighlight("");
    }
  });
  prev.addEventListener("click", () => void go(-1));
  next.addEventListener("click", () => void go(1));
  document.addEventListener("keydown", (ev) => {
    const t = ev.target as HTMLElement;
    if (ev.key === "/" && !["INPUT", "TEXTAREA", "SELECT"].includes(t.tagName) && !t.isContentEditable) {
      ev.preventDefault();
      query.focus();
    }
  });

  return {
    element,
    bytes: () => buffer.size,
    setExpected(size, complete) {
      expected = Math.max(expected, size);
      final = complete;
      showProgress();
    },
    start() {
      fromHash();
      tailLog(ref, buffer, true, {
        onData() {
          view.update();
          showProgress();
          showWanted();
          element.dataset["state"] = buffer.size >= expected && !final ? "live" : "loading";
        },
        onEnd() {
          element.dataset["state"] = "complete";
          showProgress();
          showWanted();
        },
        onError(e) {
          progress.textContent = `log: ${messageOf(e)}`;
        },
      });
    },
  };
}
