// Outbound commit statuses: listens to the run lifecycle's run events and
// reports each to the forge of its build. Reports of one run are sent in
// order (a retried `pending` never lands after `success`); failures are
// retried with back-off and logged, and never touch the run.
import { Status } from "../../gen/jobserv/v1/status_pb.js";
import type { LifecycleEvent, LifecycleListener, RunLifecycleEvent } from "../builds/lifecycle-events.js";
import type { SecretCipher } from "../secrets/cipher.js";
import type { Store } from "../store/db.js";
import { commitStatusSource } from "../store/reports.js";
import { send } from "./api-request.js";
import { HttpStatusError, isClientError, withRetries } from "./retry.js";
import { runStatusRequest } from "./status-request.js";
import type { Logger } from "../logger.js";

export interface CommitStatusConfig {
  store: Store;
  cipher: SecretCipher;
  githubApi: string;
  publicUrl: () => string;
  retryMs: number;
  attempts: number;
  log: Logger;
}

export class CommitStatusReporter implements LifecycleListener {
  private readonly chains = new Map<number, Promise<void>>();

  constructor(private readonly c: CommitStatusConfig) {}

  onLifecycleEvent(e: LifecycleEvent): Promise<void> | undefined {
    // Most runs are not from forge triggers: the event says so without a read.
    if (e.kind !== "run" || (e.triggerType !== "github_pr" && e.triggerType !== "gitlab_mr")) return undefined;
    return this.onRun(e);
  }

  /** Queues the report of one run event behind earlier reports of the same run. */
  private onRun(e: RunLifecycleEvent): Promise<void> {
    const prev = this.chains.get(e.runId) ?? Promise.resolve();
    const next = prev.then(() => this.report(e)).catch((err: unknown) => this.c.log.error({ runId: e.runId, err }, "commit status failed"));
    this.chains.set(e.runId, next);
    void next.then(() => { if (this.chains.get(e.runId) === next) this.chains.delete(e.runId); });
    return next;
  }

  /** Resolves when every queued report finished (for a clean shutdown). */
  async idle(): Promise<void> {
    await Promise.all([...this.chains.values()]);
  }

  private async report(e: RunLifecycleEvent): Promise<void> {
    const row = await commitStatusSource(this.c.store.db, e.runId);
    if (!row) return;
    const triggerType = String((JSON.parse(row.definition_json) as { triggerType?: string }).triggerType ?? "");
    if (triggerType !== "github_pr" && triggerType !== "gitlab_mr") return;
    const req = runStatusRequest({
      triggerType, params: JSON.parse(row.params_json) as Record<string, string>, secrets: this.c.cipher.openMap(row.secrets_enc),
      project: row.project, buildNumber: row.number, runName: row.run, status: e.status, publicUrl: this.c.publicUrl(), githubApi: this.c.githubApi,
    });
    if (!req) return;
    const what = `commit status ${Status[e.status]} of ${row.project}#${row.number}/${row.run}`;
    await withRetries(async () => {
      try {
        await send(req, what);
      } catch (err) {
        // GitLab refuses a repeated state ("Cannot transition status via :run from :running"): already reported.
        if (err instanceof HttpStatusError && err.status === 400 && err.body.includes("Cannot transition status")) return;
        throw err;
      }
    }, { attempts: this.c.attempts, baseMs: this.c.retryMs, what, permanent: isClientError, log: this.c.log });
  }
}
