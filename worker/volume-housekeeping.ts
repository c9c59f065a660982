// The worker's housekeeping of persistent volumes: every `volumeGcMs`, volumes
// unused for `volumeMaxAgeMs` are removed (never those of runs in progress),
// and Docker volumes no container uses are pruned, as JobServ's worker does.
import path from "node:path";
import type { WorkerConfig } from "./config.js";
import type { Executor } from "./executor/executor.js";
import { collectVolumes } from "./runner/volume-gc.js";

export function startVolumeHousekeeping(config: WorkerConfig, executor: Executor, inUse: () => { project: string; volumes: string[] }[],
  log: (line: string) => void, stop: AbortSignal): void {
  if (config.volumeMaxAgeMs <= 0 || config.volumeGcMs <= 0) return;
  const sweep = async () => {
    const busy = new Set(inUse().flatMap((r) => r.volumes.map((v) => path.join(config.volumesDir, r.project, v))));
    const removed = await collectVolumes(config.volumesDir, config.volumeMaxAgeMs, busy);
    if (removed.length) log(`removed persistent volumes unused for ${Math.round(config.volumeMaxAgeMs / 86_400_000)} days: ${removed.join(", ")}`);
    const pruned = await executor.pruneVolumes?.() ?? 0;
    if (pruned) log(`pruned ${pruned} unused Docker volumes`);
  };
  const timer = setInterval(() => { sweep().catch((e: unknown) => log(`volume housekeeping failed: ${(e as Error).message}`)); }, config.volumeGcMs);
  timer.unref();
  stop.addEventListener("abort", () => clearInterval(timer), { once: true });
}
