// Waiting for the store at start: a database that is not up yet (a fresh
// cluster, a failover) is retried with capped exponential back-off and one
// log line, instead of a stack trace and an exit. Passwords never reach logs.
import { sql } from "kysely";
import type { Logger } from "../logger.js";
import type { Store } from "./db.js";

export interface StoreWaitOptions {
  /** Give up after this long (0: never). */
  maxMs: number;
  /** First retry delay (doubles up to `capMs`). */
  firstMs?: number;
  capMs?: number;
}

/** The store URL for logs: the password replaced by `***`. */
export function redactStoreUrl(url: string): string {
  return url.replace(/^(mysql:\/\/[^:/@]*:)[^@]*@/, "$1***@");
}

/**
 * Resolves once the store answers a query. Logs one warning when it first
 * does not (and one info line when it does after all); rejects with an Error
 * naming the store and the last failure once `maxMs` has passed.
 */
export async function waitForStore(store: Store, url: string, log: Pick<Logger, "warn" | "info">, opts: StoreWaitOptions): Promise<void> {
  const start = Date.now();
  let delay = opts.firstMs ?? 250;
  for (let attempt = 1; ; attempt++) {
    try {
      await sql`select 1`.execute(store.db);
      if (attempt > 1) log.info({ store: redactStoreUrl(url), waitedMs: Date.now() - start, attempts: attempt }, "store reachable");
      return;
    } catch (e) {
      const reason = describe(e);
      if (opts.maxMs > 0 && Date.now() - start + delay > opts.maxMs) {
        throw new Error(`store ${redactStoreUrl(url)} unreachable for ${Math.round((Date.now() - start) / 1000)} s (${reason}); giving up (JOBSERV_STORE_WAIT_MS)`);
      }
      if (attempt === 1) {
        log.warn({ store: redactStoreUrl(url), reason }, `store unreachable (${reason}); waiting for it, retrying with back-off up to ${(opts.capMs ?? 10_000) / 1000} s`);
      }
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, opts.capMs ?? 10_000);
    }
  }
}

function describe(e: unknown): string {
  const err = e as { code?: string; message?: string; errors?: { code?: string }[] };
  return err.code ?? err.errors?.[0]?.code ?? err.message ?? String(e);
}
