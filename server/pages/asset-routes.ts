// `GET /assets/{name}`: the built web files (web-bundle.ts). Names carry a
// content hash, so they are cached for a year and never revalidated; the
// compressed copy the client accepts (brotli, else gzip) is sent.
import { sendJson, type Route } from "../gateway/router.js";
import type { WebAssets, WebFile } from "./web-bundle.js";

function encodingFor(file: WebFile, accept: string): { body: Buffer; encoding?: string } {
  const accepts = (name: string) => new RegExp(`(^|[,\\s])${name}(?!;\\s*q=0(\\.0*)?\\b)`, "i").test(accept);
  if (file.brotli && accepts("br")) return { body: file.brotli, encoding: "br" };
  if (file.gzip && accepts("gzip")) return { body: file.gzip, encoding: "gzip" };
  return { body: file.body };
}

export function assetRoutes(deps: { assets: WebAssets }): Route[] {
  return [{
    method: "GET", path: /^\/assets\/([A-Za-z0-9._-]+)$/,
    async handle(req, res, [name = ""]) {
      const file = (await deps.assets.bundle()).files.get(name);
      if (!file) {
        // An older or newer page's file: the document names the current ones.
        sendJson(res, 404, { error: `no web asset ${name} (reload the page)` });
        return;
      }
      const headers: Record<string, string | number> = {
        "content-type": file.contentType, "cache-control": "public, max-age=31536000, immutable",
        etag: file.etag, vary: "Accept-Encoding", "x-content-type-options": "nosniff",
      };
      if (req.headers["if-none-match"] === file.etag) {
        res.writeHead(304, headers);
        res.end();
        return;
      }
      const { body, encoding } = encodingFor(file, String(req.headers["accept-encoding"] ?? ""));
      res.writeHead(200, { ...headers, "content-length": body.length, ...(encoding ? { "content-encoding": encoding } : {}) });
      res.end(req.method === "HEAD" ? undefined : body);
    },
  }];
}
