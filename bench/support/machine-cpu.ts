// The whole machine's CPU over a bench phase, from /proc/stat: how busy all
// cores were, so a note can show when the phase was bound by the machine (the
// server, the database and the bench's own load generator share its cores).
import { readFileSync } from "node:fs";
import { cpus } from "node:os";

export interface MachineSample { busy: number; total: number }

/** Jiffies busy and in all, summed over every core (the `cpu` line of /proc/stat). */
export function sampleMachine(): MachineSample | undefined {
  try {
    const line = readFileSync("/proc/stat", "utf8").split("\n", 1)[0]!;
    const [user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number) as number[];
    const busy = user! + nice! + system! + irq! + softirq! + steal!;
    return { busy, total: busy + idle! + iowait! };
  } catch {
    return undefined;
  }
}

/** "machine 93% busy of 2 cores", or "" where /proc/stat is not there. */
export function describeMachine(a: MachineSample | undefined, b: MachineSample | undefined): string {
  if (!a || !b || b.total <= a.total) return "";
  return `machine ${((100 * (b.busy - a.busy)) / (b.total - a.total)).toFixed(0)}% busy of ${cpus().length} cores`;
}
