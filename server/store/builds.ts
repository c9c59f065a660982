// Repository functions for builds and build events: the trigger's transaction
// (number, build, QUEUED runs and their events, claims for idle workers; on
// MariaDB possibly begun early, during the trigger's checks), status
// compare-and-sets that record a build event, and reads by project, number or id.
import { sql, type ControlledTransaction, type Kysely, type Transaction } from "kysely";
import type { DialectCaps } from "./caps.js";
import { Status } from "../../gen/jobserv/v1/status_pb.js";
import { BUILD_SUMMARY_COLUMNS, type BuildRow, type BuildSummaryRow, type Database, type NewRun } from "./database.js";
import type { Store } from "./db.js";
import { claimWithin, placementRead, placeOwnRuns, type ClaimedRunRow, type SlotClaim } from "./run-claims.js";
import { insertQueuedRunsIn, type QueuedRun } from "./run-transitions.js";

/**
 * Allocates the project's next build number inside `trx`, in one statement.
 * The increment takes the project row's write lock until commit, so
 * concurrent triggers (on any instance) get consecutive numbers, and a
 * rolled-back trigger leaves no gap.
 */
export async function nextBuildNumber(trx: Transaction<Database>, caps: DialectCaps, projectId: number): Promise<number> {
  if (caps.updateReturning) {
    const row = await trx.updateTable("projects").set((eb) => ({ last_build_number: eb("last_build_number", "+", 1) }))
      .where("id", "=", projectId).returning("last_build_number").executeTakeFirstOrThrow();
    return Number(row.last_build_number);
  }
  const res = await trx.executeQuery(trx.updateTable("projects").set({ last_build_number: sql<number>`last_insert_id(last_build_number + 1)` })
    .where("id", "=", projectId).compile());
  if (res.numAffectedRows !== 1n || res.insertId === undefined) throw new Error(`project ${projectId} not found`);
  return Number(res.insertId);
}

export type NewBuild = Omit<BuildRow, "id" | "number" | "status" | "completed_at" | "name" | "annotation">;

export interface CreatedBuild { buildId: number; number: number; eventId: number; runs: QueuedRun[]; claimed: ClaimedRunRow[][] }

/**
 * A trigger's transaction begun before its checks, on a pooled store
 * (MariaDB), so that its BEGIN's round trip overlaps the trigger's reads.
 * createBuild takes it over (commits or rolls back); whoever began it calls
 * `end` when done, which rolls it back unless createBuild took it.
 */
export class EarlyTransaction {
  private taken = false;

  private constructor(private readonly begun: Promise<ControlledTransaction<Database>>) {
    begun.catch(() => {}); // a failed BEGIN is the taker's error; nothing to end
  }

  /** Undefined on SQLite: one connection, which the trigger's reads need while no transaction holds it. */
  static begin(store: Store): EarlyTransaction | undefined {
    return store.caps.pooledConnections ? new EarlyTransaction(store.db.startTransaction().execute()) : undefined;
  }

  /** The transaction, from now on the caller's to commit or roll back. */
  take(): Promise<ControlledTransaction<Database>> {
    this.taken = true;
    return this.begun;
  }

  async end(): Promise<void> {
    if (this.taken) return;
    this.taken = true;
    try {
      await (await this.begun).rollback().execute();
    } catch {
      // BEGIN failed (nothing open), or the connection went with the transaction.
    }
  }
}

/**
 * One transaction: the next build number, the QUEUED build and its event, and
 * its QUEUED runs (made by `runs` from the number and id) with theirs; then,
 * in the same commit, the claim for `slots` (idle workers: see claimWithin;
 * on a pooled store, when nothing of theirs was queued, the runs they take
 * are inserted RUNNING instead: placeOwnRuns), what each won returned as
 * `claimed` in queue order. `syncProject`: the project is synchronous (its
 * runs are left to the dispatcher). `early`: the transaction to use, begun
 * before the caller's checks.
 */
export function createBuild(store: Store, build: NewBuild, runs: (number: number, buildId: number) => NewRun[],
  slots: readonly SlotClaim[] = [], syncProject = false, early?: EarlyTransaction): Promise<CreatedBuild> {
  // With a pool, what the claim needs to know besides the new runs (the slots' busy counts, whether runs
  // of their patterns were queued already) is read on another connection while the transaction numbers
  // and inserts: fewer round trips before the push (claimWithin).
  const read = slots.length && store.caps.pooledConnections ? placementRead(store.db, slots) : undefined;
  read?.catch(() => {}); // awaited by the claim; unawaited when the transaction fails first
  const body = async (trx: Transaction<Database>): Promise<CreatedBuild> => {
    const number = await nextBuildNumber(trx, store.caps, build.project_id);
    const res = await trx.insertInto("builds").values({ ...build, number, status: Status.QUEUED, completed_at: null }).executeTakeFirstOrThrow();
    const buildId = Number(res.insertId);
    const rows = runs(number, buildId);
    // The read is back by now, as a rule (it started before the transaction's first statement).
    const known = read && await read;
    const placed = known && !syncProject ? placeOwnRuns(slots, known, rows) : undefined;
    const inserted = placed ? rows.map((r, i) => {
      const p = placed[i];
      return p ? { ...r, status: Status.RUNNING, status_message: "", acked: 0, started_at: slots[p.slot]!.now, worker_name: p.worker, token_hash: p.hash } : r;
    }) : rows;
    // Each run's QUEUED event is recorded either way; a placed run's RUNNING one once it is pushed (Lifecycle.assigned).
    const queued = await insertQueuedRunsIn(trx, store.caps, buildId, inserted, build.created_at);
    const event = await trx.insertInto("build_events").values({ build_id: buildId, status: Status.QUEUED, time: build.created_at }).executeTakeFirstOrThrow();
    let claimed: ClaimedRunRow[][] = [];
    if (placed) {
      claimed = slots.map(() => []);
      placed.forEach((p, i) => {
        if (!p) return;
        const r = rows[i]!;
        claimed[p.slot]!.push({ id: queued[i]!.id, buildId, token: p.token, definitionJson: r.definition_json, secretsEnc: r.secrets_enc,
          createdAt: r.created_at, triggerType: r.trigger_type ?? "" });
      });
    } else if (slots.length) {
      claimed = await claimWithin(trx, store.caps, slots, known?.busy);
    }
    return { buildId, number, eventId: Number(event.insertId), runs: queued, claimed };
  };
  return early ? inEarly(early, body) : store.db.transaction().execute(body);
}

