// Real git repositories in a temp dir, served over smart HTTP on loopback by
// `git http-backend` (CGI) behind a tiny Node server. Counts ref
// advertisements served, so tests can wait for polls instead of sleeping.
// With `basicAuth` it is a private host: 401 + a Basic challenge unless the
// request carries those credentials (as GitHub/GitLab answer for private repos).
// It also answers Git LFS downloads as the LFS batch API specifies (a fake of
// an external LFS server): objects come from the work tree's .git/lfs store.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import type { ExecutionContext } from "ava";

export interface GitHttpServer {
  /** http://127.0.0.1:<port> ; a repo `name` is at `${url}/${name}.git`. */
  url: string;
  root: string;
  /** How many `info/refs` advertisements were served so far. */
  advertisements(): number;
}

const GIT_ENV = { GIT_AUTHOR_NAME: "T", GIT_AUTHOR_EMAIL: "t@example.com", GIT_COMMITTER_NAME: "T", GIT_COMMITTER_EMAIL: "t@example.com" };

export function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, { cwd, env: { ...process.env, ...GIT_ENV }, encoding: "utf8" }).trim();
}

/** A work tree `<root>/<name>` with one commit on master, pushed to the served bare repo `<root>/<name>.git`. */
export function createRepo(root: string, name: string): { work: string; commit(message: string, branch?: string): string } {
  const work = path.join(root, name);
  const bare = path.join(root, `${name}.git`);
  execFileSync("git", ["init", "--quiet", "--bare", bare]);
  git(bare, "config", "http.receivepack", "false");
  execFileSync("git", ["init", "--quiet", "-b", "master", work]);
  let n = 0;
  const commit = (message: string, branch = "master") => {
    writeFileSync(path.join(work, "file.txt"), `change ${++n}\n`);
    git(work, "add", "file.txt");
    git(work, "commit", "--quiet", "-m", message);
    git(work, "push", "--quiet", bare, `HEAD:refs/heads/${branch}`);
    return git(work, "rev-parse", "HEAD");
  };
  commit("initial commit");
  return { work, commit };
}

const LFS_JSON = "application/vnd.git-lfs+json";

/** POST /<repo>.git/info/lfs/objects/batch (download only) and GET /lfs/<repo>/<oid>; true when it answered. */
function serveLfs(root: string, req: http.IncomingMessage, res: http.ServerResponse, url: URL): boolean {
  const store = (repo: string, oid: string) => path.join(root, repo, ".git", "lfs", "objects", oid.slice(0, 2), oid.slice(2, 4), oid);
  const batch = /^\/(.+)\.git\/info\/lfs\/objects\/batch$/.exec(url.pathname);
  if (batch && req.method === "POST") {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = JSON.parse(Buffer.concat(chunks).toString()) as { operation: string; objects: { oid: string; size: number }[] };
      const base = `http://${req.headers.host}`;
      const objects = body.objects.map((o) => (body.operation === "download" && existsSync(store(batch[1]!, o.oid))
        ? { ...o, authenticated: true, actions: { download: { href: `${base}/lfs/${batch[1]}/${o.oid}` } } }
        : { ...o, error: { code: 404, message: "Object does not exist" } }));
      res.writeHead(200, { "content-type": LFS_JSON }).end(JSON.stringify({ transfer: "basic", objects }));
    });
    return true;
  }
  const object = /^\/lfs\/(.+)\/([0-9a-f]{64})$/.exec(url.pathname);
  if (object && req.method === "GET") {
    const file = store(object[1]!, object[2]!);
    if (!existsSync(file)) res.writeHead(404).end();
    else res.writeHead(200, { "content-type": "application/octet-stream" }).end(readFileSync(file));
    return true;
  }
  return false;
}

export async function startGitHttp(t: ExecutionContext, opts: { basicAuth?: { user: string; password: string } } = {}): Promise<GitHttpServer> {
  const root = mkdtempSync(path.join(os.tmpdir(), "jobserv-git-"));
  let adverts = 0;
  const expected = opts.basicAuth && `Basic ${Buffer.from(`${opts.basicAuth.user}:${opts.basicAuth.password}`).toString("base64")}`;
  const server = http.createServer((req, res) => {
    if (expected && req.headers["authorization"] !== expected) {
      req.resume();
      res.writeHead(401, { "www-authenticate": 'Basic realm="git"' }).end("authentication required\n");
      return;
    }
    const url = new URL(req.url ?? "/", "http://x");
    if (serveLfs(root, req, res, url)) return;
    if (url.pathname.endsWith("/info/refs")) adverts++;
    const cgi = spawn("git", ["http-backend"], {
      env: {
        ...process.env, GIT_PROJECT_ROOT: root, GIT_HTTP_EXPORT_ALL: "1", PATH_INFO: decodeURIComponent(url.pathname),
        QUERY_STRING: url.search.slice(1), REQUEST_METHOD: req.method ?? "GET", CONTENT_TYPE: req.headers["content-type"] ?? "",
        REMOTE_ADDR: "127.0.0.1", GIT_PROTOCOL: String(req.headers["git-protocol"] ?? ""),
        HTTP_CONTENT_ENCODING: String(req.headers["content-encoding"] ?? ""),
      },
    });
    req.pipe(cgi.stdin);
    const chunks: Buffer[] = [];
    cgi.stdout.on("data", (c: Buffer) => chunks.push(c));
    cgi.on("close", () => {
      const out = Buffer.concat(chunks);
      const split = out.indexOf("\r\n\r\n") >= 0 ? out.indexOf("\r\n\r\n") : out.indexOf("\n\n");
      const sep = out.indexOf("\r\n\r\n") >= 0 ? 4 : 2;
      const headers: Record<string, string> = {};
      let status = 200;
      for (const line of out.subarray(0, split).toString().split(/\r?\n/)) {
        const i = line.indexOf(":");
        if (i < 0) continue;
        const k = line.slice(0, i).trim();
        const v = line.slice(i + 1).trim();
        if (k.toLowerCase() === "status") status = Number(v.split(" ")[0]);
        else headers[k] = v;
      }
      res.writeHead(status, headers);
      res.end(out.subarray(split + sep));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.teardown(() => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => { rmSync(root, { recursive: true, force: true }); resolve(); });
  }));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, root, advertisements: () => adverts };
}
