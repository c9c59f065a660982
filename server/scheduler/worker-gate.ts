// Whether a worker takes new runs now, and if not why (pure): JobServ's
// preconditions on a check-in. Not enlisted; offline; free disk below the
// threshold (the worker's own, else the server's) as of its last report;
// surge-only with none of its host tags in surge. A worker that never
// reported free disk (no facts) is not held back by the disk guard.
import { hostTagMatches } from "./host-tag.js";

export interface GateFacts {
  name: string;
  enlisted: number;
  disk_free: number;
  disk_threshold: number;
  facts_at: number;
  surges_only: number;
}

export interface Gate {
  /** Empty: takes runs. */
  idle: string;
  /** For a surge-only worker: the host-tag patterns in surge it may take runs of. */
  surgeTags?: string[];
}

export interface GatePolicy {
  /** Bytes of free disk a worker needs (when it sets no threshold of its own). */
  diskMinFreeBytes: number;
}

export function workerGate(w: GateFacts, tags: readonly string[], surges: readonly string[], policy: GatePolicy, online = true): Gate {
  if (!w.enlisted) return { idle: "not enlisted" };
  if (!online) return { idle: "offline" };
  const needed = Number(w.disk_threshold) > 0 ? Number(w.disk_threshold) : policy.diskMinFreeBytes;
  if (Number(w.facts_at) > 0 && Number(w.disk_free) < needed) {
    return { idle: `low disk: ${gigabytes(Number(w.disk_free))} free, needs ${gigabytes(needed)}` };
  }
  if (!w.surges_only) return { idle: "" };
  const surgeTags = surges.filter((p) => hostTagMatches(p, { name: w.name, tags }));
  return surgeTags.length ? { idle: "", surgeTags } : { idle: "surges only: no surge for its host tags", surgeTags };
}

function gigabytes(bytes: number): string {
  return `${(bytes / 1e9).toFixed(1)} GB`;
}
