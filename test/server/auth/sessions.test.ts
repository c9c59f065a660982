// Browser sessions (issue 11), on both stores and across two instances: the
// /login form turns an API token into a cookie (HttpOnly, SameSite=Lax,
// Secure behind TLS) whose session acts as that token for plain links and
// for the page's own RPCs, never for another site's; only a hash is stored;
// sign-out, expiry and revoking the token end it; sign-in refuses unknown
// tokens, cross-site posts and redirects off the server.
import test from "ava";
import { createHash } from "node:crypto";
import { Scope, TokenService } from "../../../gen/jobserv/v1/token_pb.js";
import { openStore } from "../../../server/store/db.js";
import { applyProject, trigger } from "../../support/builds.js";
import { apiClient, eventually } from "../../support/clients.js";
import { dialects } from "../../support/db.js";
import { startTestServer } from "../../support/server.js";
import { newToken, postSignIn, rpcWithCookie, signIn } from "../../support/sessions.js";

const YAML = "timeout: 1\ntriggers:\n  - name: t\n    type: simple\n    runs:\n      - name: r\n        container: img\n        host-tag: nobody-has-it\n        script: s\nscripts:\n  s: \"#!/bin/sh\\ntrue\\n\"\n";
const SHA256 = (s: string) => createHash("sha256").update(s).digest("hex");

for (const dialect of dialects) {
  test(`${dialect}: a session acts as its token on every instance, for links and the page's own calls only; sign-out and revocation end it`, async (t) => {
    const a = await startTestServer(t, dialect);
    const b = await startTestServer(t, dialect, { databaseUrl: a.databaseUrl });
    await applyProject(a.url, "priv", YAML);
    await trigger(a.url, "priv", "t");
    const read = await newToken(a.url, Scope.READ, ["priv"]);

    const res = await postSignIn(a.url, read.secret, "/projects/priv/builds/1/");
    t.is(res.status, 303);
    t.is(res.headers.get("location"), "/projects/priv/builds/1/", "back to the page that asked");
    const set = res.headers.get("set-cookie") ?? "";
    t.regex(set, /^jobserv_session=jss_[\w-]+; Path=\/; Max-Age=604800; HttpOnly; SameSite=Lax$/, "no Secure over plain HTTP");
    const cookie = set.split(";")[0]!;
    const secret = cookie.split("=")[1]!;

    // Only a hash of the cookie's secret is in the store.
    const store = await openStore(a.databaseUrl);
    t.teardown(() => store.close());
    const rows = await store.db.selectFrom("browser_sessions").selectAll().execute();
    t.is(rows.length, 1);
    t.is(rows[0]!.secret_hash, SHA256(secret));
    t.false(JSON.stringify(rows).includes(secret));

    // Plain links on the other instance: the session is read from the shared store.
    const get = (url: string, path: string, headers: Record<string, string> = {}) => fetch(`${url}${path}`, { headers: { cookie, ...headers } });
    t.is((await get(b.url, "/projects/priv/builds/1/")).status, 200, "build JSON through B");
    t.is((await get(b.url, "/projects/priv/builds/1/runs/r/console.log")).status, 200, "console.log through B");
    t.is((await get(b.url, "/projects/priv/builds/1/runs/r/.rundef.json")).status, 200, "rundef through B");

    // The page's own calls: reads allowed, a read scope may not cancel, the API says so.
    const getBuild = { project: "priv", number: 1 };
    t.is((await rpcWithCookie(b.url, "jobserv.v1.BuildService/GetBuild", getBuild, cookie)).status, 200);
    const cancel = await rpcWithCookie(b.url, "jobserv.v1.BuildService/CancelBuild", getBuild, cookie);
    t.is(cancel.body.code, "permission_denied", "a read session cannot cancel");
    // Another site's requests with the person's cookie are refused, whatever they ask.
    const crossSite: Record<string, string>[] = [{ "sec-fetch-site": "cross-site" }, { "sec-fetch-site": "same-site" }, { origin: "http://evil.example" }, {}];
  for (const headers of crossSite) {
      const r = await rpcWithCookie(b.url, "jobserv.v1.BuildService/GetBuild", getBuild, cookie, headers);
      t.is(r.body.code, "permission_denied", `refused with ${JSON.stringify(headers)}`);
      t.regex(r.body.message ?? "", /own pages/);
    }
    // An Origin naming this server (browsers without Sec-Fetch-Site) is the page's own.
    const host = new URL(b.url).host;
    t.is((await rpcWithCookie(b.url, "jobserv.v1.BuildService/GetBuild", getBuild, cookie, { origin: `http://${host}` })).status, 200);
    // POST routes are bearer-only: a cookie never triggers a build.
    t.is((await fetch(`${b.url}/projects/priv/builds/`, { method: "POST", headers: { cookie, "sec-fetch-site": "same-origin" }, body: "{}" })).status, 401);

    // Sign-out on A: gone there at once, on B within its 5 s principal cache.
    const out = await fetch(`${a.url}/logout`, { method: "POST", redirect: "manual", headers: { cookie, origin: a.url } });
    t.is(out.status, 303);
    t.regex(out.headers.get("set-cookie") ?? "", /^jobserv_session=; Path=\/; Max-Age=0; HttpOnly; SameSite=Lax/);
    t.is((await get(a.url, "/projects/priv/builds/1/")).status, 401, "signed out on A at once");
    await eventually(async () => ((await get(b.url, "/projects/priv/builds/1/")).status === 401 ? true : undefined), 10_000, "B to forget the session");
    t.is((await store.db.selectFrom("browser_sessions").selectAll().execute()).length, 0);

    // Revoking the token ends its sessions (A at once, B within 5 s).
    const again = await signIn(a.url, read.secret);
    t.is((await fetch(`${b.url}/projects/priv/builds/1/`, { headers: { cookie: again } })).status, 200);
    await apiClient(TokenService, a.url).revokeToken({ id: read.id });
    t.is((await fetch(`${a.url}/projects/priv/builds/1/`, { headers: { cookie: again } })).status, 401, "revoked: A at once");
    await eventually(async () => ((await fetch(`${b.url}/projects/priv/builds/1/`, { headers: { cookie: again } })).status === 401 ? true : undefined), 10_000, "B to refuse the revoked token's session");
  });
}

