// The whole machine's CPU over a bench phase, from /proc/stat: how busy all
// cores were, so a note can show when the phase was bound by the machine (the
// server, the database and the bench's own load generator share its cores);
// and one process's CPU, or every process's of one command name (dockerd),
// from /proc/<pid>/stat.
import { readdirSync, readFileSync } from "node:fs";
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

/** CPU-seconds the machine spent busy (all cores) between two samples; USER_HZ is 100 on Linux. */
export function busySeconds(a: MachineSample | undefined, b: MachineSample | undefined): number | undefined {
  return a && b ? (b.busy - a.busy) / 100 : undefined;
}

/** User + system CPU ms of process `pid` (undefined when it is gone or this is not Linux). */
export function processCpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    // utime and stime are fields 14 and 15 of /proc/<pid>/stat (11 and 12 after "pid (comm) ").
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return undefined;
  }
}

/** The summed CPU ms of the running processes named `comm` (e.g. "dockerd"); undefined when none runs. */
export function commandCpuMs(comm: string): number | undefined {
  let ms: number | undefined;
  try {
    for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
      try {
        if (readFileSync(`/proc/${pid}/comm`, "utf8").trim() === comm) ms = (ms ?? 0) + (processCpuMs(Number(pid)) ?? 0);
      } catch { /* gone */ }
    }
  } catch { /* not Linux */ }
  return ms;
}
