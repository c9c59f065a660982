// What a run leaves behind, as the run and build pages show it: its tests
// (failures first, failed results opened) and its artifacts (download links).
import type { Artifact } from "../../gen/jobserv/v1/artifact_pb.js";
import { Status } from "../../gen/jobserv/v1/status_pb.js";
import type { Test, TestResult } from "../../gen/jobserv/v1/test_pb.js";
import { h } from "../core/dom.js";
import { bytes, runUrl, seg, statusBadge } from "../core/format.js";

const failedFirst = <T extends { status: Status }>(a: T, b: T) => Number(b.status === Status.FAILED) - Number(a.status === Status.FAILED);

function counts(results: readonly TestResult[]): string {
  const n = (s: Status) => results.filter((r) => r.status === s).length;
  return [`${n(Status.PASSED)} passed`, `${n(Status.FAILED)} failed`, n(Status.SKIPPED) ? `${n(Status.SKIPPED)} skipped` : ""].filter(Boolean).join(", ");
}

/**
 * One `<details>` per test (named after its run when `run` is given), failed
 * tests first and open; failed results first, with their output.
 */
export function testsView(tests: readonly { test: Test; run?: string }[]): HTMLElement {
  if (!tests.length) return h("p", { class: "muted" }, "No tests reported.");
  const sorted = [...tests].sort((a, b) => failedFirst(a.test, b.test));
  return h("div", { class: "tests" }, sorted.map(({ test: t, run }) => h("details", { open: t.status === Status.FAILED },
    h("summary", null, statusBadge(t.status), " ", run ? `${run}: ` : "", h("strong", null, t.name), " ", h("span", { class: "muted" }, `${t.context} · ${counts(t.results)}`)),
    h("ul", { class: "results" }, [...t.results].sort(failedFirst).map((r) => h("li", null,
      statusBadge(r.status), " ", r.name, r.context ? h("span", { class: "muted" }, ` (${r.context})`) : null,
      r.output ? h("pre", { class: "output" }, r.output) : null))))));
}

/** Links to a run's artifact files, with sizes. */
export function artifactsView(project: string, build: number, run: string, artifacts: readonly Artifact[]): HTMLElement {
  if (!artifacts.length) return h("p", { class: "muted" }, "No artifacts.");
  const base = runUrl(project, build, run);
  return h("ul", { class: "artifacts" }, artifacts.map((a) => h("li", null,
    h("a", { href: base + a.path.split("/").map(seg).join("/") }, a.path),
    " ", h("span", { class: "muted" }, bytes(a.size)))));
}
