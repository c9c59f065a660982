// A private image registry for tests of `container-auth`: Debian's
// docker-registry (the CNCF distribution registry) on a free loopback port,
// with htpasswd (bcrypt) basic auth and storage in a temp folder. Docker
// treats 127.0.0.0/8 registries as insecure, so plain HTTP works. `push`
// puts a local image there under a new name (with the registry's
// credentials) and removes the local tag, so a run has to pull it.
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { ExecutionContext } from "ava";
import Docker from "dockerode";
import { eventually } from "./clients.js";
import { freePort } from "./server-process.js";

export interface PrivateRegistry {
  /** `127.0.0.1:<port>` */
  host: string;
  /** Pushes local image `source` as `<host>/<repo>:<tag>` and removes the local tag; returns the full name. */
  push(source: string, repo: string, tag: string): Promise<string>;
}

export async function startPrivateRegistry(t: ExecutionContext, user: string, password: string): Promise<PrivateRegistry> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "jobserv-registry-"));
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  writeFileSync(path.join(dir, "htpasswd"), execFileSync("htpasswd", ["-Bbn", user, password]));
  writeFileSync(path.join(dir, "config.yml"), [
    "version: 0.1", "log:", "  level: error", "storage:", "  filesystem:", `    rootdirectory: ${dir}/data`,
    "http:", `  addr: ${host}`, "  secret: jobserv-test", "auth:", "  htpasswd:", "    realm: jobserv-test", `    path: ${dir}/htpasswd`, "",
  ].join("\n"));
  const child = spawn("docker-registry", ["serve", path.join(dir, "config.yml")], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (c: Buffer) => { stderr += c.toString(); });
  t.teardown(() => { child.kill("SIGKILL"); rmSync(dir, { recursive: true, force: true }); });
  await eventually(async () => {
    if (child.exitCode !== null) throw new Error(`docker-registry exited: ${stderr}`);
    const res = await fetch(`http://${host}/v2/`).catch(() => undefined);
    return res?.status === 401 ? true : undefined;
  }, 15_000, () => `docker-registry on ${host}: ${stderr}`);

  const docker = new Docker();
  return {
    host,
    async push(source, repo, tag) {
      const name = `${host}/${repo}`;
      await docker.getImage(source).tag({ repo: name, tag });
      const image = docker.getImage(`${name}:${tag}`);
      const stream = await image.push({ authconfig: { username: user, password, serveraddress: host } });
      await new Promise<void>((resolve, reject) => docker.modem.followProgress(stream, (err: Error | null) => (err ? reject(err) : resolve())));
      await image.remove();
      t.teardown(() => docker.getImage(`${name}:${tag}`).remove().catch(() => { /* not pulled */ }));
      return `${name}:${tag}`;
    },
  };
}
