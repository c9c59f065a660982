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

export async function startBrowser(t: ExecutionContext): Promise<TestBrowser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: scripts/ensure-services.sh installs Debian's chromium`);
  const dir = mkdtempSync(path.join(os.tmpdir(), "jobserv-web-test-"));
  const profile = path.join(dir, "profile");
  const shots = path.join(dir, "shots");
  mkdirSync(shots);
  const browser = await puppeteer.launch({ executablePath: CHROMIUM, userDataDir: profile, args: FLAGS, headless: true });
  const errors: string[] = [];
  t.teardown(async () => {
    await browser.close();
    rmSync(profile, { recursive: true, force: true });
  });
  t.log(`screenshots: ${shots} (and ${SHOTS_DIR})`);
  const noErrors = () => t.deepEqual(errors, [], "no uncaught errors in the pages");
  return {
    browser, dir, noErrors,
    async page(viewport = { width: 1280, height: 900 }) {
      const page = await browser.newPage();
      page.setDefaultTimeout(60_000);
      await page.setViewport(viewport);
      page.on("pageerror", (e) => errors.push(`${page.url()}: ${String(e)}`));
      // tsx compiles these tests keeping function names (esbuild's __name helper); functions
      // sent to the page with evaluate() call it there, so give the page a stand-in.
      await page.evaluateOnNewDocument("globalThis.__name = (fn) => fn");
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
