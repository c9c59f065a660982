// Waiting for the store at start: a database that is not up yet (a fresh
// cluster, a failover) is retried with capped exponential back-off and one
// log line, instead of a stack trace and an exit. Passwords never reach logs.
import { sql } from "kysely";
import { retry } from "../../common/retry.js";
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
  const capMs = opts.capMs ?? 10_000;
  try {
    await retry(async (attempt) => {
      await sql`select 1`.execute(store.db);
      if (attempt > 1) log.info({ store: redactStoreUrl(url), waitedMs: Date.now() - start, attempts: attempt }, "store reachable");
    }, {
      baseMs: opts.firstMs ?? 250, capMs, jitter: false, maxElapsedMs: opts.maxMs > 0 ? opts.maxMs : Infinity,
      onRetry: (e, attempt) => {
        if (attempt === 1) log.warn({ store: redactStoreUrl(url), reason: describe(e) }, `store unreachable (${describe(e)}); waiting for it, retrying with back-off up to ${capMs / 1000} s`);
      },
    });
  } catch (e) {
    throw new Error(`store ${redactStoreUrl(url)} unreachable for ${Math.round((Date.now() - start) / 1000)} s (${describe(e)}); giving up (JOBSERV_STORE_WAIT_MS)`);
  }
}

function describe(e: unknown): string {
  const err = e as { code?: string; message?: string; errors?: { code?: string }[] };
  return err.code ?? err.errors?.[0]?.code ?? err.message ?? String(e);
}
