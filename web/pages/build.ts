// `/projects/{p}/builds/{n}/`: one build, live (WatchBuild): its status and
// history, its runs grouped under the trigger that added them (the build's
// own, then chained triggers), their tests (failures first) and artifacts
// once they complete, its parameters, and the actions the viewer's scope
// allows: cancel (trigger), rerun or cancel a run (trigger), promote (admin).
import type { Build } from "../../gen/jobserv/v1/build_pb.js";
import type { Artifact } from "../../gen/jobserv/v1/artifact_pb.js";
import type { Run } from "../../gen/jobserv/v1/run_pb.js";
import { Status } from "../../gen/jobserv/v1/status_pb.js";
import type { Test } from "../../gen/jobserv/v1/test_pb.js";
import { api, messageOf } from "../core/api.js";
import { breadcrumb, notice, setTitle } from "../core/chrome.js";
import { fill, h, keyed } from "../core/dom.js";
import { durationEl, isComplete, projectUrl, runUrl, statusBadge, statusLabel, timeEl } from "../core/format.js";
import { can, type PageContext } from "../core/page-context.js";
import { mapLimited, table } from "../core/table.js";
import { shownIn } from "../live/watch.js";
import { watchBuild } from "../live/watch-build.js";
import { actionBar, actionButton, promoteForm, type ActionBar } from "./actions.js";
import { artifactsView, testsView } from "./run-outputs.js";

interface Outputs { key: string; tests: Test[]; artifacts: Artifact[] }

const section = (title: string, ...body: HTMLElement[]) => h("section", null, h("h2", null, title), ...body);

