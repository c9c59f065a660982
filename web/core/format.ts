// How statuses, times, durations and sizes read on the pages.
import type { Timestamp } from "@bufbuild/protobuf/wkt";
import { Status } from "../../gen/jobserv/v1/status_pb.js";
import { h } from "./dom.js";

const LABELS: Record<Status, string> = {
  [Status.UNSPECIFIED]: "unknown", [Status.QUEUED]: "queued", [Status.RUNNING]: "running", [Status.PASSED]: "passed",
  [Status.FAILED]: "failed", [Status.RUNNING_WITH_FAILURES]: "running, failures", [Status.UPLOADING]: "uploading",
  [Status.PROMOTED]: "promoted", [Status.SKIPPED]: "skipped", [Status.CANCELLING]: "cancelling",
};

export function statusLabel(s: Status): string {
  return LABELS[s] ?? "unknown";
}

/** A status badge: a word and a colour (the word alone carries the meaning). */
export function statusBadge(s: Status): HTMLElement {
  return h("span", { class: `status s-${(Status[s] ?? "UNSPECIFIED").toLowerCase()}` }, statusLabel(s));
}

/** Complete: no more changes unless someone reruns it. */
export function isComplete(s: Status): boolean {
  return s === Status.PASSED || s === Status.FAILED || s === Status.PROMOTED || s === Status.SKIPPED;
}

export function ms(t: Timestamp | undefined): number | undefined {
  return t ? Number(t.seconds) * 1000 + Math.floor(t.nanos / 1e6) : undefined;
}

/** "2026-11-29 07:42:10" in the reader's time zone, with the full ISO time as tooltip. */
export function timeEl(t: Timestamp | undefined): HTMLElement | string {
  const at = ms(t);
  if (at === undefined) return "–";
  const d = new Date(at);
  const pad = (n: number) => String(n).padStart(2, "0");
  const text = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  return h("time", { datetime: d.toISOString(), title: d.toISOString() }, text);
}

export function duration(msTotal: number): string {
  const s = Math.max(0, Math.round(msTotal / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}

export function bytes(n: number | bigint): string {
  const v = Number(n);
  if (v < 1024) return `${v} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let x = v / 1024;
  let i = 0;
  while (x >= 1024 && i < units.length - 1) { x /= 1024; i++; }
  return `${x.toFixed(x < 10 ? 1 : 0)} ${units[i]}`;
}

/** Path segment for a URL: names are [A-Za-z0-9._-] but encode anyway. */
export const seg = encodeURIComponent;

export function projectUrl(project: string): string {
  return `/projects/${seg(project)}/`;
}

export function buildUrl(project: string, n: number): string {
  return `${projectUrl(project)}builds/${n}/`;
}

export function runUrl(project: string, n: number, run: string): string {
  return `${buildUrl(project, n)}runs/${seg(run)}/`;
}

let ticking = false;

/** How long from `start` to `end`; while there is no end, a clock that counts on every second. */
export function durationEl(start: Timestamp | undefined, end: Timestamp | undefined): HTMLElement | string {
  const a = ms(start);
  if (a === undefined) return "–";
  const b = ms(end);
  if (b !== undefined) return duration(b - a);
  if (!ticking) {
    ticking = true;
    setInterval(() => {
      for (const el of document.querySelectorAll<HTMLElement>(".elapsed")) el.textContent = duration(Date.now() - Number(el.dataset["from"]));
    }, 1000);
  }
  return h("span", { class: "elapsed", "data-from": String(a) }, duration(Date.now() - a));
}
