// Who hears about a completed build (pure): the build's trigger's `email` and
// `webhooks`, else the project's; `only_failures` entries only for failures.
import { Status } from "../../gen/jobserv/v1/status_pb.js";
import type { EmailSpec, ProjectDefinition, WebhookSpec } from "../projects/schema.js";

export interface NotificationTargets {
  email: EmailSpec | undefined;
  webhooks: WebhookSpec[];
}

export function notificationTargets(def: ProjectDefinition, triggerName: string, status: Status): NotificationTargets {
  const trigger = def.triggers.find((t) => t.name === triggerName);
  const failed = status !== Status.PASSED;
  const email = trigger?.email ?? def.email;
  const webhooks = trigger && trigger.webhooks.length > 0 ? trigger.webhooks : def.webhooks;
  return {
    email: email && (!email.onlyFailures || failed) ? email : undefined,
    webhooks: webhooks.filter((w) => !w.onlyFailures || failed),
  };
}

/** `users` of an email spec: addresses separated by commas or spaces. */
export function recipients(email: EmailSpec): string[] {
  return email.users.split(/[\s,]+/).filter((u) => u);
}
