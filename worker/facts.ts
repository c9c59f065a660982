// What the worker reports about its host when it registers (WorkerFacts):
// distro (PRETTY_NAME from /etc/os-release), cpu model and count, total memory, version,
// and the changing ones: free disk (where the worker keeps its files), free memory, load.
import { readFileSync, statfsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { WorkerFactsSchema } from "../gen/jobserv/v1/worker_pb.js";

export const WORKER_VERSION = "jobserv-ts/0.1";

/** `diskMinFreeBytes`: the worker's own free-disk threshold (0: the server's). */
export function hostFacts(workDir: string, diskMinFreeBytes = 0, osRelease = "/etc/os-release"): MessageInitShape<typeof WorkerFactsSchema> {
  const cpus = os.cpus();
  return {
    distro: prettyName(osRelease) || `${os.type()} ${os.release()}`,
    cpuType: cpus[0]?.model.trim() ?? "",
    cpuTotal: cpus.length || os.availableParallelism(),
    memTotalBytes: BigInt(os.totalmem()),
    version: WORKER_VERSION,
    diskFreeBytes: diskFree(workDir),
    memFreeBytes: BigInt(os.freemem()),
    loadAvg1m: os.loadavg()[0] ?? 0,
    diskMinFreeBytes: BigInt(Math.max(0, Math.floor(diskMinFreeBytes))),
  };
}

/** Bytes available to unprivileged users on the filesystem of `dir` (or its nearest existing parent); 0 if unknown. */
export function diskFree(dir: string): bigint {
  for (let d = dir; ; d = path.dirname(d)) {
    try {
      const s = statfsSync(d, { bigint: true });
      return s.bavail * s.bsize;
    } catch {
      if (path.dirname(d) === d) return 0n;
    }
  }
}

/** PRETTY_NAME from an os-release file (quotes removed), or "" if there is none. */
export function prettyName(file: string): string {
  let text: string;
  try { text = readFileSync(file, "utf8"); } catch { return ""; }
  const m = /^PRETTY_NAME=(.*)$/m.exec(text);
  if (!m) return "";
  const v = m[1]!.trim();
  return /^(["']).*\1$/.test(v) ? v.slice(1, -1).replace(/\\(["$`\\])/g, "$1") : v;
}