export async function renderBuild(main: HTMLElement, ctx: PageContext, [project = "", n = ""]: string[]): Promise<void> {
  const number = Number(n);
  setTitle(`#${number}`, project);
  const mayTrigger = can(ctx.viewer, "trigger", project);
  const badge = h("span");
  const bar = actionBar("Build actions");
  const facts = h("dl", { class: "facts" });
  const groups = h("div", { class: "run-groups" });
  const tests = h("div");
  const artifacts = h("div");
  const history = h("ol", { class: "history" });
  const params = h("div");
  const problem = h("div");
  const live = h("p", { class: "muted live", role: "status" }, "Live: runs and statuses change as they happen.");
  main.append(
    breadcrumb([["Projects", "/"], [project, projectUrl(project)], [`#${number}`]]),
    h("h1", null, `Build #${number} `, badge), live, problem, bar.element, facts,
    section("Runs", groups), section("Tests", tests), section("Artifacts", artifacts),
    section("Status history", history), section("Parameters", params),
  );

  let build: Build | undefined;
  const outputs = new Map<string, Outputs>();

  const drawRuns = (b: Build) => {
    const byTrigger = new Map<string, Run[]>();
    for (const r of b.runs) byTrigger.set(r.triggerName || b.triggerName, [...(byTrigger.get(r.triggerName || b.triggerName) ?? []), r]);
    keyed(groups, [...byTrigger.keys()], (t) => t, () => "", (t) => {
      const body = h("tbody");
      return h("section", { class: "run-group" },
        h("h3", null, t === b.triggerName ? `Trigger ${t}` : `Chained trigger ${t}`),
        table(`Runs of trigger ${t}`, ["Run", "Status", "Host tag", "Worker", "Duration", ...(mayTrigger ? [""] : [])], body, "runs"));
    });
    for (const group of Array.from(groups.children)) {
      const runs = byTrigger.get((group as HTMLElement).dataset["key"] ?? "") ?? [];
      keyed(group.querySelector("tbody")!, runs, (r) => r.name, (r) => `${r.status}:${r.workerName}:${r.startTime?.seconds}:${r.completeTime?.seconds}:${r.statusMessage}`, (r) => h("tr", null,
        h("th", { scope: "row" }, h("a", { href: runUrl(project, number, r.name) }, r.name)),
        h("td", null, statusBadge(r.status), r.statusMessage && r.status === Status.FAILED ? h("span", { class: "muted" }, ` ${r.statusMessage}`) : null),
        h("td", null, h("code", null, r.hostTag)),
        h("td", null, r.workerName || "–"),
        h("td", null, durationEl(r.startTime, r.completeTime)),
        mayTrigger ? h("td", null, runAction(bar, project, number, r)) : null));
    }
  };

  const drawOutputs = (b: Build) => {
    const done = b.runs.filter((r) => isComplete(r.status));
    const all = done.flatMap((r) => (outputs.get(r.name)?.tests ?? []).map((test) => ({ test, run: r.name })));
    tests.replaceChildren(done.length ? testsView(all) : h("p", { class: "muted" }, "Tests appear here as runs complete."));
    const withFiles = done.filter((r) => outputs.get(r.name)?.artifacts.length);
    artifacts.replaceChildren(withFiles.length
      ? h("div", null, withFiles.map((r) => h("div", { class: "run-artifacts" }, h("h3", null, r.name), artifactsView(project, number, r.name, outputs.get(r.name)!.artifacts))))
      : h("p", { class: "muted" }, done.length ? "No artifacts." : "Artifacts appear here as runs complete."));
  };

  const loadOutputs = async (b: Build) => {
    const stale = b.runs.filter((r) => isComplete(r.status) && outputs.get(r.name)?.key !== `${r.completeTime?.seconds}`);
    await mapLimited(stale, 4, async (r) => {
      const ref = { project, buildNumber: number, run: r.name };
      const [t, a] = await Promise.all([api.runs.listTests({ ref }), api.runs.listArtifacts({ ref })]);
      outputs.set(r.name, { key: `${r.completeTime?.seconds}`, tests: t.tests, artifacts: a.artifacts });
    });
    if (build) drawOutputs(build);
  };

  const draw = (b: Build) => {
    const previous = build;
    build = b;
    badge.replaceChildren(statusBadge(b.status));
    fill(facts, 
      h("dt", null, "Trigger"), h("dd", null, b.triggerName),
      h("dt", null, "Reason"), h("dd", null, b.reason || "–"),
      h("dt", null, "Started"), h("dd", null, timeEl(b.createTime)),
      h("dt", null, "Completed"), h("dd", null, timeEl(b.completeTime)),
      h("dt", null, "Duration"), h("dd", null, durationEl(b.createTime, b.completeTime)),
      b.name ? [h("dt", null, "Release"), h("dd", null, h("strong", null, b.name), b.annotation ? ` — ${b.annotation}` : "")] : null,
    );
    if (b.statusEvents.length) {
      history.replaceChildren(...b.statusEvents.map((e) => h("li", null, timeEl(e.time), " ", statusBadge(e.status))));
    }
    const entries = Object.entries(b.params).sort(([x], [y]) => x.localeCompare(y));
    params.replaceChildren(entries.length
      ? h("table", { class: "params" }, h("tbody", null, entries.map(([k, v]) => h("tr", null, h("th", { scope: "row" }, h("code", null, k)), h("td", null, h("code", null, v))))))
      : h("p", { class: "muted" }, "None."));
    drawRuns(b);
    bar.set([
      mayTrigger && !isComplete(b.status)
        ? actionButton(bar, "Cancel build", `Cancel build #${number}? Queued runs fail; running runs are stopped.`, () => api.builds.cancelBuild({ project, number }), "Cancel requested.", "danger")
        : null,
      can(ctx.viewer, "admin", project) && b.status === Status.PASSED
        ? promoteForm(bar, (name, annotation) => api.builds.promoteBuild({ project, number, name, annotation }))
        : null,
    ]);
    drawOutputs(b);
    void loadOutputs(b).catch((e: unknown) => tests.replaceChildren(notice("error", messageOf(e))));
    if (previous && previous.status !== b.status) void refreshHistory();
  };

  // The watch carries states, not history: read the history again when the status changes.
  const refreshHistory = async () => {
    const fresh = (await api.builds.getBuild({ project, number })).build;
    if (fresh && build) {
      build.statusEvents = fresh.statusEvents;
      history.replaceChildren(...fresh.statusEvents.map((e) => h("li", null, timeEl(e.time), " ", statusBadge(e.status))));
    }
  };

  try {
    draw((await api.builds.getBuild({ project, number })).build!);
  } catch (e) {
    problem.replaceChildren(notice("error", messageOf(e)));
    return;
  }
  watchBuild(project, number, shownIn(problem, live, (b: Build) => {
    b.statusEvents = build?.statusEvents ?? [];
    draw(b);
  }));
}

function runAction(bar: ActionBar, project: string, number: number, r: Run): HTMLElement | null {
  const ref = { project, buildNumber: number, run: r.name };
  if (isComplete(r.status)) {
    return actionButton(bar, `Rerun ${r.name}`, `Run ${r.name} again? Its log, tests and artifacts of this attempt are deleted.`, () => api.runs.rerunRun({ ref }), `${r.name} queued again.`, "small");
  }
  if (r.status === Status.CANCELLING) return h("span", { class: "muted" }, statusLabel(r.status));
  return actionButton(bar, `Cancel ${r.name}`, `Cancel run ${r.name}?`, () => api.runs.cancelRun({ ref }), `Cancel of ${r.name} requested.`, "small danger");
}
