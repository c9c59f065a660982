// Reports the worker's changing facts (free disk, free memory, load) every
// `factsMs` (ReportFacts), so the server's disk guard acts on a fresh value
// rather than on the last registration's. Failures are retried on the next
// tick; the Pull loop's registration reports them too.
import type { Client } from "@connectrpc/connect";
import type { WorkerService } from "../../gen/jobserv/v1/worker_pb.js";
import type { WorkerConfig } from "../config.js";
import { hostFacts } from "../facts.js";

export function startFactsReporter(client: Client<typeof WorkerService>, config: WorkerConfig, stop: AbortSignal): void {
  if (config.factsMs <= 0) return;
  const timer = setInterval(() => {
    client.reportFacts({ facts: hostFacts(config.workDir, config.diskMinFreeBytes) }, { signal: stop }).catch(() => { /* next tick */ });
  }, config.factsMs);
  timer.unref();
  stop.addEventListener("abort", () => clearInterval(timer), { once: true });
}
