// A real server as a child process (`node cli/jobserv.js server`), so tests
// can SIGKILL it and start it again on the same port and store. The first
// start binds port 0 (no race with another suite for a "free" port); ready is
// the server's own "jobserv server listening" line, which names the port. The
// only time limit is a generous hang guard, so a loaded machine just waits.
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

/** A start that takes longer than this is a hang, not a slow machine. */
export const START_CEILING_MS = 120_000;

export class ServerProcess {
  private child: ChildProcess | undefined;
  private log = "";
  private boundPort: number;

  /** `port` 0: the first start picks one, later starts reuse it. */
  constructor(private readonly databaseUrl: string, port = 0, private readonly env: Record<string, string> = {}) {
    this.boundPort = port;
  }

  get port(): number {
    if (!this.boundPort) throw new Error("ServerProcess: no port before the first start");
    return this.boundPort;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Starts the server and waits for its "listening" line (the server logs at info unless told otherwise). */
  async start(): Promise<void> {
    if (/^(warn|error|fatal|silent)$/.test(this.env["JOBSERV_LOG_LEVEL"] ?? "")) {
      throw new Error(`ServerProcess: JOBSERV_LOG_LEVEL=${this.env["JOBSERV_LOG_LEVEL"]} hides the "listening" line it waits for; use info or debug`);
    }
    const from = this.log.length;
    this.child = spawn(process.execPath, [path.join(ROOT, "cli/jobserv.js"), "server"], {
      cwd: ROOT,
      env: {
        ...process.env, JOBSERV_DATABASE: this.databaseUrl, JOBSERV_PORT: String(this.boundPort), JOBSERV_HOST: "127.0.0.1",
        JOBSERV_WORKER_SECRET: WORKER_SECRET, JOBSERV_SECRETS_KEY: TEST_SECRETS_KEY, JOBSERV_ADMIN_TOKEN: TEST_ADMIN_TOKEN, JOBSERV_POLL_MS: "100", ...this.env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const child = this.child;
    child.stdout!.on("data", (d: Buffer) => { this.log += d.toString(); });
    child.stderr!.on("data", (d: Buffer) => { this.log += d.toString(); });
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    const url = await eventually(async () => {
      const listening = listeningUrl(this.log.slice(from));
      if (listening) return listening;
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`server exited (${child.exitCode ?? child.signalCode}) before listening: ${this.log}`);
      await Promise.race([exited, new Promise((r) => setTimeout(r, 50))]);
      return undefined;
    }, START_CEILING_MS, () => `the server's "listening" line: ${this.log}`);
    this.boundPort = Number(new URL(url).port);
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

  static async start(t: ExecutionContext, databaseUrl: string, env: Record<string, string> = {}): Promise<ServerProcess> {
    const server = new ServerProcess(databaseUrl, 0, env);
    t.teardown(() => server.kill());
    await server.start();
    return server;
  }
}

/** The URL from the server's JSON "jobserv server listening" line in `log`, if it is there yet. */
function listeningUrl(log: string): string | undefined {
  for (const line of log.split("\n")) {
    if (!line.includes("jobserv server listening")) continue;
    try {
      return (JSON.parse(line) as { url: string }).url;
    } catch { /* a partial line: wait for the rest */ }
  }
  return undefined;
}
