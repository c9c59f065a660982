// A 50 MB console log in a real browser: a real worker's container prints it;
// the run page shows the first lines at once, takes in the whole log without
// freezing the tab (no task blocks the page for long), keeps only a screenful
// of lines in the DOM, scrolls to its very end with the End key, jumps to a
// line link deep inside it, and finds a line near the end by search.
import test from "ava";
import { ProjectService } from "../../gen/jobserv/v1/project_pb.js";
import { waitForBuild, trigger } from "../support/builds.js";
import { apiClient } from "../support/clients.js";
import { oneRunProject } from "../support/projects.js";
import { startTestServer } from "../support/server.js";
import { logMarks, recordLogMarks, startBrowser, texts } from "../support/browser.js";
import { spawnWorker } from "../support/worker-process.js";

const LINES = 580_000; // 88 bytes each: 51 MB
const YAML = oneRunProject({
  tag: "test-*", run: "big", timeout: 5,
  script: `awk 'BEGIN { for (i = 1; i <= ${LINES}; i++) printf "line %07d \\033[33mwarn\\033[0m the quick brown fox jumps over the lazy dog 0123456789abcdef\\n", i }'\necho "the very last line"`,
});

test("a 50 MB log: first lines at once, the whole log without freezing, End reaches the last line, links and search deep inside", async (t) => {
  const server = await startTestServer(t, "sqlite");
  const worker = spawnWorker(t, { url: server.url, name: "web-big", tags: ["test-amd64"], protocol: "connect" });
  await apiClient(ProjectService, server.url).createProject({ name: "big", definitionYaml: YAML, public: true });
  await trigger(server.url, "big", "t");
  const done = await waitForBuild(server.url, "big", 1, () => worker.output(), 180_000);
  const size = Number(done.runs[0]!.logSize);
  t.true(size > 50_000_000, `log of ${size} bytes`);

  const b = await startBrowser(t);
  const page = await b.page();
  await recordLogMarks(page);
  await page.goto(`${server.url}/`); // the server builds the web assets on first need: not part of the log's time
  await page.goto(`${server.url}/projects/big/builds/1/runs/big/`);
  await page.waitForSelector('.log-panel[data-state="complete"]', { timeout: 120_000 });
  const marks = await logMarks(page);
  t.log(`from navigation: first line ${marks.first.toFixed(0)} ms, all ${(size / 1e6).toFixed(0)} MB ${marks.complete.toFixed(0)} ms; longest task ${marks.longestTask.toFixed(0)} ms`);
  t.true(marks.first < marks.complete / 2, "the first lines show long before the rest is in");
  t.true(marks.longestTask < 1000, `the tab never froze (longest task ${marks.longestTask} ms)`);
  const stanza = 5; // the simulator stanza's lines and the image line before the container's output
  t.is(await page.$eval(".log-panel", (e) => (e as HTMLElement).dataset["lines"]), String(stanza + LINES + 1));
  const rows = await page.$$eval(".log-line", (els) => els.length);
  t.true(rows < 200, `only what is in view is in the DOM (${rows} rows)`);
  t.deepEqual((await texts(page, ".log-line .lt")).slice(-1), ["the very last line"], "following: the end is in view");

  // From the top, End goes to the very last line.
  await page.$eval(".log-view", (e) => { e.scrollTop = 0; });
  await page.waitForFunction(() => document.querySelector(".log-line .ln")?.textContent === "1");
  t.is(await page.$eval(".follow", (e) => e.getAttribute("aria-pressed")), "false", "scrolling up stops following");
  await page.focus(".log-view");
  await page.keyboard.press("End");
  await page.waitForFunction(() => [...document.querySelectorAll(".log-line .lt")].at(-1)?.textContent === "the very last line");
  t.is(await page.$eval(".follow", (e) => e.getAttribute("aria-pressed")), "true", "at the end: following again");
  await b.shot(page, "big-log-end");

  // A line link deep inside, and a search near the end.
  await page.goto(`${server.url}/projects/big/builds/1/runs/big/#L${stanza + 300_000}`);
  await page.waitForSelector(".log-line.marked");
  t.deepEqual(await texts(page, ".log-line.marked .lt"), ["line 0300000 warn the quick brown fox jumps over the lazy dog 0123456789abcdef"]);
  await page.waitForSelector('.log-panel[data-state="complete"]', { timeout: 120_000 });
  await page.type("#log-search", "line 0579999 ");
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => document.querySelector("#log-matches")?.textContent === "1 of 1", { timeout: 60_000 });
  t.deepEqual(await texts(page, ".log-line.marked .ln"), [String(stanza + 579_999)]);
  t.deepEqual(await texts(page, ".log-line.marked mark"), ["line 0579999"]);
  await b.shot(page, "big-log-search");
  b.noErrors();
});
