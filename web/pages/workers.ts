// `/workers/` (unrestricted admins): every worker with its online state,
// whether it is enlisted, its tags, capacity, reported facts and the runs it
// holds. Refreshed every 5 s while in view.
import type { Worker } from "../../gen/jobserv/v1/worker_admin_pb.js";
import { allPages, api, messageOf } from "../core/api.js";
import { notice, setTitle } from "../core/chrome.js";
import { h, keyed } from "../core/dom.js";
import { bytes, runUrl, timeEl } from "../core/format.js";
import type { PageContext } from "../core/page-context.js";
import { table } from "../core/table.js";
import { everyWhileVisible } from "../core/visibility.js";

function facts(w: Worker): string {
  const f = w.facts;
  if (!f) return "–";
  return [f.distro, f.cpuType && `${f.cpuTotal}× ${f.cpuType}`, f.memTotalBytes && `mem ${bytes(f.memFreeBytes)} free of ${bytes(f.memTotalBytes)}`,
    f.diskFreeBytes && `disk ${bytes(f.diskFreeBytes)} free`, `load ${f.loadAvg1m.toFixed(2)}`, f.version && `v${f.version}`].filter(Boolean).join(" · ");
}

export function renderWorkers(main: HTMLElement, _ctx: PageContext): void {
  setTitle("Workers");
  const body = h("tbody");
  const problem = h("div");
  main.append(h("h1", null, "Workers"), problem,
    table("Workers", ["Worker", "State", "Host tags", "Runs", "Facts", "Last seen"], body, "workers"));
  everyWhileVisible(5000, async (signal) => {
    try {
      const workers = await allPages(async (pageToken) => {
        const res = await api.workers.listWorkers({ pageSize: 1000, pageToken }, { signal });
        return { items: res.workers, next: res.nextPageToken };
      });
      problem.replaceChildren(workers.length ? "" : notice("info", "No worker has registered yet."));
      keyed(body, workers, (w) => w.name, (w) => JSON.stringify([w.online, w.enlisted, w.hostTags, w.allowedHostTags, w.runs.map((r) => r.run + r.buildNumber), w.facts?.loadAvg1m, String(w.facts?.memFreeBytes), w.lastSeenTime?.seconds.toString()]), (w) => h("tr", null,
        h("th", { scope: "row" }, w.name),
        h("td", null, h("span", { class: `status ${w.online ? "s-passed" : "s-unspecified"}` }, w.online ? "online" : "offline"), w.enlisted ? "" : h("span", { class: "tag" }, "not enlisted")),
        h("td", null, w.hostTags.map((t) => h("code", { class: "tag" }, t)), w.allowedHostTags.length ? h("span", { class: "muted" }, ` (claims only ${w.allowedHostTags.join(", ")})`) : null),
        h("td", null, `${w.activeRuns} of ${w.concurrency}`, h("ul", { class: "held" }, w.runs.map((r) => h("li", null, h("a", { href: runUrl(r.project, r.buildNumber, r.run) }, `${r.project} #${r.buildNumber} ${r.run}`))))),
        h("td", { class: "facts-cell" }, facts(w)),
        h("td", null, timeEl(w.lastSeenTime))));
    } catch (e) {
      if (!signal.aborted) problem.replaceChildren(notice("error", messageOf(e)));
    }
  });
}
