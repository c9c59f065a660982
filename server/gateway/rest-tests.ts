// JobServ's test routes on a run: `GET .../runs/{r}/tests/` and
// `.../tests/{t}/` (with results) read; `POST .../tests/{t}/` creates a test
// (`context`, `status`, `results[{name, status, context?, output?}]`) and
// `PUT .../tests/{t}/?context=` updates one (`status`, more `results`, a
// `message` for the console log) -> `{complete}`: JobServ's test API for
// systems outside (device labs). Writes take the run's token (`Authorization:
// Token <run token>`) or a trigger-scope API token (auth/access.ts runWriter),
// and go through builds/outside-tests.ts as the RPCs do.
import { Status } from "../../gen/jobserv/v1/status_pb.js";
import { resolveRun } from "../builds/lookup.js";
import { createOutsideTest, updateOutsideTest, type OutsideResult } from "../builds/outside-tests.js";
import { isComplete } from "../builds/status.js";
import { InvalidArgumentError, NotFoundError } from "../errors.js";
import { findProjectByName } from "../store/projects.js";
import { findTest, listTests } from "../store/tests.js";
import { testJson } from "./jobserv-json.js";
import { field, jsonBody, sendJsend } from "./jsend.js";
import { headerGetter, requireProject } from "./rest-access.js";
import type { RestDeps } from "./rest-deps.js";
import type { Req, Route } from "./router.js";

const TESTS = String.raw`^\/projects\/([^/]+)\/builds\/(\d+)\/runs\/([^/]+)\/tests`;

function statusOf(v: unknown, at: string): Status {
  if (v === undefined || v === null) return Status.UNSPECIFIED;
  const s = typeof v === "string" ? Status[v as keyof typeof Status] : undefined;
  if (s === undefined) throw new InvalidArgumentError(`${at}: a status name (QUEUED, RUNNING, PASSED, FAILED, SKIPPED)`);
  return s;
}

function resultsOf(body: Record<string, unknown>): OutsideResult[] {
  const list = body["results"] ?? [];
  if (!Array.isArray(list)) throw new InvalidArgumentError("results: must be a list");
  return list.map((r: unknown, i) => {
    const o = (typeof r === "object" && r !== null ? r : {}) as Record<string, unknown>;
    if (typeof o["name"] !== "string") throw new InvalidArgumentError(`results[${i}].name: required`);
    const context = o["context"] ?? "";
    const output = o["output"] ?? "";
    if (typeof context !== "string" || typeof output !== "string") throw new InvalidArgumentError(`results[${i}]: context and output must be strings`);
    return { name: o["name"], status: statusOf(o["status"], `results[${i}].status`), context, output };
  });
}

export function restTestRoutes(deps: RestDeps): Route[] {
  const { store } = deps;
  const outside = { store, lifecycle: deps.lifecycle, notes: deps.notes, now: deps.now };
  const run = (name: string, n: string | undefined, r: string) => resolveRun(store, { project: name, buildNumber: Number(n), run: r });
  /** The run, once the caller proved it may report its tests (the run's token, or a trigger-scope API token). */
  const writable = async (req: Req, name: string, n: string | undefined, r: string) => {
    const found = await run(name, n, r).catch(async (e: unknown) => {
      await deps.access.runWriter(headerGetter(req)("authorization"), { token_hash: null, open: false }, await findProjectByName(store.db, name), name);
      throw e;
    });
    await deps.access.runWriter(headerGetter(req)("authorization"), { token_hash: found.run.token_hash, open: !isComplete(found.run.status) },
      found.project, name);
    return found;
  };
  return [{
    method: "GET", path: new RegExp(`${TESTS}\\/?$`), jsend: true,
    async handle(req, res, [name = "", n, r = ""]) {
      await requireProject(deps.access, store, req, name);
      const { project, build, run: row } = await run(name, n, r);
      sendJsend(res, 200, { tests: (await listTests(store.db, row.id)).map((t) => testJson(deps.publicUrl(), project.name, build.number, row.name, t, false)) });
    },
  }, {
    method: "GET", path: new RegExp(`${TESTS}\\/([^/]+)\\/?$`), jsend: true,
    async handle(req, res, [name = "", n, r = "", t = ""], url) {
      await requireProject(deps.access, store, req, name);
      const { project, build, run: row } = await run(name, n, r);
      const test = await findTest(store.db, row.id, t, url.searchParams.get("context") ?? "");
      if (!test) throw new NotFoundError(`run ${row.name} has no test "${t}"`);
      sendJsend(res, 200, { test: testJson(deps.publicUrl(), project.name, build.number, row.name, test, true) });
    },
  }, {
    method: "POST", path: new RegExp(`${TESTS}\\/([^/]+)\\/?$`), jsend: true,
    async handle(req, res, [name = "", n, r = "", t = ""]) {
      const { run: row } = await writable(req, name, n, r);
      const body = await jsonBody(req, deps.maxBytes);
      await createOutsideTest(outside, row, {
        name: t, context: field(body, "context", "string") ?? "", status: statusOf(body["status"], "status"), results: resultsOf(body),
      });
      sendJsend(res, 201, {});
    },
  }, {
    method: "PUT", path: new RegExp(`${TESTS}\\/([^/]+)\\/?$`), jsend: true,
    async handle(req, res, [name = "", n, r = "", t = ""], url) {
      const { run: row } = await writable(req, name, n, r);
      const body = await jsonBody(req, deps.maxBytes);
      const { runComplete } = await updateOutsideTest(outside, row, {
        name: t, context: url.searchParams.get("context") ?? "", status: statusOf(body["status"], "status"), results: resultsOf(body),
        message: field(body, "message", "string") ?? "",
      });
      sendJsend(res, 200, { complete: runComplete });
    },
  }];
}
