// `GET /cli/jobserv-<version>-<id>.tgz` (and `/cli/jobserv.tgz`, the current
// one): this server's own CLI package for `npx -y <url> simulate ...`, the
// console.log's steps to recreate a run. Public: it is the software, with no
// data of any project; any id gets the current package (instances of another
// version behind one load balancer still answer).
import type { CliPackage } from "../cli-package/cli-package.js";
import type { Route } from "./router.js";

export function cliPackageRoutes(pkg: CliPackage): Route[] {
  return [{
    method: "GET", path: /^\/cli\/jobserv(?:-[A-Za-z0-9.+-]+)?\.tgz$/,
    async handle(req, res) {
      const body = pkg.tarball();
      const etag = `"${pkg.fileName}"`;
      if (req.headers["if-none-match"] === etag) {
        res.writeHead(304, { etag });
        res.end();
        return;
      }
      res.writeHead(200, { "content-type": "application/gzip", "content-length": body.length, etag, "cache-control": "public, max-age=300" });
      res.end(body);
    },
  }];
}
