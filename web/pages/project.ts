// `/projects/{p}/`: the project's builds, newest first, 25 a page. The first
// page is live (WatchBuilds): new builds appear and statuses change in place.
// Older pages (`?page=<token>`) are read once.
import type { Build } from "../../gen/jobserv/v1/build_pb.js";
import { api, messageOf } from "../core/api.js";
import { breadcrumb, notice, setTitle } from "../core/chrome.js";
import { append, h, keyed } from "../core/dom.js";
import { buildUrl, durationEl, projectUrl, statusBadge, timeEl } from "../core/format.js";
import type { PageContext } from "../core/page-context.js";
import { table } from "../core/table.js";
import { shownIn } from "../live/watch.js";
import { watchBuilds } from "../live/watch-builds.js";

const PAGE = 25;

export async function renderProject(main: HTMLElement, _ctx: PageContext, [project = ""]: string[]): Promise<void> {
  setTitle(project);
  const pageToken = new URLSearchParams(location.search).get("page") ?? "";
  const body = h("tbody");
  const problem = h("div");
  const paging = h("nav", { class: "paging", "aria-label": "Pages of builds" });
  const live = h("p", { class: "muted live", role: "status" });
  main.append(
    breadcrumb([["Projects", "/"], [project]]),
    h("h1", null, project),
    live, problem,
    table(`Builds of ${project}, newest first`, ["Build", "Status", "Trigger", "Reason", "Started", "Duration"], body, "builds"),
    paging,
  );
  const draw = (builds: Build[]) => {
    keyed(body, builds, (b) => String(b.number), (b) => `${b.status}:${b.completeTime?.seconds ?? ""}`, (b) => h("tr", null,
      h("th", { scope: "row" }, h("a", { href: buildUrl(project, b.number) }, `#${b.number}`)),
      h("td", null, statusBadge(b.status)),
      h("td", null, b.triggerName),
      h("td", { class: "reason" }, b.reason),
      h("td", null, timeEl(b.createTime)),
      h("td", null, durationEl(b.createTime, b.completeTime))));
    if (!builds.length) problem.replaceChildren(notice("info", "No builds yet."));
  };
  let first;
  try {
    first = await api.builds.listBuilds({ project, pageSize: PAGE, pageToken });
  } catch (e) {
    problem.replaceChildren(notice("error", messageOf(e)));
    return;
  }
  draw(first.builds);
  append(paging, [
    pageToken ? h("a", { href: projectUrl(project) }, "← Newest builds") : null,
    first.nextPageToken ? h("a", { href: `${projectUrl(project)}?${new URLSearchParams({ page: first.nextPageToken })}` }, "Older builds →") : null,
  ]);
  if (pageToken) return;
  live.textContent = "Live: new builds and status changes appear as they happen.";
  watchBuilds(project, PAGE, shownIn(problem, live, draw));
}
