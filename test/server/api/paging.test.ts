// ListRuns, ListTokens and ListWorkers page like ListBuilds (both dialects):
// small pages, read by following next_page_token, give every item once in
// the list's order, and the last page has no token; page_size 0 means the
// default page.
import test from "ava";
import { RunService } from "../../../gen/jobserv/v1/run_pb.js";
import { Scope, TokenService } from "../../../gen/jobserv/v1/token_pb.js";
import { WorkerAdminService } from "../../../gen/jobserv/v1/worker_admin_pb.js";
import { WorkerService } from "../../../gen/jobserv/v1/worker_pb.js";
import { applyProject, trigger } from "../../support/builds.js";
import { apiClient } from "../../support/clients.js";
import { dialects } from "../../support/db.js";
import { loopRunsYaml } from "../../support/projects.js";
import { startTestServer, WORKER_SECRET } from "../../support/server.js";

const RUNS = 23;
const YAML = loopRunsYaml(Array.from({ length: RUNS }, (_, i) => String(i).padStart(2, "0")));

/** Follows next_page_token from the first page; returns the pages' sizes and every item. */
async function readPages<T>(page: (token: string) => Promise<{ items: T[]; next: string }>): Promise<{ sizes: number[]; items: T[] }> {
  const sizes: number[] = [];
  const items: T[] = [];
  let token = "";
  do {
    const res = await page(token);
    sizes.push(res.items.length);
    items.push(...res.items);
    token = res.next;
  } while (token && sizes.length < 100);
  return { sizes, items };
}

for (const dialect of dialects) {
  test(`${dialect}: runs, tokens and workers a page at a time`, async (t) => {
    const server = await startTestServer(t, dialect);
    await applyProject(server.url, "paged", YAML);
    const n = await trigger(server.url, "paged", "t");
    const runs = apiClient(RunService, server.url);
    const allRuns = await readPages(async (pageToken) => {
      const res = await runs.listRuns({ project: "paged", buildNumber: n, pageSize: 10, pageToken });
      return { items: res.runs.map((r) => r.name), next: res.nextPageToken };
    });
    t.deepEqual(allRuns.sizes, [10, 10, 3]);
    t.deepEqual(allRuns.items, Array.from({ length: RUNS }, (_, i) => `r-${String(i).padStart(2, "0")}`), "creation order, each once");
    const whole = await runs.listRuns({ project: "paged", buildNumber: n });
    t.is(whole.runs.length, RUNS, "the default page holds a build's runs");
    t.is(whole.nextPageToken, "");

    const tokens = apiClient(TokenService, server.url);
    for (let i = 0; i < 7; i++) await tokens.createToken({ name: `tok-${i}`, scope: Scope.READ });
    const allTokens = await readPages(async (pageToken) => {
      const res = await tokens.listTokens({ pageSize: 3, pageToken });
      return { items: res.tokens.map((x) => x.name), next: res.nextPageToken };
    });
    t.deepEqual(allTokens.sizes, [3, 3, 2]);
    t.deepEqual(allTokens.items, ["tok-6", "tok-5", "tok-4", "tok-3", "tok-2", "tok-1", "tok-0", "initial admin (JOBSERV_ADMIN_TOKEN)"], "newest first");
    t.is((await tokens.listTokens({})).tokens.length, 8);

    const workers = apiClient(WorkerService, server.url, "connect-h1", null);
    for (const name of ["w-e", "w-a", "w-c", "w-b", "w-d"]) {
      await workers.registerWorker({ name, token: `token-of-${name}-1234567890`, hostTags: ["x"], concurrency: 1, registrationSecret: WORKER_SECRET });
    }
    const admin = apiClient(WorkerAdminService, server.url);
    const allWorkers = await readPages(async (pageToken) => {
      const res = await admin.listWorkers({ pageSize: 2, pageToken });
      return { items: res.workers.map((w) => w.name), next: res.nextPageToken };
    });
    t.deepEqual(allWorkers.sizes, [2, 2, 1]);
    t.deepEqual(allWorkers.items, ["w-a", "w-b", "w-c", "w-d", "w-e"], "by name");
  });
}
