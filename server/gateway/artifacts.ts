// REST routes for artifacts: the worker's upload (PUT, authorised by the run
// token, body streamed into artifact storage) and the public download
// `GET /projects/{p}/builds/{n}/runs/{r}/{path}` (read access to the project; streamed, or a
// redirect to a short-lived presigned URL of the bucket). Register these after the
// run-files routes so console.log and .rundef.json keep their own handlers.
// Artifacts are what builds (also of untrusted pull requests) wrote: served
// in a CSP sandbox, an HTML artifact runs in an opaque origin, where a
// person's browser session (pages/) does not reach.
import path from "node:path";
import { artifactLink, openArtifact, presignArtifact, storeArtifact, type ArtifactDeps } from "../artifacts/run-artifacts.js";
import { ArtifactTooLargeError } from "../artifacts/storage.js";
import { resolveRun } from "../builds/lookup.js";
import { authoriseRunToken } from "../builds/run-token.js";
import { UnauthenticatedError } from "../errors.js";
import { HttpError, sendJson, type Route } from "./router.js";
import type { Access } from "../auth/access.js";
import { requireProject } from "./rest-access.js";

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8", ".htm": "text/html; charset=utf-8",
  ".txt": "text/plain; charset=utf-8", ".log": "text/plain; charset=utf-8",
  ".json": "application/json", ".xml": "application/xml", ".svg": "image/svg+xml",
  ".png": "image/png", ".jpg": "image/jpeg", ".gz": "application/gzip", ".tar": "application/x-tar",
};

/** `presignSeconds` > 0: downloads answer 302 to a presigned URL of the storage (when it gives them). */
export function artifactRoutes(deps: ArtifactDeps & { access: Access; presignSeconds?: number }): Route[] {
  return [
    {
      method: "PUT", path: /^\/worker\/runs\/(\d+)\/artifacts\/(.+)$/,
      async handle(req, res, params) {
        const worker = header(req.headers["jobserv-worker"]);
        const token = header(req.headers["jobserv-run-token"]);
        if (!worker || !token) throw new UnauthenticatedError("artifact uploads need the jobserv-worker and jobserv-run-token headers");
        const run = await authoriseRunToken(deps.store, Number(params[0]), token, worker);
        const length = req.headers["content-length"];
        try {
          // Not destroyed when storage stops reading: the rest is drained below, so the client gets our answer.
          const body = req.iterator({ destroyOnReturn: false });
          const stored = await storeArtifact(deps, run, params[1]!, body, length === undefined ? undefined : Number(length));
          sendJson(res, 200, stored);
        } catch (e) {
          req.resume();
          if (e instanceof ArtifactTooLargeError) throw new HttpError(413, `artifact "${params[1]}": ${e.message}`);
          throw e;
        }
      },
    },
    {
      method: "GET", path: /^\/projects\/([^/]+)\/builds\/(\d+)\/runs\/([^/]+)\/(.+)$/,
      async handle(req, res, params) {
        const names = { project: params[0]!, build: Number(params[1]), run: params[2]! };
        await requireProject(deps.access, deps.store, req, names.project);
        const { run } = await resolveRun(deps.store, { project: names.project, buildNumber: names.build, run: names.run });
        const link = await artifactLink(deps.store, run, params[3]!);
        if (link || (deps.presignSeconds && deps.storage.presign)) {
          // An external build's artifact is where its CI keeps it.
          res.writeHead(302, { location: link ?? await presignArtifact(deps, run, params[3]!, names, deps.presignSeconds!), "cache-control": "no-store" });
          res.end();
          return;
        }
        const artifact = await openArtifact(deps, run, params[3]!, names);
        res.writeHead(200, {
          "content-type": CONTENT_TYPES[path.extname(artifact.path).toLowerCase()] ?? "application/octet-stream",
          "content-length": artifact.size,
          "content-security-policy": "sandbox allow-scripts allow-popups",
          "x-content-type-options": "nosniff",
        });
        if (req.method === "HEAD") {
          artifact.body.destroy();
          res.end();
          return;
        }
        artifact.body.on("error", () => res.destroy());
        artifact.body.pipe(res);
      },
    },
  ];
}

function header(v: string | string[] | undefined): string {
  return (Array.isArray(v) ? v[0] : v) ?? "";
}
