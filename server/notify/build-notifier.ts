// Build-complete notifications: on a committed build status change to PASSED
// or FAILED (a lifecycle event, published once, on the instance that made
// it), sends the email and signed webhooks the definition asks for. Failures
// are retried and logged, never affecting the build.
import { Status } from "../../gen/jobserv/v1/status_pb.js";
import type { BuildLifecycleEvent, LifecycleEvent, LifecycleListener } from "../builds/lifecycle-events.js";
import type { DefinitionCache } from "../projects/definition-cache.js";
import type { SecretCipher } from "../secrets/cipher.js";
import type { Store } from "../store/db.js";
import { findTriggerRow } from "../store/projects.js";
import { notificationSource } from "../store/reports.js";
import { emailText, loadBuildSummary } from "./build-summary.js";
import type { EmailSender } from "./email-sender.js";
import { notificationTargets, recipients } from "./targets.js";
import { sendSignedWebhook } from "./webhook-sender.js";
import type { Logger } from "../logger.js";

export interface BuildNotifierConfig {
  store: Store;
  cipher: SecretCipher;
  email: EmailSender;
  publicUrl: () => string;
  retryMs: number;
  log: Logger;
  /** Parsed definitions by content (the lifecycle's), so a notification does not parse again. */
  definitions: DefinitionCache;
}

export class BuildNotifier implements LifecycleListener {
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly c: BuildNotifierConfig) {}

  onLifecycleEvent(e: LifecycleEvent): Promise<void> | undefined {
    if (e.kind !== "build" || (e.status !== Status.PASSED && e.status !== Status.FAILED)) return undefined;
    const p = this.notify(e).catch((err: unknown) => this.c.log.error({ buildId: e.buildId, err }, "build notifications failed"));
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
    return p;
  }

  async idle(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  private async notify(e: BuildLifecycleEvent): Promise<void> {
    const { store, cipher } = this.c;
    const row = await notificationSource(store.db, e.buildId);
    if (!row) return;
    const targets = notificationTargets(await this.c.definitions.parse(row.definition_yaml), row.trigger_name, e.status);
    if (!targets.email && targets.webhooks.length === 0) return;
    const summary = await loadBuildSummary(store, e.buildId, this.c.publicUrl());
    if (!summary) return;
    const secretsRow = await findTriggerRow(store.db, row.projectId, row.trigger_name);
    const secrets = cipher.openMap(secretsRow?.secrets_enc ?? "");
    const sends: Promise<void>[] = [];
    for (const hook of targets.webhooks) {
      const secret = secrets[hook.secretName];
      if (!secret) {
        this.c.log.warn({ buildId: e.buildId, url: hook.url, trigger: row.trigger_name, secret: hook.secretName }, "build webhook skipped: the trigger has no such secret");
        continue;
      }
      sends.push(sendSignedWebhook(hook.url, secret, summary, this.c.retryMs, this.c.log));
    }
    if (targets.email && this.c.email.enabled) {
      const { subject, text } = emailText(summary);
      sends.push(this.c.email.send(recipients(targets.email), subject, text));
    }
    const results = await Promise.allSettled(sends);
    for (const r of results) if (r.status === "rejected") this.c.log.error({ buildId: e.buildId, err: r.reason }, "build notification failed");
  }
}
