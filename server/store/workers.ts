// Repository functions for workers: registration rows and what an admin set
// (enlisted, allowed host tags); liveness is in worker-liveness.ts. Every
// write that changes what a worker's open streams must follow stamps `changed_at` (a deletion leaves a
// row in worker_deletions), so lease sweeps re-read only what changed.
import type { Kysely } from "kysely";
import type { Insertable } from "kysely";
import type { Database, WorkerRow, WorkersTable } from "./database.js";

export function findWorker(db: Kysely<Database>, name: string): Promise<WorkerRow | undefined> {
  return db.selectFrom("workers").selectAll().where("name", "=", name).executeTakeFirst();
}

export async function insertWorker(db: Kysely<Database>, row: Insertable<WorkersTable>): Promise<void> {
  await db.insertInto("workers").values({ changed_at: row.created_at, ...row }).execute();
}

/** Updates a worker's reported facts at `at` (stamped as a change its streams follow). */
export async function updateWorkerFacts(db: Kysely<Database>, name: string, facts: Partial<Omit<WorkerRow, "name" | "token_hash" | "created_at" | "changed_at">>, at: number): Promise<void> {
  await db.updateTable("workers").set({ ...facts, changed_at: at }).where("name", "=", name).execute();
}

/** What a worker reports of itself between registrations (free disk, memory and load, its disk threshold), as of `facts_at`. */
export type ReportedFacts = Pick<WorkerRow, "disk_free" | "mem_free" | "load_avg" | "disk_threshold" | "facts_at">;

/**
 * A worker's report at `at`: seen then, its facts (if it sent any) stored,
 * and stamped as a change its streams follow only when the disk guard may
 * judge it otherwise: its first facts, a threshold of its own changed, or
 * free disk below the threshold before or after (`minFreeBytes` when it sets
 * none). A fleet reporting every 30 s would otherwise have every lease sweep
 * re-read a sixth of its rows.
 */
export async function reportWorkerFacts(db: Kysely<Database>, name: string, facts: ReportedFacts | undefined, at: number, minFreeBytes: number): Promise<void> {
  if (!facts) {
    await db.updateTable("workers").set({ last_seen: at }).where("name", "=", name).execute();
    return;
  }
  const needed = facts.disk_threshold > 0 ? facts.disk_threshold : minFreeBytes;
  await db.updateTable("workers").set((eb) => ({
    // First: MariaDB evaluates the assignments in order, each seeing the ones before it; this one reads the row as it was.
    changed_at: facts.disk_free < needed ? at
      : eb.case().when(eb.or([eb("facts_at", "=", 0), eb("disk_threshold", "!=", facts.disk_threshold), eb("disk_free", "<", needed)]))
        .then(at).else(eb.ref("changed_at")).end(),
    ...facts,
    last_seen: at,
  })).where("name", "=", name).execute();
}

/** Workers by name after `afterName`, at most `limit`. */
export function listWorkers(db: Kysely<Database>, afterName: string, limit: number): Promise<WorkerRow[]> {
  return db.selectFrom("workers").selectAll().where("name", ">", afterName).orderBy("name").limit(limit).execute();
}

/** Enlists or disables a worker; `allowedHostTags` (a JSON array) replaces its restriction when given. */
export async function setWorkerEnlisted(db: Kysely<Database>, name: string, enlisted: boolean, at: number, allowedHostTags?: string): Promise<void> {
  await db.updateTable("workers").set({ enlisted: enlisted ? 1 : 0, changed_at: at, ...(allowedHostTags === undefined ? {} : { allowed_host_tags: allowedHostTags }) })
    .where("name", "=", name).execute();
}

/** How long a deletion is remembered for other instances' sweeps (they look back a few seconds). */
const DELETIONS_KEPT_MS = 24 * 3600_000;

/** Deletes a worker at `at`, leaving a note of it for other instances' lease sweeps (and forgetting notes a day old). */
export async function deleteWorker(db: Kysely<Database>, name: string, at: number): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom("workers").where("name", "=", name).execute();
    await trx.deleteFrom("worker_deletions").where((eb) => eb.or([eb("name", "=", name), eb("deleted_at", "<", at - DELETIONS_KEPT_MS)])).execute();
    await trx.insertInto("worker_deletions").values({ name, deleted_at: at }).execute();
  });
}

/** Workers whose row changed, or that were deleted, at or after `since` (ms). */
export async function workersChangedSince(db: Kysely<Database>, since: number): Promise<string[]> {
  const [changed, deleted] = await Promise.all([
    db.selectFrom("workers").select("name").where("changed_at", ">=", since).execute(),
    db.selectFrom("worker_deletions").select("name").where("deleted_at", ">=", since).execute(),
  ]);
  return [...new Set([...changed, ...deleted].map((r) => r.name))];
}

/**
 * Names per `IN (...)` list: one placeholder each, and SQLite allows 32 766
 * per statement (MariaDB 65 535), while one instance may hold 50 000 streams.
 */
const NAMES_PER_STATEMENT = 10_000;

export function chunksOf(names: readonly string[]): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < names.length; i += NAMES_PER_STATEMENT) out.push(names.slice(i, i + NAMES_PER_STATEMENT));
  return out;
}

export type WorkerGrant = Pick<WorkerRow, "name" | "enlisted" | "host_tags" | "allowed_host_tags" | "disk_free" | "disk_threshold" | "facts_at" | "surges_only">;

/** What an admin currently allows the named workers, and what decides whether they take runs (missing: deleted). */
export async function workerGrants(db: Kysely<Database>, names: readonly string[]): Promise<WorkerGrant[]> {
  const out: WorkerGrant[] = [];
  for (const some of chunksOf(names)) {
    out.push(...await db.selectFrom("workers").select(["name", "enlisted", "host_tags", "allowed_host_tags", "disk_free", "disk_threshold", "facts_at", "surges_only"])
      .where("name", "in", some).execute());
  }
  return out;
}

/** The distinct host tags of registered workers, sorted (monitoring reports an empty queue for each). */
export async function workerHostTags(db: Kysely<Database>): Promise<string[]> {
  const rows = await db.selectFrom("workers").select("host_tags").execute();
  const tags = new Set<string>();
  for (const r of rows) for (const tag of JSON.parse(r.host_tags) as string[]) tags.add(tag);
  return [...tags].sort();
}
