// WAL checkpoints of the embedded store on a worker thread. better-sqlite3 is
// synchronous: with SQLite's automatic checkpoints, the commit that crosses
// the threshold copies the WAL into the database file and syncs both on the
// event loop (in the log-append profile, a third of the write syscalls of a
// commit and every fsync). Here a second connection on its own thread
// checkpoints PASSIVE (never waiting on, nor blocking, readers and writers)
// every BUSY_MS while the WAL grows, so commits only append to the WAL. The store's own
// connection keeps a far higher automatic threshold as a safety net, back to
// SQLite's default if this thread ends.
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import type BetterSqlite3 from "better-sqlite3";

/** Between checkpoints while the WAL grows; idle, the pause doubles up to IDLE_MS (a timer every 25 ms cost 1.3 % of a core). */
const BUSY_MS = 25;
const IDLE_MS = 100;
/** Pages in the WAL before the store's connection checkpoints itself (the checkpointer fell behind or ended). */
const SAFETY_NET_PAGES = 10_000;
const SQLITE_DEFAULT_PAGES = 1_000;

// CommonJS, evaluated in the worker: no loader needed, under tsx or compiled alike.
// The pragma answers [busy, frames in the WAL, frames checkpointed].
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.lib);
const db = new Database(workerData.file, { fileMustExist: true, timeout: 0 });
const checkpoint = db.prepare("PRAGMA wal_checkpoint(PASSIVE)").raw();
let last = -1, pause = workerData.busyMs, timer;
const tick = () => {
  try {
    const [, frames, done] = checkpoint.get();
    pause = frames === last && done === frames ? Math.min(pause * 2, workerData.idleMs) : workerData.busyMs;
    last = frames;
  } catch (e) { if (e.code !== "SQLITE_BUSY" && e.code !== "SQLITE_LOCKED") throw e; }
  timer = setTimeout(tick, pause);
};
timer = setTimeout(tick, pause);
parentPort.once("message", () => { clearTimeout(timer); db.close(); parentPort.close(); });
`;

export interface Checkpointer { stop(): Promise<void> }

/** Starts checkpointing `file` (a WAL database `db` has open) off the event loop; `onError` hears why it ended early. */
export function startCheckpointer(db: BetterSqlite3.Database, file: string, onError: (e: unknown) => void): Checkpointer {
  db.pragma(`wal_autocheckpoint = ${SAFETY_NET_PAGES}`);
  const lib = createRequire(import.meta.url).resolve("better-sqlite3");
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { lib, file, busyMs: BUSY_MS, idleMs: IDLE_MS } });
  worker.unref(); // a store nobody closed must not keep the process alive
  const exited = new Promise<void>((resolve) => worker.once("exit", () => {
    if (db.open) db.pragma(`wal_autocheckpoint = ${SQLITE_DEFAULT_PAGES}`);
    resolve();
  }));
  worker.on("error", onError); // it exits; the store checkpoints itself again (above)
  return {
    async stop() {
      worker.ref(); // the caller waits for it to close its connection
      worker.postMessage("stop");
      await exited;
    },
  };
}