async function inEarly<T>(early: EarlyTransaction, body: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  const trx = await early.take();
  let out: T;
  try {
    out = await body(trx);
  } catch (e) {
    await trx.rollback().execute().catch(() => {});
    throw e;
  }
  await trx.commit().execute();
  return out;
}

export function findBuild(db: Kysely<Database>, projectId: number, number: number): Promise<BuildRow | undefined> {
  return db.selectFrom("builds").selectAll().where("project_id", "=", projectId).where("number", "=", number).executeTakeFirst();
}

export function findBuildById(db: Kysely<Database>, id: number): Promise<BuildRow | undefined> {
  return db.selectFrom("builds").selectAll().where("id", "=", id).executeTakeFirst();
}

export function buildsByIds(db: Kysely<Database>, ids: readonly number[]): Promise<BuildRow[]> {
  if (!ids.length) return Promise.resolve([]);
  return db.selectFrom("builds").selectAll().where("id", "in", [...new Set(ids)]).orderBy("id").execute();
}

/** Builds newest first, with numbers below `beforeNumber`. */
export function listBuilds(db: Kysely<Database>, projectId: number, beforeNumber: number, limit: number): Promise<BuildSummaryRow[]> {
  return db.selectFrom("builds").select(BUILD_SUMMARY_COLUMNS).where("project_id", "=", projectId).where("number", "<", beforeNumber)
    .orderBy("number", "desc").limit(limit).execute();
}

/** Compare-and-set of a build's status, recording a build event; its id, or undefined when another writer changed it first. */
export async function setBuildStatus(db: Kysely<Database>, id: number, from: number, to: number, now: number, complete: boolean): Promise<number | undefined> {
  const res = await db.updateTable("builds").set({ status: to, completed_at: complete ? now : null })
    .where("id", "=", id).where("status", "=", from).executeTakeFirst();
  if (Number(res.numUpdatedRows) !== 1) return undefined;
  const event = await db.insertInto("build_events").values({ build_id: id, status: to, time: now }).executeTakeFirstOrThrow();
  return Number(event.insertId);
}

/** PASSED -> PROMOTED with the release name, compare-and-set; the event's id, or undefined when the build was not PASSED. */
export async function promoteBuild(db: Kysely<Database>, id: number, name: string, annotation: string, now: number): Promise<number | undefined> {
  const res = await db.updateTable("builds").set({ status: Status.PROMOTED, name, annotation })
    .where("id", "=", id).where("status", "=", Status.PASSED).executeTakeFirst();
  if (Number(res.numUpdatedRows) !== 1) return undefined;
  const event = await db.insertInto("build_events").values({ build_id: id, status: Status.PROMOTED, time: now }).executeTakeFirstOrThrow();
  return Number(event.insertId);
}

/**
 * Open builds created before `before` whose runs are all complete: what a
 * server killed between completing a run and rolling up its build leaves.
 */
export async function buildsBehindTheirRuns(db: Kysely<Database>, before: number, limit: number): Promise<number[]> {
  const rows = await db.selectFrom("builds").select("id")
    .where("status", "in", [Status.QUEUED, Status.RUNNING, Status.RUNNING_WITH_FAILURES]).where("created_at", "<", before)
    .where((eb) => eb.not(eb.exists(eb.selectFrom("runs").select("runs.id")
      .whereRef("runs.build_id", "=", "builds.id").where("runs.status", "not in", [Status.PASSED, Status.FAILED, Status.SKIPPED]))))
    .limit(limit).execute();
  return rows.map((r) => r.id);
}

/** A build with its project's name and current definition (chained triggers fire from the build's own, if it has one). */
export async function buildWithProject(db: Kysely<Database>, id: number): Promise<{ build: BuildRow; project: string; projectYaml: string } | undefined> {
  const build = await findBuildById(db, id);
  if (!build) return undefined;
  const project = await db.selectFrom("projects").select(["name", "definition_yaml"]).where("id", "=", build.project_id).executeTakeFirst();
  return project && { build, project: project.name, projectYaml: project.definition_yaml };
}
