// Tells operators by email when a host tag's surge starts and ends (JobServ's
// "SURGE!!!" mail). A surge listener (scheduler/surge-monitor.ts) made from
// the email sender and the addresses of JOBSERV_SURGE_NOTIFY_EMAIL.
import type { EmailSender } from "./email-sender.js";

interface SurgeChange { hostTag: string; kind: "start" | "end"; queued: number; capacity: number; time: number }

export function surgeEmail(email: Pick<EmailSender, "send">, to: string[]): (e: SurgeChange) => Promise<void> {
  return async (e) => {
    const subject = e.kind === "start" ? `jobserv: SURGE started for host tag ${e.hostTag}` : `jobserv: surge ended for host tag ${e.hostTag}`;
    const text = e.kind === "start"
      ? `${e.queued} runs are queued for host tag "${e.hostTag}"; its regular workers take ${e.capacity}.\nSurge-only workers with this tag now take runs.\n`
      : `The surge for host tag "${e.hostTag}" ended (${e.queued} queued, regular capacity ${e.capacity}).\n`;
    await email.send(to, subject, `${text}Time: ${new Date(e.time).toISOString()}\n`);
  };
}
