// The pages in a real browser (chromium) against a real server and a real
// worker running containers: a triggered build appears on the project page
// and its status changes without a reload; on the build page its runs go
// from queued/running to passed without a reload; on the run page each line
// the container prints reaches the page's DOM within 1 s (measured against
// the container's own clock), ANSI colours are rendered and #L<n> marks a
// line; the workers page shows the worker. Screenshots of each page.
import test from "ava";
import type { Page } from "puppeteer-core";
import { ProjectService } from "../../gen/jobserv/v1/project_pb.js";
import { TEST_ADMIN_TOKEN } from "../support/auth.js";
import { trigger, waitForBuild } from "../support/builds.js";
import { apiClient } from "../support/clients.js";
import { TEST_IMAGE } from "../support/projects.js";
import { startTestServer } from "../support/server.js";
import { recordTicks, signInWithForm, startBrowser, texts, ticks } from "../support/browser.js";
import { spawnWorker } from "../support/worker-process.js";

const TICKS = 6;
const YAML = `
timeout: 2
triggers:
  - name: ci
    type: simple
    runs:
      - name: ticks
        container: ${TEST_IMAGE}
        host-tag: test-*
        script: ticks
      - name: quick
        container: ${TEST_IMAGE}
        host-tag: test-*
        script: quick
scripts:
  ticks: |
    #!/bin/sh
    printf '\\033[31mred alert\\033[0m then plain\\n'
    sleep 2
    i=1
    while [ $i -le ${TICKS} ]; do
      set -- $(adjtimex | grep tv_); echo "tick $i $2 $4"
      usleep 400000; i=$((i+1))
    done
  quick: |
    #!/bin/sh
    echo quick
`;

/** Records, in the page, every status text shown in `selector` cells as it changes (keyed by the row's data-key). */
async function recordStatuses(page: Page, selector: string): Promise<void> {
  await page.evaluate((sel) => {
    const seen: Record<string, string[]> = {};
    (window as unknown as { statuses: typeof seen }).statuses = seen;
    const look = () => {
      for (const el of document.querySelectorAll(sel)) {
        const key = el.closest("tr")?.dataset["key"] ?? "?";
        const list = (seen[key] ??= []);
        if (list[list.length - 1] !== el.textContent) list.push(el.textContent ?? "");
      }
    };
    new MutationObserver(look).observe(document.body, { childList: true, subtree: true, characterData: true });
    look();
  }, selector);
}

const statuses = (page: Page) => page.evaluate(() => (window as unknown as { statuses: Record<string, string[]> }).statuses);

/** Records every error notice the page shows from now on (a live update that threw shows one). */
async function recordErrorNotices(page: Page): Promise<void> {
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { errorNotices: string[] }).errorNotices = seen;
    const look = () => { for (const el of document.querySelectorAll(".notice.error")) if (!seen.includes(el.textContent ?? "")) seen.push(el.textContent ?? ""); };
    new MutationObserver(look).observe(document.body, { childList: true, subtree: true, characterData: true });
    look();
  });
}

const errorNotices = (page: Page) => page.evaluate(() => (window as unknown as { errorNotices: string[] }).errorNotices);

