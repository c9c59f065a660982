// Browser sessions from tests without a browser: sign in through the real
// /login form post (as the page sends it, with its Origin) and call the API
// the way the page does (cookie + Sec-Fetch-Site), over plain fetch.
import { Scope, TokenService } from "../../gen/jobserv/v1/token_pb.js";
import { apiClient } from "./clients.js";

/** Posts the sign-in form; returns the response (303) without following it. */
export function postSignIn(url: string, token: string, next = "/", headers: Record<string, string> = { origin: url }): Promise<Response> {
  return fetch(`${url}/login`, {
    method: "POST", redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams({ token, next }),
  });
}

/** Signs in with `token`; returns the `Cookie` header value of the session. */
export async function signIn(url: string, token: string): Promise<string> {
  const res = await postSignIn(url, token);
  const set = res.headers.get("set-cookie");
  if (res.status !== 303 || !set) throw new Error(`sign-in answered ${res.status} without a cookie: ${await res.text()}`);
  return set.split(";")[0]!;
}

/** A new API token's secret, made with the test admin token. */
export async function newToken(url: string, scope: Scope, projects: string[] = [], name = `t-${Scope[scope]}`): Promise<{ id: bigint; secret: string }> {
  const { token, secret } = await apiClient(TokenService, url).createToken({ name, scope, projects });
  return { id: token!.id, secret };
}

/**
 * Calls an RPC with the Connect protocol's JSON encoding, as the page would
 * with `cookie`: from its own origin unless `headers` say otherwise.
 * Returns the status and the parsed body.
 */
export async function rpcWithCookie(url: string, method: string, body: object, cookie: string, headers: Record<string, string> = { "sec-fetch-site": "same-origin" }): Promise<{ status: number; body: { code?: string; message?: string } & Record<string, unknown> }> {
  const res = await fetch(`${url}/${method}`, {
    method: "POST", headers: { "content-type": "application/json", cookie, ...headers }, body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() as { code?: string; message?: string } };
}
