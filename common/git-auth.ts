// Basic credentials for git over HTTP(S), shared by the worker's checkouts
// and the server's git poller: a trigger's token as `user:token`, or a token
// alone with the user the forge expects (GitHub `x-access-token`, others
// `oauth2`). Handed to git through GIT_CONFIG_* environment variables (an
// http.extraHeader), so the token is in neither argv, the URL, .git/config
// nor logs.

/** The `Authorization` header value for `url`, or undefined without credentials or for non-HTTP URLs. */
export function gitAuthorization(url: string, credentials: string | undefined): string | undefined {
  if (!credentials || !/^https?:/.test(url)) return undefined;
  const pair = credentials.includes(":") ? credentials
    : `${/github/.test(new URL(url).host) ? "x-access-token" : "oauth2"}:${credentials}`;
  return `Basic ${Buffer.from(pair).toString("base64")}`;
}

/**
 * Environment that makes git send `authorization` (nothing when undefined).
 * With `url`, only to that URL's scheme and host (`http.<origin>/.extraHeader`),
 * so submodules and LFS objects on the same host get it and other hosts do not.
 */
export function gitAuthEnv(authorization: string | undefined, url?: string): Record<string, string> {
  if (!authorization) return {};
  const key = url ? `http.${new URL(url).origin}/.extraHeader` : "http.extraHeader";
  return { GIT_CONFIG_COUNT: "1", GIT_CONFIG_KEY_0: key, GIT_CONFIG_VALUE_0: `Authorization: ${authorization}` };
}
