// A private MariaDB server for tests that stop and restart their database
// (the shared one at 127.0.0.1:3306 serves every other test and is never
// touched). A fresh datadir in a temp folder owned by `mysql` (mariadbd
// refuses to run as root), listening on a free loopback port, with a user
// `jobserv` created over the unix socket. Killed and removed in teardown.
import { execFile, execFileSync, spawn, type ChildProcess } from "node:child_process";
import { chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import type { ExecutionContext } from "ava";
import { createConnection } from "mysql2/promise";
import { eventually } from "./clients.js";
import { freePort } from "./server-process.js";

const run = promisify(execFile);
/** Debian installs the daemon in sbin, which a non-login PATH may not hold. */
const MARIADBD = existsSync("/usr/sbin/mariadbd") ? "/usr/sbin/mariadbd" : "mariadbd";

export class PrivateMariaDb {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  /** `mysql://jobserv:jobserv@127.0.0.1:<port>/jobserv` */
  readonly url: string;

  private constructor(private readonly dir: string, readonly port: number) {
    this.url = `mysql://jobserv:jobserv@127.0.0.1:${port}/jobserv`;
  }

  /** Installs a fresh datadir, starts mariadbd and creates the `jobserv` user and database. */
  static async start(t: ExecutionContext): Promise<PrivateMariaDb> {
    const dir = mkdtempSync(path.join(os.tmpdir(), "jobserv-mariadb-"));
    const uid = Number(execFileSync("id", ["-u", "mysql"]).toString());
    const gid = Number(execFileSync("id", ["-g", "mysql"]).toString());
    // Its own tmpdir: concurrent bootstraps sharing /tmp tripped over each other's temporary tables.
    mkdirSync(path.join(dir, "tmp"));
    chownSync(dir, uid, gid);
    chownSync(path.join(dir, "tmp"), uid, gid);
    const db = new PrivateMariaDb(dir, await freePort());
    t.teardown(async () => {
      await db.stop("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    });
    await run("mariadb-install-db", ["--no-defaults", "--user=mysql", "--basedir=/usr", `--datadir=${db.datadir}`,
      "--auth-root-authentication-method=socket", "--skip-test-db", `--tmpdir=${db.tmpdir}`]);
    await db.launch();
    const sql = "CREATE USER 'jobserv'@'127.0.0.1' IDENTIFIED BY 'jobserv'; GRANT ALL PRIVILEGES ON *.* TO 'jobserv'@'127.0.0.1'; CREATE DATABASE jobserv";
    await eventually(async () => {
      try {
        await run("mariadb", ["--no-defaults", `--socket=${db.socket}`, "-uroot", "-e", sql]);
        return true;
      } catch {
        if (db.child?.exitCode !== null) throw new Error(`mariadbd exited: ${db.errorLog()}`);
        return undefined;
      }
    }, 30_000, () => `mariadbd to accept the socket: ${db.errorLog()}`);
    await db.ready();
    return db;
  }

  private get datadir(): string { return path.join(this.dir, "data"); }
  private get socket(): string { return path.join(this.dir, "sock"); }
  private get tmpdir(): string { return path.join(this.dir, "tmp"); }

  errorLog(): string {
    try { return readFileSync(path.join(this.dir, "error.log"), "utf8").slice(-2_000); } catch { return "(no error log)"; }
  }

  private async launch(): Promise<void> {
    const child = spawn(MARIADBD, ["--no-defaults", "--user=mysql", "--basedir=/usr", `--datadir=${this.datadir}`,
      `--tmpdir=${this.tmpdir}`, `--port=${this.port}`, "--bind-address=127.0.0.1", `--socket=${this.socket}`, `--pid-file=${path.join(this.dir, "pid")}`,
      `--log-error=${path.join(this.dir, "error.log")}`, "--skip-name-resolve", "--skip-log-bin",
      "--innodb-buffer-pool-size=32M", "--innodb-log-file-size=16M", "--max-connections=200"], { stdio: "ignore" });
    this.child = child;
    this.exited = new Promise((resolve) => child.once("exit", () => resolve()));
  }

  /** Waits until the `jobserv` user can run a query over TCP. */
  private async ready(): Promise<void> {
    await eventually(async () => {
      try {
        const c = await createConnection(this.url);
        await c.query("SELECT 1");
        await c.end();
        return true;
      } catch {
        return undefined;
      }
    }, 30_000, () => `mariadbd on port ${this.port}: ${this.errorLog()}`);
  }

  /** Stops the server (SIGTERM: clean shutdown; SIGKILL: a crash) and waits until the process is gone. */
  async stop(signal: "SIGTERM" | "SIGKILL"): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    await this.exited;
  }

  /** Starts the server again on the same datadir and port; resolves once it answers queries. */
  async restart(): Promise<void> {
    await this.launch();
    await this.ready();
  }
}
