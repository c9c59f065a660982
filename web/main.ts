// The web front end's entry point: every page URL loads this one script
// (the server sends the same HTML document for all of them), which draws the
// frame and the page the URL names. Links are ordinary page loads: each page
// opens its own streams and the browser closes them when it leaves.
import { layout, notice, setTitle } from "./core/chrome.js";
import { readPageContext, type PageContext } from "./core/page-context.js";
import { renderBuild } from "./pages/build.js";
import { renderHome } from "./pages/home.js";
import { renderLogin } from "./pages/login.js";
import { renderProject } from "./pages/project.js";
import { renderRun } from "./pages/run.js";
import { renderWorkers } from "./pages/workers.js";

type Page = (main: HTMLElement, ctx: PageContext, params: string[]) => void | Promise<void>;

const pages: [RegExp, Page][] = [
  [/^\/$/, renderHome],
  [/^\/login\/?$/, renderLogin],
  [/^\/workers\/?$/, renderWorkers],
  [/^\/projects\/([^/]+)\/?$/, renderProject],
  [/^\/projects\/([^/]+)\/builds\/(\d+)\/?$/, renderBuild],
  [/^\/projects\/([^/]+)\/builds\/(\d+)\/runs\/([^/]+)\/?$/, renderRun],
];

function start(): void {
  const ctx = readPageContext();
  const main = layout(ctx);
  if (ctx.status !== 200) {
    setTitle(ctx.status === 404 ? "Not found" : "Error");
    main.append(notice("error", ctx.error ?? `error ${ctx.status}`));
    return;
  }
  for (const [path, page] of pages) {
    const m = path.exec(location.pathname);
    if (m) {
      void page(main, ctx, m.slice(1).map(decodeURIComponent));
      return;
    }
  }
  main.append(notice("error", `no page for ${location.pathname}`));
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