test("sessions expire; sign-in refuses unknown or revoked tokens and cross-site posts, stays on this server, and marks cookies Secure behind TLS", async (t) => {
  const server = await startTestServer(t, "sqlite", { sessionTtlMs: 1500 });
  await applyProject(server.url, "priv", YAML);
  await trigger(server.url, "priv", "t");
  const read = await newToken(server.url, Scope.READ);

  const cookie = await signIn(server.url, read.secret);
  t.is((await fetch(`${server.url}/projects/priv/builds/1/`, { headers: { cookie } })).status, 200);
  await eventually(async () => ((await fetch(`${server.url}/projects/priv/builds/1/`, { headers: { cookie } })).status === 401 ? true : undefined), 10_000, "the session to expire");

  const refused = await postSignIn(server.url, "jst_no-such-token", "/projects/priv/");
  t.is(refused.status, 303);
  t.is(refused.headers.get("set-cookie"), null);
  const back = new URL(refused.headers.get("location") ?? "", server.url);
  t.is(back.pathname, "/login");
  t.is(back.searchParams.get("next"), "/projects/priv/");
  t.regex(back.searchParams.get("error") ?? "", /unknown or revoked/);
  const revoked = await newToken(server.url, Scope.READ);
  await apiClient(TokenService, server.url).revokeToken({ id: revoked.id });
  t.is((await postSignIn(server.url, revoked.secret)).headers.get("set-cookie"), null, "a revoked token opens no session");

  const crossSite: Record<string, string>[] = [{}, { origin: "http://evil.example" }, { "sec-fetch-site": "cross-site" }, { origin: "null" }];
  for (const headers of crossSite) {
    const r = await postSignIn(server.url, read.secret, "/", headers);
    t.is(r.status, 403, `sign-in refused with ${JSON.stringify(headers)}`);
    t.is(r.headers.get("set-cookie"), null);
  }
  t.is((await fetch(`${server.url}/logout`, { method: "POST", redirect: "manual", headers: { cookie, "sec-fetch-site": "cross-site" } })).status, 403, "another site cannot sign a person out");

  for (const [next, expected] of [["//evil.example/x", "/"], ["https://evil.example/", "/"], ["/\\evil.example", "/"], ["/projects/priv/?page=x#L3", "/projects/priv/?page=x#L3"]]) {
    t.is((await postSignIn(server.url, read.secret, next!)).headers.get("location"), expected, `next=${next}`);
  }
  const tls = await postSignIn(server.url, read.secret, "/", { origin: server.url, "x-forwarded-proto": "https" });
  t.regex(tls.headers.get("set-cookie") ?? "", /; HttpOnly; SameSite=Lax; Secure$/, "Secure behind a TLS-terminating proxy");
});
