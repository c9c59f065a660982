// `/`: the projects the viewer may see, each with its latest build, and a
// box that filters them by name. Refreshed every 30 s while in view.
import type { Build } from "../../gen/jobserv/v1/build_pb.js";
import type { Project } from "../../gen/jobserv/v1/project_pb.js";
import { allPages, api, messageOf } from "../core/api.js";
import { notice, setTitle } from "../core/chrome.js";
import { h, keyed } from "../core/dom.js";
import { buildUrl, durationEl, projectUrl, statusBadge, timeEl } from "../core/format.js";
import type { PageContext } from "../core/page-context.js";
import { mapLimited, table } from "../core/table.js";
import { everyWhileVisible } from "../core/visibility.js";

interface Row { project: Project; latest?: Build }

function loadProjects(signal: AbortSignal): Promise<Project[]> {
  return allPages(async (pageToken) => {
    const res = await api.projects.listProjects({ pageSize: 1000, pageToken }, { signal });
    return { items: res.projects, next: res.nextPageToken };
  });
}

export function renderHome(main: HTMLElement, ctx: PageContext): void {
  setTitle("Projects");
  const filter = h("input", { type: "search", id: "project-filter", placeholder: "Filter by name", autocomplete: "off" });
  const body = h("tbody");
  const status = h("p", { class: "muted", role: "status" });
  const problem = h("div");
  main.append(
    h("h1", null, "Projects"),
    h("div", { class: "toolbar" }, h("label", { for: "project-filter" }, "Filter "), filter),
    status, problem,
    table("Projects and their latest builds", ["Project", "Latest build", "Status", "Started", "Duration"], body, "projects"),
  );
  let rows: Row[] = [];
  const draw = () => {
    const q = filter.value.trim().toLowerCase();
    const shown = rows.filter((r) => r.project.name.toLowerCase().includes(q));
    keyed(body, shown, (r) => r.project.name, (r) => `${r.latest?.number}:${r.latest?.status}:${r.latest?.completeTime?.seconds}`, (r) => h("tr", null,
      h("th", { scope: "row" }, h("a", { href: projectUrl(r.project.name) }, r.project.name), r.project.public ? h("span", { class: "tag" }, "public") : null),
      h("td", null, r.latest ? h("a", { href: buildUrl(r.project.name, r.latest.number) }, `#${r.latest.number}`) : "no builds"),
      h("td", null, r.latest ? statusBadge(r.latest.status) : ""),
      h("td", null, timeEl(r.latest?.createTime)),
      h("td", null, r.latest ? durationEl(r.latest.createTime, r.latest.completeTime) : "")));
    status.textContent = !rows.length ? (ctx.viewer ? "No projects yet." : "No public projects. Sign in to see private ones.")
      : shown.length === rows.length ? `${rows.length} project${rows.length === 1 ? "" : "s"}` : `${shown.length} of ${rows.length} projects`;
  };
  filter.addEventListener("input", draw);
  everyWhileVisible(30_000, async (signal) => {
    try {
      const projects = await loadProjects(signal);
      const latest = await mapLimited(projects, 4, async (p) => (await api.builds.listBuilds({ project: p.name, pageSize: 1 }, { signal })).builds[0]);
      rows = projects.map((project, i) => ({ project, ...(latest[i] ? { latest: latest[i] } : {}) }));
      problem.replaceChildren();
      draw();
    } catch (e) {
      if (!signal.aborted) problem.replaceChildren(notice("error", messageOf(e)));
    }
  });
}
