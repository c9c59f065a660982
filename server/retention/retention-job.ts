// The retention job: every instance runs the loop, exactly one at a time
// applies the policies (the holder of the "retention" lease in the store,
// as the git poller does), every `intervalMs`.
import { randomUUID } from "node:crypto";
import type { Logger } from "../logger.js";
import { acquireLease, releaseLease } from "../store/forges.js";
import { pruneBuilds, type PruneDeps } from "./prune.js";

const LEASE = "retention";

export class RetentionJob {
  private readonly holder = randomUUID();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly deps: PruneDeps, private readonly config: { intervalMs: number; log: Logger }) {}

  start(): void {
    const loop = () => {
      this.running = this.tick().then(() => {}, (e: unknown) => this.config.log.error({ err: e }, "retention pass failed")).finally(() => {
        if (!this.stopped) this.timer = setTimeout(loop, this.config.intervalMs);
      });
    };
    this.timer = setTimeout(loop, this.config.intervalMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    await releaseLease(this.deps.store.db, LEASE, this.holder).catch(() => {});
  }

  /** One pass, if this instance holds the lease; the builds it deleted (none when another instance holds it). */
  async tick(): Promise<number> {
    // The lease outlives a pass comfortably; a holder that died frees it within that time.
    if (!await acquireLease(this.deps.store.db, LEASE, this.holder, this.deps.now(), Math.max(60_000, 3 * this.config.intervalMs))) return 0;
    const pruned = await pruneBuilds(this.deps, { dryRun: false });
    if (pruned.length) this.config.log.info({ builds: pruned.map((b) => `${b.project}#${b.number}`) }, "retention: builds deleted");
    return pruned.length;
  }
}
