// JobServ's release routes: `GET /projects/{p}/promoted-builds/` (paged,
// newest first) and `.../promoted-builds/{name}/`, each build with `tests`
// (named `<run>-<test>`, with results) and `artifacts` (`<run>/<path>`, or
// with `?version=v2` `{url, size_bytes}`); and `POST
// /projects/{p}/external-builds/`, a build another CI made (trigger scope):
// `{"trigger-name", "reason"?, "runs": [{"name", "artifact-links"?: [{"name",
// "url", "size_bytes"?}]}]}` -> 201 `{build_id, url}`.
import { Scope } from "../../gen/jobserv/v1/token_pb.js";
import { resolveProject } from "../builds/lookup.js";
import { promotedByName, promotedPage, type PromotedDetail } from "../builds/release-reads.js";
import { InvalidArgumentError } from "../errors.js";
import { artifactJson, buildDetailJson, buildUrl, runUrl, testJson } from "./jobserv-json.js";
import { field, jsonBody, pageArgs, paged, sendJsend } from "./jsend.js";
import { requireBearer, requireProject } from "./rest-access.js";
import type { RestDeps } from "./rest-deps.js";
import type { Route } from "./router.js";

function promotedJson(base: string, project: string, d: PromotedDetail, v2: boolean): Record<string, unknown> {
  const n = d.build.number;
  return {
    ...buildDetailJson(base, project, d),
    tests: d.tests.map((t) => testJson(base, project, n, t.run.name, t.test, true, `${t.run.name}-${t.test.name}`)),
    artifacts: d.artifacts.map((a) => (v2 ? artifactJson(runUrl(base, project, n, a.run.name), a.artifact, true) : `${a.run.name}/${a.artifact.path}`)),
  };
}

interface PostedRun { name: string; links: { name: string; url: string; sizeBytes: number }[] }

function postedRuns(body: Record<string, unknown>): PostedRun[] {
  const runs = body["runs"];
  if (!Array.isArray(runs)) throw new InvalidArgumentError("runs: must be a list of {name, artifact-links}");
  return runs.map((r: unknown, i) => {
    if (typeof r !== "object" || r === null || typeof (r as { name?: unknown }).name !== "string") throw new InvalidArgumentError(`runs[${i}].name: required`);
    const links = (r as Record<string, unknown>)["artifact-links"] ?? [];
    if (!Array.isArray(links)) throw new InvalidArgumentError(`runs[${i}].artifact-links: must be a list`);
    return {
      name: (r as { name: string }).name,
      links: links.map((l: unknown, j) => {
        const link = (typeof l === "object" && l !== null ? l : {}) as Record<string, unknown>;
        const size = link["size_bytes"] ?? 0;
        if (typeof link["name"] !== "string" || typeof link["url"] !== "string" || typeof size !== "number") {
          throw new InvalidArgumentError(`runs[${i}].artifact-links[${j}]: {"name": string, "url": string, "size_bytes"?: number}`);
        }
        return { name: link["name"], url: link["url"], sizeBytes: size };
      }),
    };
  });
}

export function restPromotedRoutes(deps: RestDeps): Route[] {
  const { store } = deps;
  return [{
    method: "GET", path: /^\/projects\/([^/]+)\/promoted-builds\/?$/, jsend: true,
    async handle(req, res, [name = ""], url) {
      await requireProject(deps.access, store, req, name);
      const project = await resolveProject(store, name);
      const args = pageArgs(url);
      const page = await promotedPage(store, project, args.offset, args.limit);
      const base = deps.publicUrl();
      const v2 = url.searchParams.get("version") === "v2";
      sendJsend(res, 200, paged("builds", page.items.map((d) => promotedJson(base, project.name, d, v2)), page.total, args, base, url));
    },
  }, {
    method: "GET", path: /^\/projects\/([^/]+)\/promoted-builds\/([^/]+)\/?$/, jsend: true,
    async handle(req, res, [name = "", release = ""], url) {
      await requireProject(deps.access, store, req, name);
      const project = await resolveProject(store, name);
      sendJsend(res, 200, { build: promotedJson(deps.publicUrl(), project.name, await promotedByName(store, project, release), url.searchParams.get("version") === "v2") });
    },
  }, {
    method: "POST", path: /^\/projects\/([^/]+)\/external-builds\/?$/, jsend: true,
    async handle(req, res, [name = ""]) {
      await requireBearer(deps.access, store, req, name, Scope.TRIGGER);
      const body = await jsonBody(req, deps.maxBytes);
      const project = await resolveProject(store, name);
      const { number } = await deps.lifecycle.recordExternalBuild({
        project, triggerName: field(body, "trigger-name", "string") ?? "", reason: field(body, "reason", "string") ?? "", runs: postedRuns(body),
      });
      sendJsend(res, 201, { build_id: number, url: buildUrl(deps.publicUrl(), project.name, number) });
    },
  }];
}
