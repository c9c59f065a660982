// Repository functions of the forge gateway: delivery de-duplication, the git
// poller's last-seen ref SHAs (compare-and-set), and named leases.
import type { Kysely } from "kysely";
import type { Database } from "./database.js";

/**
 * Records a delivery; false when it was recorded before (by this or another
 * instance). The primary key decides, so two racing deliveries get one `true`.
 */
export async function recordDelivery(db: Kysely<Database>, key: string, projectId: number, now: number): Promise<boolean> {
  try {
    await db.insertInto("webhook_deliveries").values({ delivery_key: key, project_id: projectId, created_at: now }).execute();
    return true;
  } catch (e) {
    const seen = await db.selectFrom("webhook_deliveries").select("delivery_key").where("delivery_key", "=", key).executeTakeFirst();
    if (seen) return false;
    throw e;
  }
}

/** Forgets a delivery whose handling failed, so the forge's redelivery is handled. */
export async function forgetDelivery(db: Kysely<Database>, key: string): Promise<void> {
  await db.deleteFrom("webhook_deliveries").where("delivery_key", "=", key).execute();
}

export interface PolledRef {
  projectId: number;
  refKey: string;
  triggerName: string;
  url: string;
  ref: string;
}

export async function lastSeenSha(db: Kysely<Database>, r: PolledRef): Promise<string | undefined> {
  const row = await db.selectFrom("poller_refs").select("sha").where("project_id", "=", r.projectId).where("ref_key", "=", r.refKey).executeTakeFirst();
  return row?.sha;
}

/**
 * Moves a ref's last-seen SHA from `from` (undefined: first sighting) to `to`.
 * True for exactly one of any number of concurrent callers with the same
 * `from`; the winner alone acts on the change.
 */
export async function advanceRef(db: Kysely<Database>, r: PolledRef, from: string | undefined, to: string, now: number): Promise<boolean> {
  if (from === undefined) {
    try {
      await db.insertInto("poller_refs").values({
        project_id: r.projectId, ref_key: r.refKey, trigger_name: r.triggerName, url: r.url, ref: r.ref, sha: to, updated_at: now,
      }).execute();
      return true;
    } catch {
      return false; // another instance recorded it first
    }
  }
  const res = await db.updateTable("poller_refs").set({ sha: to, updated_at: now })
    .where("project_id", "=", r.projectId).where("ref_key", "=", r.refKey).where("sha", "=", from).executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/**
 * Takes or renews the lease `name` for `holder` until `now + ttlMs`. True when
 * `holder` has it: it was free, expired, or already held by `holder`.
 */
export async function acquireLease(db: Kysely<Database>, name: string, holder: string, now: number, ttlMs: number): Promise<boolean> {
  const res = await db.updateTable("named_leases").set({ holder, expires_at: now + ttlMs })
    .where("name", "=", name)
    .where((eb) => eb.or([eb("holder", "=", holder), eb("expires_at", "<", now)]))
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) === 1) return true;
  try {
    await db.insertInto("named_leases").values({ name, holder, expires_at: now + ttlMs }).execute();
    return true;
  } catch {
    return false; // the row exists and someone else holds it
  }
}

/** Gives the lease up at once (clean shutdown), if `holder` has it. */
export async function releaseLease(db: Kysely<Database>, name: string, holder: string): Promise<void> {
  await db.deleteFrom("named_leases").where("name", "=", name).where("holder", "=", holder).execute();
}
