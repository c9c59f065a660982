// Build emails over SMTP with nodemailer (STARTTLS when the server offers
// it, authentication from the URL), retried like JobServ (3 attempts).
import nodemailer from "nodemailer";
import { withRetries } from "../forges/retry.js";
import type { Logger } from "../logger.js";

export interface EmailConfig {
  /** smtp://user:pass@host:587 or smtps://...; "" disables email. */
  smtpUrl: string;
  from: string;
  retryMs: number;
  log: Logger;
}

export class EmailSender {
  private readonly transport;

  constructor(private readonly config: EmailConfig) {
    this.transport = config.smtpUrl ? nodemailer.createTransport(config.smtpUrl) : undefined;
  }

  get enabled(): boolean {
    return this.transport !== undefined;
  }

  async send(to: string[], subject: string, text: string): Promise<void> {
    const transport = this.transport;
    if (!transport) return;
    await withRetries(() => transport.sendMail({ from: this.config.from, to, subject, text }),
      { attempts: 3, baseMs: this.config.retryMs, what: `email "${subject}"`, log: this.config.log });
  }

  close(): void {
    this.transport?.close();
  }
}
