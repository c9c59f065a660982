// Repository functions for projects and their trigger rows (names, types,
// encrypted secrets).
import type { Kysely } from "kysely";
import { compiledOnce } from "./compiled-once.js";
import type { Database, ProjectRow } from "./database.js";

export async function insertProject(db: Kysely<Database>, name: string, yaml: string, now: number, isPublic = false, synchronous = false): Promise<ProjectRow> {
  await db.insertInto("projects")
    .values({ name, definition_yaml: yaml, last_build_number: 0, public: isPublic ? 1 : 0, synchronous_builds: synchronous ? 1 : 0, created_at: now, updated_at: now })
    .execute();
  return (await findProjectByName(db, name))!;
}

export async function updateProjectDefinition(db: Kysely<Database>, id: number, yaml: string, now: number, isPublic?: boolean, synchronous?: boolean): Promise<void> {
  await db.updateTable("projects").set({
    definition_yaml: yaml, updated_at: now,
    ...(isPublic === undefined ? {} : { public: isPublic ? 1 : 0 }),
    ...(synchronous === undefined ? {} : { synchronous_builds: synchronous ? 1 : 0 }),
  })
    .where("id", "=", id).execute();
}

export function findProjectByName(db: Kysely<Database>, name: string): Promise<ProjectRow | undefined> {
  return db.selectFrom("projects").selectAll().where("name", "=", name).executeTakeFirst();
}

/** Projects by name after `afterName`, at most `limit`. */
export function listProjects(db: Kysely<Database>, afterName: string, limit: number): Promise<ProjectRow[]> {
  return db.selectFrom("projects").selectAll().where("name", ">", afterName).orderBy("name").limit(limit).execute();
}

export async function deleteProject(db: Kysely<Database>, id: number): Promise<void> {
  await db.deleteFrom("projects").where("id", "=", id).execute();
}

/** Makes the project's trigger rows match the definition's trigger names (keeps secrets of those that stay). */
export async function syncTriggers(db: Kysely<Database>, projectId: number, triggers: readonly { name: string; type: string; queuePriority: number }[]): Promise<void> {
  await db.updateTable("projects").set({ trigger_names: JSON.stringify(triggers.map((t) => t.name)) }).where("id", "=", projectId).execute();
  const existing = await db.selectFrom("project_triggers").select(["id", "name"]).where("project_id", "=", projectId).execute();
  const wanted = new Map(triggers.map((t) => [t.name, t]));
  const gone = existing.filter((e) => !wanted.has(e.name)).map((e) => e.id);
  if (gone.length) await db.deleteFrom("project_triggers").where("id", "in", gone).execute();
  for (const [name, { type, queuePriority }] of wanted) {
    if (existing.some((e) => e.name === name)) {
      await db.updateTable("project_triggers").set({ type, queue_priority: queuePriority }).where("project_id", "=", projectId).where("name", "=", name).execute();
    } else {
      await db.insertInto("project_triggers").values({ project_id: projectId, name, type, secrets_enc: "", queue_priority: queuePriority }).execute();
    }
  }
}

/** A project and, when it has one of that name, its trigger row's id and encrypted secrets. */
export interface ProjectWithTrigger {
  project: ProjectRow;
  /** The row of trigger `name` (undefined: the project has no trigger row of that name). */
  trigger: { name: string; row: { id: number; secrets_enc: string } | undefined };
}

// Every TriggerBuild's first statement: built and compiled once (compiled-once.ts).
const projectWithTrigger = compiledOnce((db, a: { name: string; triggerName: string }) => db.selectFrom("projects")
  .leftJoin("project_triggers", (join) => join.onRef("project_triggers.project_id", "=", "projects.id").on("project_triggers.name", "=", a.triggerName))
  .selectAll("projects").select(["project_triggers.id as trigger_row_id", "project_triggers.secrets_enc as trigger_secrets_enc"])
  .where("projects.name", "=", a.name));

/** Project `name` with the row of its trigger `triggerName`, in one statement (a trigger's reads before its transaction). */
export async function findProjectWithTrigger(db: Kysely<Database>, name: string, triggerName: string): Promise<ProjectWithTrigger | undefined> {
  const found = await projectWithTrigger.first(db, { name, triggerName });
  if (!found) return undefined;
  const { trigger_row_id: id, trigger_secrets_enc: secrets, ...project } = found;
  return { project, trigger: { name: triggerName, row: id === null ? undefined : { id, secrets_enc: secrets ?? "" } } };
}

/** A trigger's row id and encrypted secrets (undefined: the project has no such trigger). */
export function findTriggerRow(db: Kysely<Database>, projectId: number, triggerName: string): Promise<{ id: number; secrets_enc: string } | undefined> {
  return db.selectFrom("project_triggers").select(["id", "secrets_enc"])
    .where("project_id", "=", projectId).where("name", "=", triggerName).executeTakeFirst();
}

export async function setTriggerSecretsEnc(db: Kysely<Database>, triggerId: number, secretsEnc: string): Promise<void> {
  await db.updateTable("project_triggers").set({ secrets_enc: secretsEnc }).where("id", "=", triggerId).execute();
}

/** Triggers of `type` in every project, with the project's id, name and definition. */
export function triggersOfType(db: Kysely<Database>, type: string): Promise<{ id: number; name: string; definition_yaml: string; trigger: string }[]> {
  return db.selectFrom("project_triggers").innerJoin("projects", "projects.id", "project_triggers.project_id")
    .select(["projects.id", "projects.name", "projects.definition_yaml", "project_triggers.name as trigger"])
    .where("project_triggers.type", "=", type).execute();
}

/** The encrypted secrets of the project's first trigger row of `type` (undefined: none of that type). */
export async function firstTriggerSecretsOfType(db: Kysely<Database>, projectId: number, type: string): Promise<string | undefined> {
  const row = await db.selectFrom("project_triggers").select("secrets_enc").where("project_id", "=", projectId).where("type", "=", type)
    .orderBy("id").limit(1).executeTakeFirst();
  return row?.secrets_enc;
}

/** Each project's trigger names in definition order, read without parsing its definition. */
export async function projectTriggerNames(db: Kysely<Database>, rows: readonly ProjectRow[]): Promise<Map<number, string[]>> {
  const out = new Map<number, string[]>();
  const older: number[] = [];
  for (const r of rows) {
    if (r.trigger_names === null) older.push(r.id);
    else out.set(r.id, JSON.parse(r.trigger_names) as string[]);
  }
  if (older.length === 0) return out;
  // Rows applied before trigger_names existed: their trigger rows, oldest first.
  const triggers = await db.selectFrom("project_triggers").select(["project_id", "name"]).where("project_id", "in", older).orderBy("id").execute();
  for (const id of older) out.set(id, []);
  for (const t of triggers) out.get(t.project_id)!.push(t.name);
  return out;
}