test("a build, its runs and its log lines appear live, without a reload", async (t) => {
  const server = await startTestServer(t, "sqlite");
  const worker = spawnWorker(t, { url: server.url, name: "web-live", tags: ["test-amd64"], protocol: "connect" });
  await apiClient(ProjectService, server.url).createProject({ name: "live", definitionYaml: YAML, public: true });
  const b = await startBrowser(t);
  const page = await b.page();

  // Project page: build 1 appears and completes in place.
  await page.goto(`${server.url}/projects/live/`);
  await page.waitForSelector(".notice");
  await page.evaluate(() => { (window as unknown as { sameDocument: boolean }).sameDocument = true; });
  await recordStatuses(page, "table.builds .status");
  await recordErrorNotices(page);
  await trigger(server.url, "live", "ci");
  await page.waitForSelector('a[href="/projects/live/builds/1/"]');
  await page.waitForFunction(() => document.querySelector('table.builds tr[data-key="1"] .status')?.textContent === "passed", { timeout: 90_000 });
  const buildSeen = (await statuses(page))["1"] ?? [];
  t.true(buildSeen.length >= 2 && buildSeen.at(-1) === "passed", `the build's status changed in place: ${buildSeen.join(" → ")}`);
  t.true(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument === true), "no reload");
  t.is(await page.$eval(".live", (e) => (e as HTMLElement).dataset["live"]), "watch", "live by the WatchBuilds stream");
  t.deepEqual(await errorNotices(page), [], "every live update applied without an error");
  await b.shot(page, "project");

  // Build page: the runs of build 2 go from queued/running to passed in place.
  await trigger(server.url, "live", "ci");
  await page.goto(`${server.url}/projects/live/builds/2/`);
  await page.waitForSelector("table.runs tbody tr");
  await page.evaluate(() => { (window as unknown as { sameDocument: boolean }).sameDocument = true; });
  await recordStatuses(page, "table.runs .status");
  await recordErrorNotices(page);
  await page.waitForFunction(() => [...document.querySelectorAll("table.runs .status")].map((e) => e.textContent).join() === "passed,passed", { timeout: 90_000 });
  await page.waitForFunction(() => document.querySelector("#main h1 .status")?.textContent === "passed", { timeout: 10_000 });
  t.deepEqual(await errorNotices(page), [], "every live update applied without an error");
  const runsSeen = await statuses(page);
  t.true((runsSeen["ticks"] ?? []).length >= 2, `ticks changed in place: ${(runsSeen["ticks"] ?? []).join(" → ")}`);
  t.true(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument === true), "no reload");
  await page.waitForFunction(() => document.querySelector(".run-group h3")?.textContent === "Trigger ci");
  t.is(await page.$eval(".live", (e) => (e as HTMLElement).dataset["live"]), "watch", "live by the WatchBuild stream");
  await b.shot(page, "build");

  // Run page, opened before the container prints: each tick line reaches the DOM within 1 s.
  const run = await b.page();
  await recordTicks(run);
  await trigger(server.url, "live", "ci");
  await run.goto(`${server.url}/projects/live/builds/3/runs/ticks/`);
  await run.waitForFunction((n) => Object.keys((window as unknown as { ticks: object }).ticks).length === n, { timeout: 90_000 }, TICKS);
  await waitForBuild(server.url, "live", 3, () => worker.output());
  const lags = Object.values(await ticks(run)).map((x) => x.seen - x.printed).sort((x, y) => x - y);
  t.log(`printed → in the DOM: ${lags.map((l) => l.toFixed(0)).join(", ")} ms`);
  t.is(lags.length, TICKS);
  t.true(lags[Math.floor(lags.length / 2)]! < 1000, `median lag ${lags[Math.floor(lags.length / 2)]} ms`);
  t.true(lags.every((l) => l > -50), "stamps come from the same clock");
  // ANSI: "red alert" in the palette's red, the rest plain.
  await run.waitForFunction(() => document.querySelector('.log-panel')?.getAttribute("data-state") === "complete");
  const red = await run.$$eval(".log-line .lt span", (els) => els.filter((e) => e.textContent === "red alert").map((e) => (e as HTMLElement).style.color));
  t.deepEqual(red, ["var(--ansi-1)"]);
  await run.waitForFunction(() => document.querySelector("#main h1 .status")?.textContent === "passed");
  await run.waitForFunction(() => document.querySelector("#tests .muted")?.textContent === "No tests reported.");
  await b.shot(run, "run");

  // On a phone: nothing wider than the screen but the log itself (which scrolls inside).
  const phone = await b.page({ width: 390, height: 844 });
  await phone.goto(`${server.url}/projects/live/builds/3/runs/ticks/`);
  await phone.waitForSelector('.log-panel[data-state="complete"]');
  t.true(await phone.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), "no sideways scrolling of the page on a phone");
  await b.shot(phone, "run-phone");
  await phone.close();
  await run.bringToFront(); // a background tab neither streams nor paints (core/visibility.ts)

  // A line link marks its line.
  await run.goto(`${server.url}/projects/live/builds/3/runs/ticks/#L8`);
  await run.waitForSelector(".log-line.marked");
  t.deepEqual(await texts(run, ".log-line.marked .ln"), ["8"]);
  t.regex((await texts(run, ".log-line.marked .lt"))[0] ?? "", /^tick 2 /);

  // Workers page (admins): the worker, online.
  await run.goto(`${server.url}/workers/`);
  await signInWithForm(run, TEST_ADMIN_TOKEN);
  t.is(new URL(run.url()).pathname, "/workers/", "back where sign-in was asked");
  await run.waitForSelector("table.workers tbody tr");
  t.deepEqual(await texts(run, "table.workers tbody th"), ["web-live"]);
  t.deepEqual(await texts(run, "table.workers tbody .status"), ["online"]);
  await b.shot(run, "workers");
  await run.goto(`${server.url}/`);
  await run.waitForSelector("table.projects tbody tr");
  t.deepEqual(await texts(run, "table.projects tbody th a"), ["live"]);
  await b.shot(run, "home");
  b.noErrors();
});
