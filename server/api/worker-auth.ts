// Authenticates worker calls: headers `jobserv-worker: <name>` and
// `authorization: Bearer <worker token>`, checked against the stored hash.
// Verified identities are cached briefly so that AppendLog stays cheap; the
// expired are swept out (thousands of idle workers each leave one behind when
// they open their Pull stream) by one unref'd timer that runs only while the
// cache holds entries.
import { tokenMatches } from "../auth/tokens.js";
import { UnauthenticatedError } from "../errors.js";
import type { Store } from "../store/db.js";
import type { WorkerRow } from "../store/database.js";
import { findWorker } from "../store/workers.js";

const CACHE_MS = 5_000;

/** What authentication reads of a call: its request headers (a Connect handler context is one). */
export interface RequestHeaders {
  readonly requestHeader: { get(name: string): string | null };
}

export class WorkerAuth {
  private readonly cache = new Map<string, { row: WorkerRow; token: string; until: number }>();
  private sweeper: NodeJS.Timeout | undefined;

  constructor(private readonly store: Store) {}

  async authenticate(ctx: RequestHeaders): Promise<WorkerRow> {
    const name = ctx.requestHeader.get("jobserv-worker") ?? "";
    const auth = ctx.requestHeader.get("authorization") ?? "";
    const token = auth.startsWith("Bearer ") ? auth.slice(7) : "";
    if (!name || !token) throw new UnauthenticatedError("worker calls need the jobserv-worker and authorization: Bearer headers");
    const hit = this.cache.get(name);
    if (hit && hit.token === token && hit.until > Date.now()) return hit.row;
    const row = await findWorker(this.store.db, name);
    if (!row || !tokenMatches(token, row.token_hash)) throw new UnauthenticatedError(`worker "${name}": unknown worker or wrong token`);
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(name, { row, token, until: Date.now() + CACHE_MS });
    this.sweeper ??= setTimeout(() => this.sweep(), CACHE_MS).unref();
    return row;
  }

  private sweep(): void {
    const now = Date.now();
    for (const [name, hit] of this.cache) if (hit.until <= now) this.cache.delete(name);
    this.sweeper = this.cache.size ? setTimeout(() => this.sweep(), CACHE_MS).unref() : undefined;
  }

  forget(name: string): void {
    this.cache.delete(name);
  }
}
