// The page URLs (issue 11): `/`, `/projects/{p}/`, `/projects/{p}/builds/{n}/`,
// `/projects/{p}/builds/{n}/runs/{r}/` (H_RUN_URL and the commit-status link),
// `/workers/` and `/login`. A browser gets the HTML document; the build and
// run URLs keep answering JSON to API clients (their JSON routes come after
// these). Before answering, the page checks what the JSON would: read access
// (without a session a private project leads to sign-in and back) and that
// the project, build or run exists (else the page says so, with a 404).
import { Scope } from "../../gen/jobserv/v1/token_pb.js";
import type { Access, Principal } from "../auth/access.js";
import { resolveBuild, resolveProject, resolveRun } from "../builds/lookup.js";
import type { Store } from "../store/db.js";
import { findProjectByName } from "../store/projects.js";
import { acceptsHtml, wantsHtml } from "../gateway/negotiate.js";
import { requestCaller } from "../gateway/rest-access.js";
import { HttpError, statusOf, type Req, type Route } from "../gateway/router.js";
import { sendShell, viewerOf } from "./shell.js";
import type { WebAssets } from "./web-bundle.js";

export interface PageDeps {
  store: Store;
  access: Access;
  assets: WebAssets;
}

type Check = (p: Principal, params: string[]) => Promise<void>;

export function pageRoutes(deps: PageDeps): Route[] {
  const { store, access } = deps;
  const project = async (p: Principal, name: string) => {
    access.requireOnProject(p, Scope.READ, await findProjectByName(store.db, name), name);
    await resolveProject(store, name);
  };
  const page = (path: RegExp, check: Check, when: (req: Req) => boolean): Route => ({
    method: "GET", path, when,
    async handle(req, res, params) {
      const bundle = await deps.assets.bundle().catch((e: unknown) => {
        throw new HttpError(503, `the web pages could not be built (${(e as Error).message.split("\n")[0]}); the API is not affected`);
      });
      const principal = await requestCaller(access, req);
      try {
        await check(principal, params);
      } catch (e) {
        const status = statusOf(e);
        // 401 goes to the router, which sends a browser to sign in first.
        if (status === 401 || status === 500) throw e;
        sendShell(res, bundle, { viewer: viewerOf(principal), status, error: (e as Error).message });
        return;
      }
      sendShell(res, bundle, { viewer: viewerOf(principal), status: 200 });
    },
  });
  // URLs that are only pages answer any client that accepts HTML; the project,
  // build and run URLs (JobServ's REST resources too) answer pages only to clients that prefer HTML over JSON.
  const onlyPage = (req: Req) => acceptsHtml(req.headers["accept"]);
  const pageOrJson = (req: Req) => wantsHtml(req.headers["accept"]);
  const anyone: Check = async () => {};
  return [
    page(/^\/$/, anyone, onlyPage),
    page(/^\/login\/?$/, anyone, onlyPage),
    page(/^\/workers\/?$/, async (p) => access.requireAdmin(p), onlyPage),
    page(/^\/projects\/([^/]+)\/?$/, async (p, [name = ""]) => project(p, name), pageOrJson),
    page(/^\/projects\/([^/]+)\/builds\/(\d+)\/?$/, async (p, [name = "", n]) => {
      await project(p, name);
      await resolveBuild(store, name, Number(n));
    }, pageOrJson),
    page(/^\/projects\/([^/]+)\/builds\/(\d+)\/runs\/([^/]+)\/?$/, async (p, [name = "", n, run = ""]) => {
      await project(p, name);
      await resolveRun(store, { project: name, buildNumber: Number(n), run });
    }, pageOrJson),
  ];
}
