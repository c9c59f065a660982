// Following a build until it completes, on the WatchBuild stream (the
// snapshot, then each change as it happens). On a terminal the build and its
// runs are redrawn in place (ANSI cursor-up + erase-line) on each change and
// every second (durations move); otherwise each run status change is printed
// once as a plain line, for logs and pipes. A stream the server ends, or that
// breaks off (UNAVAILABLE, ABORTED: a server shutting down, a connection
// cut), is opened again after a short pause, on whichever instance answers.
import { Code, ConnectError, type Client } from "@connectrpc/connect";
import type { Build, BuildService, WatchBuildResponse } from "../gen/jobserv/v1/build_pb.js";
import { Status } from "../gen/jobserv/v1/status_pb.js";
import { formatDuration, statusName } from "./output.js";

const DONE = new Set([Status.PASSED, Status.FAILED, Status.PROMOTED]);
const REDRAW_MS = 1_000;
/** Streams ended or broken off in a row (no message between) before giving up; the pause grows by REOPEN_MS each time. */
const REOPENS = 8;
const REOPEN_MS = 200;

export interface FollowOutput {
  write(text: string): void;
  /** Redraw in place (a terminal) or print changes as lines. */
  tty: boolean;
  /** Terminal width; longer lines are cut so redrawing stays aligned. */
  columns: number;
}

/** Applies one watch message to the build as known so far. */
function apply(build: Build | undefined, msg: WatchBuildResponse): Build | undefined {
  const e = msg.event;
  if (e.case === "snapshot") return e.value;
  if (!build) return build;
  if (e.case === "build") return { ...e.value, runs: build.runs };
  if (e.case === "run") {
    const i = build.runs.findIndex((r) => r.name === e.value.name);
    return { ...build, runs: i < 0 ? [...build.runs, e.value] : build.runs.map((r, j) => (j === i ? e.value : r)) };
  }
  return build;
}

class Renderer {
  private readonly seen = new Map<string, Status>();
  private drawn = 0;

  constructor(private readonly project: string, private readonly number: number, private readonly out: FollowOutput) {}

  render(b: Build, done: boolean): void {
    const { out, project, number } = this;
    if (out.tty) {
      const width = Math.max(...b.runs.map((r) => r.name.length), 3);
      const lines = [`build ${project}#${number}: ${statusName(b.status)}`, ...b.runs.map((r) =>
        `  ${r.name.padEnd(width)}  ${statusName(r.status).padEnd(10)}  ${formatDuration(r.startTime, r.completeTime).padEnd(7)}  ${r.workerName}${r.statusMessage ? ` (${r.statusMessage})` : ""}`.trimEnd())];
      const cut = (l: string) => (l.length >= out.columns ? l.slice(0, Math.max(1, out.columns - 1)) : l);
      out.write((this.drawn ? `\x1b[${this.drawn}A` : "") + lines.map((l) => `\x1b[2K${cut(l)}\n`).join(""));
      this.drawn = lines.length;
      return;
    }
    for (const r of b.runs) {
      if (this.seen.get(r.name) === r.status) continue;
      this.seen.set(r.name, r.status);
      out.write(`  ${r.name}: ${statusName(r.status)}${r.statusMessage ? ` (${r.statusMessage})` : ""}\n`);
    }
    if (done) out.write(`build ${project}#${number}: ${statusName(b.status)}\n`);
  }
}

/** Watches the build until it is complete, rendering progress to `out`; returns the final build (with its runs). */
export async function followBuild(builds: Client<typeof BuildService>, project: string, number: number, out: FollowOutput): Promise<Build> {
  const view = new Renderer(project, number, out);
  let build: Build | undefined;
  for (let ended = 0; ended < REOPENS; ended++) {
    if (ended > 0) await new Promise((resolve) => setTimeout(resolve, ended * REOPEN_MS));
    const abort = new AbortController();
    const messages = builds.watchBuild({ project, number }, { signal: abort.signal })[Symbol.asyncIterator]();
    let next = messages.next();
    try {
      for (;;) {
        const got = await endOnUnavailable(out.tty ? Promise.race([next, tick(REDRAW_MS)]) : next);
        if (got === "tick") { if (build) view.render(build, false); continue; }
        if (got.done) break;
        ended = -1;
        build = apply(build, got.value);
        next = messages.next();
        if (!build) continue;
        if (DONE.has(build.status)) {
          // The complete build as stored: every run's final state, for the last lines and --json.
          const final = (await builds.getBuild({ project, number })).build ?? build;
          view.render(final, true);
          return final;
        }
        if (got.value.event.case !== "ping") view.render(build, false);
      }
    } finally {
      next.catch(() => {}); // a read still pending fails once the call is cancelled: nobody waits for it
      abort.abort();
    }
  }
  throw new Error(`the server ended the watch of build ${project}#${number} ${REOPENS} times without news`);
}

/** A stream broken off by a server shutting down or a cut connection counts as ended. */
async function endOnUnavailable<T>(read: Promise<T>): Promise<T | { done: true }> {
  try {
    return await read;
  } catch (e) {
    if (e instanceof ConnectError && (e.code === Code.Unavailable || e.code === Code.Aborted)) return { done: true };
    throw e;
  }
}

function tick(ms: number): Promise<"tick"> {
  return new Promise((resolve) => setTimeout(() => resolve("tick"), ms).unref());
}
