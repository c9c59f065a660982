// Store migrations for operators: which are applied, pending, or unknown to
// this version (a newer version migrated the store: during a rolling upgrade
// older instances keep running on the additive schema), and applying the
// pending ones. Names sort by date but branches land in any order, so a
// migration older by name than the newest applied one still runs.
import type { Kysely } from "kysely";
import { Migrator } from "kysely/migration";
import type { Database } from "./database.js";
import { migrations } from "./migrations/index.js";

export interface MigrationState {
  applied: string[];
  /** Known to this version, not applied yet. */
  pending: string[];
  /** Applied by a newer version; this one runs with them as long as they are additive. */
  unknown: string[];
}

const TABLE = "kysely_migration";

export async function migrationState(db: Kysely<Database>): Promise<MigrationState> {
  let applied: string[];
  try {
    const rows = await (db as unknown as Kysely<Record<typeof TABLE, { name: string }>>).selectFrom(TABLE).select("name").orderBy("name").execute();
    applied = rows.map((r) => r.name);
  } catch (e) {
    if (!isMissingTable(e)) throw e;
    applied = [];
  }
  const known = Object.keys(migrations).sort();
  return { applied, pending: known.filter((m) => !applied.includes(m)), unknown: applied.filter((m) => !(m in migrations)) };
}

/**
 * Applies the pending migrations (under the migrator's lock, so concurrent
 * starters apply each once) and returns their names. With migrations unknown
 * to this version present, none are applied: Kysely refuses a store whose
 * history it cannot place, and an older binary must not change a newer schema.
 */
export async function applyMigrations(db: Kysely<Database>): Promise<string[]> {
  const state = await migrationState(db);
  if (state.pending.length === 0) return [];
  if (state.unknown.length > 0) {
    throw new Error(`the store was migrated by a newer version (${state.unknown.join(", ")}) and lacks ${state.pending.join(", ")} of this one: run this version's migrations with the newer version's code, or upgrade`);
  }
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations }, allowUnorderedMigrations: true });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === "Error");
  if (error || failed) throw new Error(`store migration ${failed?.migrationName ?? ""} failed: ${String(error)}`, { cause: error });
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}

function isMissingTable(e: unknown): boolean {
  const { code, message } = e as { code?: string; message?: string };
  return code === "ER_NO_SUCH_TABLE" || /no such table/.test(message ?? "");
}

/**
 * What a starting server does with the schema: "auto" applies pending
 * migrations; "off" (operators run `jobserv migrate` as a separate step)
 * refuses to start while any are pending. Either way a newer schema is used
 * as it is, and said so once.
 */
export async function prepareSchema(db: Kysely<Database>, mode: "auto" | "off", log: { info(o: object, msg: string): void }): Promise<void> {
  const state = await migrationState(db);
  if (state.pending.length > 0 && mode === "off") {
    throw new Error(`the store lacks ${state.pending.length} migration(s) of this version (${state.pending.join(", ")}): run \`jobserv migrate\` first (JOBSERV_MIGRATE=off)`);
  }
  const applied = await applyMigrations(db);
  if (applied.length) log.info({ migrations: applied }, "store migrated");
  if (state.unknown.length) log.info({ migrations: state.unknown }, "the store was migrated by a newer version; running on its (additive) schema");
}
