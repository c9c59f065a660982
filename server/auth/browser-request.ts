// What a browser's request says about its sender: the session cookie it
// carries, and whether it comes from this server's own pages (same origin).
// The cookie is HttpOnly (scripts never see it), SameSite=Lax (other sites'
// pages cannot make the browser send it, except on plain link navigation,
// which only reads), and Secure when the request came over TLS.
export const SESSION_COOKIE = "jobserv_session";

/** Reads one request header by lower-case name (RPC: Headers.get; REST: IncomingMessage.headers). */
export type HeaderGetter = (name: string) => string | undefined;

/** The session secret in a `Cookie` header, if any. */
export function sessionSecretOf(cookieHeader: string | undefined): string | undefined {
  for (const part of (cookieHeader ?? "").split(";")) {
    const i = part.indexOf("=");
    if (i > 0 && part.slice(0, i).trim() === SESSION_COOKIE) return part.slice(i + 1).trim() || undefined;
  }
  return undefined;
}

/**
 * Whether the request was made by a page of this very origin. Browsers send
 * `Sec-Fetch-Site` on every request (Chromium 76+, Firefox 90+, Safari 16.4+);
 * older ones send `Origin` on every POST, compared with the host the request
 * addressed (X-Forwarded-Host behind a proxy). Neither present: not a browser
 * page's request, so no proof of origin.
 */
export function isSameOrigin(header: HeaderGetter): boolean {
  const site = header("sec-fetch-site");
  if (site) return site === "same-origin";
  const origin = header("origin");
  const host = header("x-forwarded-host")?.split(",")[0]?.trim() || header("host") || header(":authority");
  if (!origin || !host || origin === "null") return false;
  try {
    return new URL(origin).host.toLowerCase() === host.toLowerCase();
  } catch {
    return false;
  }
}

/** `Set-Cookie` for a new session. */
export function sessionCookie(secret: string, maxAgeSeconds: number, secure: boolean): string {
  return `${SESSION_COOKIE}=${secret}; Path=/; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Lax${secure ? "; Secure" : ""}`;
}

/** `Set-Cookie` that removes the session cookie. */
export function clearedSessionCookie(secure: boolean): string {
  return `${SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax${secure ? "; Secure" : ""}`;
}
