// Everything the web front end needs from the gateway, in the order the
// router must try it: the page URLs (before the JSON routes of the same URLs,
// which main.ts lists after these), the built assets, sign-in and sign-out.
import type { Logger } from "../logger.js";
import type { Route } from "../gateway/router.js";
import { assetRoutes } from "./asset-routes.js";
import { pageRoutes, type PageDeps } from "./page-routes.js";
import { signInRoutes, type SignInDeps } from "./sign-in-routes.js";
import { WEB_DIR, WebAssets } from "./web-bundle.js";

export function webRoutes(deps: Omit<PageDeps, "assets"> & SignInDeps & { log: Logger; webDir?: string }): Route[] {
  const assets = new WebAssets(deps.webDir ?? WEB_DIR, deps.log);
  return [...pageRoutes({ ...deps, assets }), ...assetRoutes({ assets }), ...signInRoutes(deps)];
}
