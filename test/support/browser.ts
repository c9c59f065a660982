// A real browser for the web tests: Debian's chromium (scripts/ensure-services.sh
// installs it; no browser downloads) driven by puppeteer-core, headless, with
// a fresh profile per test, closed in teardown. Screenshots are kept in the
// test's temp folder (named in the test log) and copied to /tmp/web-shots/ for
// people to look at. Uncaught errors in a page fail the test (checked at
// every screenshot and by noErrors()).
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { ExecutionContext } from "ava";
import puppeteer, { type Browser, type Page } from "puppeteer-core";

export const CHROMIUM = "/usr/bin/chromium";
export const SHOTS_DIR = "/tmp/web-shots";
// Without the background-networking flags chromium keeps calling home, which this closed network refuses.
const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];

export interface TestBrowser {
  browser: Browser;
  /** The test's temp folder; screenshots are in `shots/`. */
  dir: string;
  /** A new tab (1280×900 unless `viewport` says otherwise) whose uncaught errors fail the test. */
  page(viewport?: { width: number; height: number }): Promise<Page>;
  /** Saves a full-page screenshot as `<name>.png` (after checking noErrors); returns its path. */
  shot(page: Page, name: string): Promise<string>;
  /** Asserts that no page had an uncaught error so far. */
  noErrors(): void;
}

/** Headless chromium with its profile in `profileDir` (also used by the web bench); `extraArgs` add flags. */
export function launchChromium(profileDir: string, extraArgs: string[] = []): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: scripts/ensure-services.sh installs Debian's chromium`);
  return puppeteer.launch({ executablePath: CHROMIUM, userDataDir: profileDir, args: [...FLAGS, ...extraArgs], headless: true });
}

/** A tab whose pages can run functions compiled by tsx (see below). */
export async function newTab(browser: Browser, viewport = { width: 1280, height: 900 }): Promise<Page> {
  const page = await browser.newPage();
  page.setDefaultTimeout(60_000);
  await page.setViewport(viewport);
  // tsx compiles these files keeping function names (esbuild's __name helper); functions
  // sent to the page with evaluate() call it there, so give the page a stand-in.
  await page.evaluateOnNewDocument("globalThis.__name = (fn) => fn");
  return page;
}

/**
 * Marks, in every document `page` opens, when the log view first shows a
 * line and when the log panel says the whole log is in (performance.now(),
 * ms since the navigation started), and the longest task that blocked the
 * page. Read them with logMarks(). (Page code as source text: this file is
 * also compiled without the DOM's types, for the bench.)
 */
export async function recordLogMarks(page: Page): Promise<void> {
  await page.evaluateOnNewDocument(`(() => {
    const marks = { first: 0, complete: 0, longestTask: 0 };
    window.logMarks = marks;
    new MutationObserver(() => {
      marks.first ||= document.querySelector(".log-line") ? performance.now() : 0;
      marks.complete ||= document.querySelector('.log-panel[data-state="complete"]') ? performance.now() : 0;
    }).observe(document, { childList: true, subtree: true, attributes: true });
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) marks.longestTask = Math.max(marks.longestTask, e.duration);
    }).observe({ type: "longtask", buffered: true });
  })()`);
}

export function logMarks(page: Page): Promise<{ first: number; complete: number; longestTask: number }> {
  return page.evaluate("window.logMarks") as Promise<{ first: number; complete: number; longestTask: number }>;
}

/**
 * Records, in every document `page` opens, when each console-log line
 * "tick <i> <sec> <usec>" (printed with the container's clock, busybox
 * adjtimex) first appears in the log view: that clock and the page's, both
 * the host's realtime clock, in ms. Read them with ticks().
 */
export async function recordTicks(page: Page): Promise<void> {
  await page.evaluateOnNewDocument(`(() => {
    const ticks = {};
    window.ticks = ticks;
    new MutationObserver(() => {
      for (const el of document.querySelectorAll(".log-line .lt")) {
        const m = /^tick (\\d+) (\\d+) (\\d+)$/.exec(el.textContent || "");
        if (m && !ticks[m[1]]) ticks[m[1]] = { printed: Number(m[2]) * 1000 + Number(m[3]) / 1000, seen: performance.timeOrigin + performance.now() };
      }
    }).observe(document, { childList: true, subtree: true, characterData: true });
  })()`);
}

export function ticks(page: Page): Promise<Record<string, { printed: number; seen: number }>> {
  return page.evaluate("window.ticks") as Promise<Record<string, { printed: number; seen: number }>>;
}

export async function startBrowser(t: ExecutionContext, extraArgs: string[] = []): Promise<TestBrowser> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "jobserv-web-test-"));
  const profile = path.join(dir, "profile");
  const shots = path.join(dir, "shots");
  mkdirSync(shots);
  const browser = await launchChromium(profile, extraArgs);
  const errors: string[] = [];
  t.teardown(async () => {
    await browser.close();
    rmSync(profile, { recursive: true, force: true });
  });
  t.log(`screenshots: ${shots} (and ${SHOTS_DIR})`);
  const noErrors = () => t.deepEqual(errors, [], "no uncaught errors in the pages");
  return {
    browser, dir, noErrors,
    async page(viewport) {
      const page = await newTab(browser, viewport);
      page.on("pageerror", (e) => errors.push(`${page.url()}: ${String(e)}`));
      return page;
    },
    async shot(page, name) {
      noErrors();
      const file = path.join(shots, `${name}.png`);
      await page.screenshot({ path: file, fullPage: true });
      mkdirSync(SHOTS_DIR, { recursive: true });
      copyFileSync(file, path.join(SHOTS_DIR, `${name}.png`));
      return file;
    },
  };
}

/** Signs in through the /login form with `token`, starting from wherever `page` is (or /login). */
export async function signInWithForm(page: Page, token: string): Promise<void> {
  if (!new URL(page.url()).pathname.startsWith("/login")) throw new Error(`not on the sign-in page: ${page.url()}`);
  await page.type("#token", token);
  await Promise.all([page.waitForNavigation(), page.click("form.login button[type=submit]")]);
}

/** Texts of the elements matching `selector`. */
export function texts(page: Page, selector: string): Promise<string[]> {
  return page.$$eval(selector, (els) => els.map((e) => (e.textContent ?? "").trim()));
}
