// Repository functions for workers.
import type { Kysely } from "kysely";
import type { Database, WorkerRow } from "./database.js";

export function findWorker(db: Kysely<Database>, name: string): Promise<WorkerRow | undefined> {
  return db.selectFrom("workers").selectAll().where("name", "=", name).executeTakeFirst();
}

export async function insertWorker(db: Kysely<Database>, row: Omit<WorkerRow, "allowed_host_tags">): Promise<void> {
  await db.insertInto("workers").values(row).execute();
}

export async function updateWorkerFacts(db: Kysely<Database>, name: string, facts: Partial<Omit<WorkerRow, "name" | "token_hash" | "created_at">>): Promise<void> {
  await db.updateTable("workers").set(facts).where("name", "=", name).execute();
}

