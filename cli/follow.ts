// Following a build until it completes. On a terminal the build and its runs
// are redrawn in place (ANSI cursor-up + erase-line) each poll; otherwise each
// run status change is printed once as a plain line, for logs and pipes.
import type { Client } from "@connectrpc/connect";
import type { Build, BuildService } from "../gen/jobserv/v1/build_pb.js";
import { Status } from "../gen/jobserv/v1/status_pb.js";
import { formatDuration, statusName } from "./output.js";

const DONE = new Set([Status.PASSED, Status.FAILED, Status.PROMOTED]);
const POLL_MS = 300;

export interface FollowOutput {
  write(text: string): void;
  /** Redraw in place (a terminal) or print changes as lines. */
  tty: boolean;
  /** Terminal width; longer lines are cut so redrawing stays aligned. */
  columns: number;
}

/** Polls the build until it is complete, rendering progress to `out`; returns the final build. */
export async function followBuild(builds: Client<typeof BuildService>, project: string, number: number, out: FollowOutput): Promise<Build> {
  const seen = new Map<string, Status>();
  let drawn = 0;
  for (;;) {
    const { build } = await builds.getBuild({ project, number });
    const b = build!;
    const done = DONE.has(b.status);
    if (out.tty) {
      const width = Math.max(...b.runs.map((r) => r.name.length), 3);
      const lines = [`build ${project}#${number}: ${statusName(b.status)}`, ...b.runs.map((r) =>
        `  ${r.name.padEnd(width)}  ${statusName(r.status).padEnd(10)}  ${formatDuration(r.startTime, r.completeTime).padEnd(7)}  ${r.workerName}${r.statusMessage ? ` (${r.statusMessage})` : ""}`.trimEnd())];
      const cut = (l: string) => (l.length >= out.columns ? l.slice(0, Math.max(1, out.columns - 1)) : l);
      out.write((drawn ? `\x1b[${drawn}A` : "") + lines.map((l) => `\x1b[2K${cut(l)}\n`).join(""));
      drawn = lines.length;
    } else {
      for (const r of b.runs) {
        if (seen.get(r.name) === r.status) continue;
        seen.set(r.name, r.status);
        out.write(`  ${r.name}: ${statusName(r.status)}${r.statusMessage ? ` (${r.statusMessage})` : ""}\n`);
      }
      if (done) out.write(`build ${project}#${number}: ${statusName(b.status)}\n`);
    }
    if (done) return b;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
