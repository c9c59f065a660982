// Keeps a Pull stream open: registers, opens the stream, hands every message
// to `onMessage`, and on any error reopens it with jittered back-off, except
// a refused registration, which ends the loop with what to fix. The
// stream is also recycled every few minutes so load spreads over instances and
// the worker's changing facts are registered again.
import path from "node:path";
import { Code, ConnectError, type Client } from "@connectrpc/connect";
import { retryDelayMs } from "../../common/retry.js";
import { sleep } from "../../common/sleep.js";
import type { PullResponse, WorkerService } from "../../gen/jobserv/v1/worker_pb.js";
import type { WorkerConfig } from "../config.js";
import { hostFacts } from "../facts.js";

export interface PullLoopDeps {
  client: Client<typeof WorkerService>;
  config: WorkerConfig;
  activeRunIds: () => bigint[];
  onMessage: (msg: PullResponse) => void;
  /** Called each time a stream is open (tests and logs use it). */
  onConnected?: () => void;
  log: (line: string) => void;
}

const RECYCLE_MS = 5 * 60_000;

/**
 * The server refused the registration itself (the name is registered with
 * another token, or the name or token is malformed): retrying cannot help, so
 * the loop stops and the message says what to change.
 */
export class RegistrationRefusedError extends Error {
  override name = "RegistrationRefusedError";
}

function refusal(e: unknown, config: WorkerConfig): RegistrationRefusedError | undefined {
  if (!(e instanceof ConnectError)) return undefined;
  if (e.code === Code.PermissionDenied) {
    return new RegistrationRefusedError(`the server refused worker "${config.name}": ${e.rawMessage}. This worker's token ` +
      `(${path.join(config.workDir, "token")}, or JOBSERV_WORKER_TOKEN) is not the one that name was registered with. ` +
      `Fix: give this worker another name (JOBSERV_WORKER_NAME), put back the token the name was registered with, ` +
      `or have an admin drop the old registration: jobserv workers delete ${config.name}`);
  }
  if (e.code === Code.InvalidArgument) return new RegistrationRefusedError(`the server refused worker "${config.name}": ${e.rawMessage}`);
  return undefined;
}

export async function runPullLoop(deps: PullLoopDeps, stop: AbortSignal): Promise<void> {
  const { client, config } = deps;
  let attempt = 0;
  let registered = false;
  let announcedRegistration = false;
  while (!stop.aborted) {
    const stream = new AbortController();
    const onStop = () => stream.abort();
    stop.addEventListener("abort", onStop, { once: true });
    // Recycling also re-registers: the server gets fresh facts (free disk, load).
    const recycle = setTimeout(() => { registered = false; stream.abort(); }, RECYCLE_MS * (0.75 + Math.random() * 0.5));
    try {
      if (!registered) {
        const res = await client.registerWorker({
          name: config.name, token: config.token, hostTags: config.hostTags, concurrency: config.concurrency,
          registrationSecret: config.registrationSecret, facts: hostFacts(config.workDir, config.diskMinFreeBytes), surgesOnly: config.surgesOnly,
        }, { signal: stream.signal }).catch((e: unknown) => { throw refusal(e, config) ?? e; });
        // Said once per process (recycling re-registers every few minutes): tests and operators wait on it.
        if (!announcedRegistration || !res.enlisted) deps.log(`worker ${config.name} registered${res.enlisted ? "" : "; waiting to be enlisted"}`);
        announcedRegistration = true;
        registered = true;
      }
      const messages = client.pull({ workerName: config.name, activeRunIds: deps.activeRunIds() }, { signal: stream.signal });
      let announced = false;
      for await (const msg of messages) {
        if (!announced) { announced = true; attempt = 0; }
        deps.onMessage(msg);
      }
      attempt = 0;
    } catch (e) {
      if (stop.aborted) break;
      if (e instanceof RegistrationRefusedError) throw e;
      if (!stream.signal.aborted) {
        const notEnlisted = e instanceof ConnectError && e.code === Code.PermissionDenied && /not enlisted/.test(e.rawMessage);
        // Log the first failures and then every power of two, not every retry.
        if (!notEnlisted && (attempt & (attempt - 1)) === 0) deps.log(`pull (attempt ${attempt + 1}): ${(e as Error).message}`);
        if (e instanceof ConnectError && e.code === Code.Unauthenticated) registered = false;
        await sleep(notEnlisted ? 5_000 : retryDelayMs(++attempt, { capMs: 5_000 }), stop);
      }
    } finally {
      clearTimeout(recycle);
      stop.removeEventListener("abort", onStop);
    }
  }
}
