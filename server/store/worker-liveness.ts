// Repository functions for worker liveness: each instance's heartbeat row,
// and which instance holds a worker's Pull stream (`workers.held_by`). A
// worker is alive while its own `last_seen` or its holder's heartbeat is
// fresh: an instance renews one row however many idle streams it holds.
// Instances of the previous version read `last_seen` alone, so the workers
// held here that have active runs still get theirs renewed (one statement).
import type { Kysely } from "kysely";
import type { Database } from "./database.js";
import { ACTIVE_STATUSES } from "./runs.js";
import { chunksOf } from "./workers.js";

/** How long a stopped instance's row is kept (the workers it held are long silent by then). */
const INSTANCES_KEPT_MS = 24 * 3600_000;

/** Renews `instance`'s heartbeat at `now` (its row made on the first), and forgets instances silent for a day. */
export async function beatInstance(db: Kysely<Database>, instance: string, now: number): Promise<void> {
  const res = await db.updateTable("instances").set({ heartbeat_at: now }).where("id", "=", instance).executeTakeFirst();
  if (Number(res.numUpdatedRows) === 0) {
    await db.deleteFrom("instances").where("heartbeat_at", "<", now - INSTANCES_KEPT_MS).execute();
    await db.insertInto("instances").values({ id: instance, heartbeat_at: now }).execute();
  }
}

/** Marks the named workers as held by `instance` (their streams opened there), seen at `now`. */
export async function holdWorkers(db: Kysely<Database>, names: readonly string[], instance: string, now: number): Promise<void> {
  for (const some of chunksOf(names)) {
    await db.updateTable("workers").set({ held_by: instance, last_seen: now }).where("name", "in", some).execute();
  }
}

/** The named workers' streams closed on `instance`: no longer held there (unless another took them meanwhile), seen at `now`. */
export async function releaseWorkers(db: Kysely<Database>, names: readonly string[], instance: string, now: number): Promise<void> {
  for (const some of chunksOf(names)) {
    await db.updateTable("workers").set({ held_by: null, last_seen: now }).where("name", "in", some).where("held_by", "=", instance).execute();
  }
}

/**
 * Renews `last_seen` of the workers `instance` holds that have active runs
 * and were last seen before `dueBefore`: for instances of the previous
 * version, whose lease sweeps read `last_seen` alone. Returns how many.
 */
export async function renewBusyWorkers(db: Kysely<Database>, instance: string, dueBefore: number, now: number): Promise<number> {
  const res = await db.updateTable("workers").set({ last_seen: now })
    .where("held_by", "=", instance).where("last_seen", "<", dueBefore)
    .where("name", "in", (eb) => eb.selectFrom("runs").select("worker_name")
      .where("status", "in", ACTIVE_STATUSES).where("worker_done", "=", 0).where("worker_name", "is not", null).$narrowType<{ worker_name: string }>())
    .executeTakeFirst();
  return Number(res.numUpdatedRows);
}

/** When the named workers were last heard from: their own `last_seen` or their holder's heartbeat, whichever is later. */
export async function lastContacts(db: Kysely<Database>, names: readonly string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const some of chunksOf(names)) {
    const rows = await db.selectFrom("workers").leftJoin("instances", "instances.id", "workers.held_by")
      .select(["workers.name", "workers.last_seen", "instances.heartbeat_at"]).where("workers.name", "in", some).execute();
    for (const r of rows) out.set(r.name, contactOf(r.last_seen, r.heartbeat_at));
  }
  return out;
}

/** A worker's last contact from its row's `last_seen` and its holder's heartbeat (null: held by none, or by an instance forgotten). */
export function contactOf(lastSeen: number | string, heartbeatAt: number | string | null): number {
  return Math.max(Number(lastSeen), heartbeatAt === null ? 0 : Number(heartbeatAt));
}
