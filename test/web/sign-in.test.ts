// Sign-in in a real browser, on a private project: without a session the
// build page leads to sign-in and back; a wrong token is refused with a
// message; a read-scope session sees no cancel, rerun or promote button (and
// a cancel it crafts from the page is refused by the API); signing out ends
// the session; a trigger-scope session cancels the build from its button
// and sees the build fail in place.
import test from "ava";
import { Scope } from "../../gen/jobserv/v1/token_pb.js";
import { applyProject, trigger } from "../support/builds.js";
import { startTestServer } from "../support/server.js";
import { newToken } from "../support/sessions.js";
import { signInWithForm, startBrowser, texts } from "../support/browser.js";

const YAML = "timeout: 1\ntriggers:\n  - name: t\n    type: simple\n    runs:\n      - name: waits\n        container: img\n        host-tag: nobody-has-it\n        script: s\n      - name: also\n        container: img\n        host-tag: nobody-has-it\n        script: s\nscripts:\n  s: \"#!/bin/sh\\ntrue\\n\"\n";

test("private pages lead to sign-in and back; a read session has no action buttons and the API refuses it; sign-out; a trigger session cancels", async (t) => {
  const server = await startTestServer(t, "sqlite");
  await applyProject(server.url, "priv", YAML);
  await trigger(server.url, "priv", "t"); // never runs: no worker has the tag, so it stays cancellable
  const read = await newToken(server.url, Scope.READ, ["priv"], "reader");
  const triggerer = await newToken(server.url, Scope.TRIGGER, [], "release bot");
  const b = await startBrowser(t);
  const page = await b.page();
  const buildPage = `${server.url}/projects/priv/builds/1/`;

  await page.goto(buildPage);
  const login = new URL(page.url());
  t.is(login.pathname, "/login", "a private page without a session leads to sign-in");
  t.is(login.searchParams.get("next"), "/projects/priv/builds/1/");
  await b.shot(page, "login");
  await signInWithForm(page, "jst_not-a-token");
  t.deepEqual(await texts(page, ".notice.error"), ["That token is unknown or revoked."]);
  t.is(new URL(page.url()).searchParams.get("next"), "/projects/priv/builds/1/", "still on the way back");

  await signInWithForm(page, read.secret);
  t.is(page.url(), buildPage, "back on the page after sign-in");
  await page.waitForSelector("table.runs tbody tr");
  t.deepEqual(await texts(page, "header .who"), ["reader read"]);
  t.deepEqual(await texts(page, "table.runs tbody th"), ["waits", "also"]);
  t.deepEqual(await texts(page, "#main button"), [], "no cancel, rerun or promote for a read session");
  // The API refuses it anyway, with the page's own cookie and origin.
  const crafted = await page.evaluate(async () => {
    const res = await fetch("/jobserv.v1.BuildService/CancelBuild", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ project: "priv", number: 1 }) });
    return (await res.json() as { code: string }).code;
  });
  t.is(crafted, "permission_denied");
  await b.shot(page, "build-read-session");

  // Sign out: the session is gone, the page asks for sign-in again.
  await Promise.all([page.waitForNavigation(), page.click("header form.account button")]);
  t.deepEqual(await texts(page, "header a.account"), ["Sign in"]);
  await page.goto(buildPage);
  t.is(new URL(page.url()).pathname, "/login");

  // A trigger session: the cancel button is there, and works.
  await signInWithForm(page, triggerer.secret);
  await page.waitForSelector("table.runs tbody tr");
  t.deepEqual(await texts(page, ".actions .buttons > button"), ["Cancel build"]);
  t.deepEqual(await texts(page, "table.runs td button"), ["Cancel waits", "Cancel also"]);
  t.deepEqual(await texts(page, "form.promote"), [], "promote needs admin");
  page.once("dialog", (d) => void d.accept());
  await page.click(".actions .buttons > button");
  await page.waitForFunction(() => [...document.querySelectorAll("table.runs .status")].map((e) => e.textContent).join() === "failed,failed", { timeout: 30_000 });
  await page.waitForFunction(() => document.querySelector("#main h1 .status")?.textContent === "failed");
  await page.waitForFunction(() => document.querySelectorAll("table.runs td button").length === 2 && [...document.querySelectorAll("table.runs td button")].every((x) => x.textContent?.startsWith("Rerun")));
  await b.shot(page, "build-cancelled");
  b.noErrors();
});
