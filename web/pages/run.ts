// `/projects/{p}/builds/{n}/runs/{r}/`: one run — H_RUN_URL and the link
// forges show beside a commit status. Its state live (WatchBuild), its
// console log (TailLog: all of it, then lines as they are printed), then its
// tests, artifacts, and how to run it again locally from its rundef.
import type { Build } from "../../gen/jobserv/v1/build_pb.js";
import type { Run } from "../../gen/jobserv/v1/run_pb.js";
import { Status } from "../../gen/jobserv/v1/status_pb.js";
import { api, messageOf } from "../core/api.js";
import { breadcrumb, notice, setTitle } from "../core/chrome.js";
import { fill, h } from "../core/dom.js";
import { buildUrl, durationEl, isComplete, projectUrl, runUrl, statusBadge, timeEl } from "../core/format.js";
import { can, type PageContext } from "../core/page-context.js";
import { shownIn } from "../live/watch.js";
import { watchBuild } from "../live/watch-build.js";
import { actionBar, actionButton } from "./actions.js";
import { logPanel } from "./log-panel.js";
import { artifactsView, testsView } from "./run-outputs.js";

const section = (title: string, id: string, ...body: HTMLElement[]) => h("section", { id, "aria-labelledby": `${id}-h` }, h("h2", { id: `${id}-h` }, title), ...body);

export function renderRun(main: HTMLElement, ctx: PageContext, [project = "", n = "", name = ""]: string[]): void {
  const number = Number(n);
  const ref = { project, buildNumber: number, run: name };
  setTitle(name, `#${number}`, project);
  const badge = h("span");
  const facts = h("dl", { class: "facts" });
  const bar = actionBar("Run actions");
  const problem = h("div");
  const tests = h("div", null, h("p", { class: "muted" }, "Tests appear when the run completes."));
  const artifacts = h("div", null, h("p", { class: "muted" }, "Artifacts appear when the run completes."));
  const log = logPanel(ref, { rawUrl: `${runUrl(project, number, name)}console.log` });
  const live = h("p", { class: "muted live", role: "status" });
  main.classList.add("run-page");
  main.append(
    breadcrumb([["Projects", "/"], [project, projectUrl(project)], [`#${number}`, buildUrl(project, number)], [name]]),
    h("h1", null, `${name} `, badge), live, problem, bar.element, facts,
    section("Console log", "log", log.element),
    section("Tests", "tests", tests),
    section("Artifacts", "artifacts", artifacts),
    section("Run it again on your machine", "recreate", recreate(ctx, project, number, name)),
  );

  let run: Run | undefined;
  let outputsFor = "";
  const draw = (r: Run) => {
    const wasComplete = run ? isComplete(run.status) : undefined;
    run = r;
    // Rerun while the page is open: this attempt's log is gone; start over.
    if (wasComplete && !isComplete(r.status) && r.logSize < BigInt(log.bytes())) location.reload();
    badge.replaceChildren(statusBadge(r.status));
    log.setExpected(Number(r.logSize), isComplete(r.status));
    fill(facts, 
      r.statusMessage ? [h("dt", null, "Status"), h("dd", null, r.statusMessage)] : null,
      h("dt", null, "Worker"), h("dd", null, r.workerName || "–"),
      h("dt", null, "Host tag"), h("dd", null, h("code", null, r.hostTag)),
      h("dt", null, "Trigger"), h("dd", null, r.triggerName || "–"),
      h("dt", null, "Queued"), h("dd", null, timeEl(r.createTime)),
      h("dt", null, "Started"), h("dd", null, timeEl(r.startTime)),
      h("dt", null, "Completed"), h("dd", null, timeEl(r.completeTime)),
      h("dt", null, "Duration"), h("dd", null, durationEl(r.startTime, r.completeTime)),
    );
    const mayTrigger = can(ctx.viewer, "trigger", project);
    bar.set([
      mayTrigger && !isComplete(r.status) && r.status !== Status.CANCELLING
        ? actionButton(bar, "Cancel run", `Cancel run ${name}?`, () => api.runs.cancelRun({ ref }), "Cancel requested.", "danger") : null,
      mayTrigger && isComplete(r.status)
        ? actionButton(bar, "Rerun", `Run ${name} again? The log, tests and artifacts of this attempt are deleted.`, () => api.runs.rerunRun({ ref }), "Queued again.") : null,
    ]);
    const key = `${r.completeTime?.seconds}`;
    if (isComplete(r.status) && outputsFor !== key) {
      outputsFor = key;
      void Promise.all([api.runs.listTests({ ref }), api.runs.listArtifacts({ ref })]).then(([t, a]) => {
        tests.replaceChildren(testsView(t.tests.map((test) => ({ test }))));
        artifacts.replaceChildren(artifactsView(project, number, name, a.artifacts));
      }, (e: unknown) => tests.replaceChildren(notice("error", messageOf(e))));
    }
  };

  watchBuild(project, number, shownIn(problem, live, (b: Build) => {
    const r = b.runs.find((x) => x.name === name);
    if (r) draw(r);
    else problem.replaceChildren(notice("error", `run ${name} is not in build #${number}`));
  }));
  log.start();
}

/** The rundef download and the two commands that re-create the run with the simulator. */
function recreate(ctx: PageContext, project: string, number: number, name: string): HTMLElement {
  const url = `${location.origin}${runUrl(project, number, name)}.rundef.json`;
  const auth = ctx.viewer ? ` -H "Authorization: Bearer $JOBSERV_TOKEN"` : "";
  return h("div", null,
    h("p", null, "The run definition holds everything the worker used; the simulator runs it in Docker the same way. ",
      h("a", { href: `${runUrl(project, number, name)}.rundef.json`, download: "rundef.json" }, "Download rundef.json"), "."),
    h("pre", { class: "commands" }, `curl -fsSL${auth} -o rundef.json ${url}\nnpx jobserv simulate rundef.json --workdir ./simulator`),
    h("p", { class: "muted" }, "Secret values are empty in the download: give them with --secret NAME=VALUE."));
}
