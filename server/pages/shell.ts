// The HTML document every page URL answers a browser with: the bundle's
// script and style, plus what the page needs to know before its first call
// (who is signed in, with which scope, and the answer's status when the URL
// names something missing). The script renders the page from the URL.
// PageContext is a contract with the script: web/core/page-context.ts reads
// the same shape (web/ imports nothing from server/, so it is written twice).
import type { Scope } from "../../gen/jobserv/v1/token_pb.js";
import type { Principal } from "../auth/access.js";
import type { Res } from "../gateway/router.js";
import type { WebBundle } from "./web-bundle.js";

/** The person the page is for; null when nobody is signed in. */
export interface Viewer {
  /** The token's name. */
  name: string;
  scope: "read" | "trigger" | "admin";
  /** Projects the token is limited to; empty: all. */
  projects: string[];
  /** Milliseconds since the epoch: when the session ends (absent for a bearer token). */
  expiresAt?: number;
}

export interface PageContext {
  viewer: Viewer | null;
  /** The HTTP status of this answer; for errors, what the page shows. */
  status: number;
  error?: string;
}

const SCOPES: Record<number, Viewer["scope"]> = { 1: "read", 2: "trigger", 3: "admin" };

export function viewerOf(p: Principal | undefined): Viewer | null {
  if (!p || p.kind !== "token") return null;
  return {
    name: p.token.name, scope: SCOPES[p.token.scope as Scope] ?? "read", projects: p.token.projects,
    ...(p.session ? { expiresAt: p.session.expiresAt } : {}),
  };
}

/**
 * Scripts only from this origin's /assets (nothing inline runs, so log text
 * or artifact names can never become code); calls only to this origin.
 */
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
  + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

export function renderShell(bundle: WebBundle, ctx: PageContext): string {
  // JSON inside <script>: escaping "<" keeps any "</script>" in names inert.
  const data = JSON.stringify(ctx).replaceAll("<", "\\u003c");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>jobserv</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/${bundle.style}">
<script type="module" src="/assets/${bundle.script}"></script>
<script type="application/json" id="jobserv-page">${data}</script>
</head>
<body>
<noscript><p>This page needs JavaScript. API clients get the same URL as JSON (<code>Accept: application/json</code>).</p></noscript>
</body>
</html>
`;
}

export function sendShell(res: Res, bundle: WebBundle, ctx: PageContext): void {
  res.writeHead(ctx.status, {
    "content-type": "text/html; charset=utf-8",
    // The document names the person signed in: never cached, and it varies with the cookie.
    "cache-control": "no-store",
    vary: "Accept, Cookie",
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
  });
  res.end(renderShell(bundle, ctx));
}
