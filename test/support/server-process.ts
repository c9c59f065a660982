// A real server as a child process (`node cli/jobserv.js server`), so tests
// can SIGKILL it and start it again on the same port and store.
import { spawn, type ChildProcess } from "node:child_process";
import net from "node:net";
import path from "node:path";
import type { ExecutionContext } from "ava";
import { TEST_ADMIN_TOKEN } from "./auth.js";
import { eventually } from "./clients.js";
import { TEST_SECRETS_KEY, WORKER_SECRET } from "./server.js";

const ROOT = path.resolve(import.meta.dirname, "../..");

export async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, "127.0.0.1", resolve));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

export class ServerProcess {
  private child: ChildProcess | undefined;
  private log = "";
  readonly url: string;

  constructor(private readonly databaseUrl: string, readonly port: number, private readonly env: Record<string, string> = {}) {
    this.url = `http://127.0.0.1:${port}`;
  }

  /** Starts the server and waits (up to `waitMs`) until it answers /healthz. */
  async start(waitMs = 60_000): Promise<void> {
    this.child = spawn(process.execPath, [path.join(ROOT, "cli/jobserv.js"), "server"], {
      cwd: ROOT,
      env: {
        ...process.env, JOBSERV_DATABASE: this.databaseUrl, JOBSERV_PORT: String(this.port), JOBSERV_HOST: "127.0.0.1",
        JOBSERV_WORKER_SECRET: WORKER_SECRET, JOBSERV_SECRETS_KEY: TEST_SECRETS_KEY, JOBSERV_ADMIN_TOKEN: TEST_ADMIN_TOKEN, JOBSERV_POLL_MS: "100", ...this.env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child.stdout!.on("data", (d: Buffer) => { this.log += d.toString(); });
    this.child.stderr!.on("data", (d: Buffer) => { this.log += d.toString(); });
    await eventually(async () => {
      try {
        return (await fetch(`${this.url}/healthz`)).ok ? true : undefined;
      } catch {
        return undefined;
      }
    }, waitMs, () => `server to answer on ${this.url}: ${this.log}`);
  }

  /** SIGKILL: no draining, no cleanup, like a crashed machine. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    await exited;
  }

  /**
   * SIGTERM: the server drains and exits. Resolves with its exit code once it
   * has exited, or rejects if it is still running after `ms`.
   */
  async terminate(ms: number): Promise<number | null> {
    const child = this.child;
    if (!child || child.exitCode !== null) return child?.exitCode ?? null;
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    child.kill("SIGTERM");
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`server still running ${ms} ms after SIGTERM: ${this.log}`)), ms); });
    try {
      return await Promise.race([exited, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  output(): string {
    return this.log;
  }

  /** The running server's process id (undefined before start). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  static async start(t: ExecutionContext, databaseUrl: string, env: Record<string, string> = {}, waitMs?: number): Promise<ServerProcess> {
    const server = new ServerProcess(databaseUrl, await freePort(), env);
    t.teardown(() => server.kill());
    await server.start(waitMs);
    return server;
  }
}
