// The claim: QUEUED -> RUNNING by compare-and-set for one worker, so a run
// goes to exactly one worker however many instances claim at once. On
// MariaDB/MySQL candidates are read FOR UPDATE SKIP LOCKED inside the claim's
// transaction so concurrent claimers do not queue behind each other's rows.
// Runs of a synchronous project that another of its builds holds back are no
// candidates; claiming one of its runs locks the project row (MariaDB) and
// checks again, or checks in the claiming UPDATE itself (SQLite), so two
// instances never start two of its builds at once. Claims asked while one is
// in flight are made together: one transaction, one candidate read per
// host-tag pattern and one UPDATE for the runs of every worker in the batch.
// A trigger may also claim inside its own transaction (`claimWithin`), so a
// new run reaches an idle worker with one commit.
import { sql, type Kysely, type Transaction } from "kysely";
import { retry } from "../../common/retry.js";
import { Status } from "../../gen/jobserv/v1/status_pb.js";
import type { DialectCaps } from "./caps.js";
import { BatchedCalls } from "./coalesce.js";
import type { Database } from "./database.js";
import type { Store } from "./db.js";
import { transitionRun } from "./run-transitions.js";
import { activeRunsByWorker } from "./runs.js";
import { heldBySyncProject, lockProjects, notHeld, syncProjectOfRun } from "./sync-builds.js";

/** A claimed run, with the columns its assignment needs (read with the claim, not again). */
export interface ClaimedRunRow {
  id: number; buildId: number; token: string;
  definitionJson: string; secretsEnc: string; createdAt: number; triggerType: string;
}

export interface ClaimRequest {
  worker: string;
  /** Host-tag patterns the worker matches (of those queued). */
  patterns: readonly string[];
  /** At most this many runs. */
  limit: number;
  /** A new run token and its hash, made for each run won (the claim stores the hash). */
  credential: () => { token: string; hash: string };
  now: number;
}

type Candidate = { id: number; build_id: number; host_tag: string; queue_rank: number; definition_json: string; secrets_enc: string; created_at: number;
  trigger_type: string; sync_project: number | null };

// Claims asked while one is in flight go together in the next (one transaction for many workers).
const batches = new WeakMap<Store, BatchedCalls<ClaimRequest, ClaimedRunRow[]>>();

export function claimQueuedRuns(store: Store, req: ClaimRequest): Promise<ClaimedRunRow[]> {
  if (req.limit <= 0 || !req.patterns.length) return Promise.resolve([]);
  let b = batches.get(store);
  // Gathered: the run ends handled in one event-loop turn free slots whose claims then go together.
  // With SKIP LOCKED two claim transactions never wait for each other: a second batch need not wait for the first's commit.
  if (!b) batches.set(store, b = new BatchedCalls((reqs) => claimForMany(store, reqs), 200, true, store.caps.skipLocked ? 2 : 1));
  return b.call(req);
}

/** One claim for several requests (each answered in order): one candidate read per pattern and one UPDATE for all. */
export async function claimForMany(store: Store, reqs: readonly ClaimRequest[]): Promise<ClaimedRunRow[][]> {
  if (!store.caps.skipLocked) return claimIn(store.caps, store.db, reqs);
  // READ COMMITTED: InnoDB then locks only the rows that match, not every row
  // the index scan passed, so claimers of different tags do not collide.
  // A deadlock is still possible under load; the claim is simply retried.
  return retry(() => {
    const trx = store.caps.readCommittedSessions ? store.db.transaction() : store.db.transaction().setIsolationLevel("read committed");
    return trx.execute((db) => claimIn(store.caps, db, reqs));
  }, { attempts: 5, baseMs: 0, classify: (e) => ((e as { code?: string }).code === "ER_LOCK_DEADLOCK" ? "retry" : "fail") });
}

/** A worker with `concurrency` slots, whose free ones are counted in the claiming transaction. */
export type SlotClaim = Omit<ClaimRequest, "limit"> & { concurrency: number };

/** Read beside a trigger's transaction (on another pooled connection): the offered workers' busy slots, and whether runs of their patterns were queued already. */
export interface PlacementRead { busy: Map<string, number>; queuedBefore: boolean }

/**
 * Starts the reads a trigger's placement needs on connections other than its
 * transaction's (plain READ COMMITTED reads; the dispatcher's own serve counts
 * slots outside its claim transaction too). Only for a pooled store (caps.pooledConnections).
 */
export function placementRead(db: Kysely<Database>, slots: readonly SlotClaim[]): Promise<PlacementRead> {
  const patterns = [...new Set(slots.flatMap((s) => s.patterns))];
  const queued = patterns.length
    ? db.selectFrom("runs").select("id").where("status", "=", Status.QUEUED).where("host_tag", "in", patterns).limit(1).executeTakeFirst()
    : Promise.resolve(undefined);
  return Promise.all([activeRunsByWorker(db, slots.map((s) => s.worker)), queued]).then(([busy, row]) => ({ busy, queuedBefore: row !== undefined }));
}

/** A new run placed before it is inserted: the slot (index into the slots) whose worker takes it, its token and the token's hash. */
export interface OwnPlacement { slot: number; worker: string; token: string; hash: string }

/**
 * When `read` found no run of the offered patterns queued, a trigger's own new
 * runs are its claim's only candidates, and no other instance can see, so none
 * can claim, rows its transaction inserts: they are placed before the insert
 * (in queue order, each to the first slot with room whose patterns take its
 * host tag, as claimIn would) and inserted RUNNING, one statement less than a
 * QUEUED insert and its claim's compare-and-set. A run of those patterns
 * queued elsewhere after the read began may then wait behind the new ones, as
 * one committed after a candidate read would. Undefined: claim as usual
 * (claimWithin). Never for a synchronous project's runs (left to the dispatcher).
 */
export function placeOwnRuns(slots: readonly SlotClaim[], read: PlacementRead, runs: readonly { host_tag: string; queue_priority?: number }[]): (OwnPlacement | undefined)[] | undefined {
  if (read.queuedBefore) return undefined;
  const room = slots.map((s) => s.concurrency - (read.busy.get(s.worker) ?? 0));
  const order = runs.map((r, i) => ({ i, rank: -(r.queue_priority ?? 0) })).sort((a, b) => a.rank - b.rank || a.i - b.i);
  const out: (OwnPlacement | undefined)[] = runs.map(() => undefined);
  for (const { i } of order) {
    const slot = slots.findIndex((s, k) => room[k]! > 0 && s.patterns.includes(runs[i]!.host_tag));
    if (slot < 0) continue;
    room[slot]!--;
    out[i] = { slot, worker: slots[slot]!.worker, ...slots[slot]!.credential() };
  }
  return out;
}

/**
 * Claims inside the caller's transaction `trx` (a trigger's, whose new runs it
 * sees): each worker's free slots are counted there (or `busy`, read beside
 * it by placementRead), then the same claim as claimForMany (queue order,
 * compare-and-set). It claims nothing when a candidate belongs to a
 * synchronous project: locking another project's row here could deadlock
 * with that project's own trigger, so those runs are left to the dispatcher,
 * and so is everything behind them in the queue.
 */
export async function claimWithin(trx: Transaction<Database>, caps: DialectCaps, slots: readonly SlotClaim[],
  busyRead?: Map<string, number>): Promise<ClaimedRunRow[][]> {
  const busy = busyRead ?? await activeRunsByWorker(trx, slots.map((s) => s.worker));
  const reqs = slots.map((s) => ({ ...s, limit: s.concurrency - (busy.get(s.worker) ?? 0) }));
  const open = reqs.filter((r) => r.limit > 0 && r.patterns.length);
  const got = open.length ? await claimIn(caps, trx, open, true) : [];
  return reqs.map((r) => { const i = open.indexOf(r); return i < 0 ? [] : got[i]!; });
}

async function claimIn(caps: DialectCaps, db: Kysely<Database>, reqs: readonly ClaimRequest[], noSyncRuns = false): Promise<ClaimedRunRow[][]> {
  const wanted = new Map<string, number>();
  for (const r of reqs) for (const p of r.patterns) wanted.set(p, (wanted.get(p) ?? 0) + r.limit);
  const patterns = [...wanted.keys()];
  const total = reqs.reduce((n, r) => n + r.limit, 0);
  const pick = (ps: readonly string[], limit: number): Promise<Candidate[]> =>
    db.selectFrom("runs").select(["id", "build_id", "host_tag", "queue_rank", "definition_json", "secrets_enc", "created_at", "trigger_type"])
      .select(syncProjectOfRun.as("sync_project"))
      .where("status", "=", Status.QUEUED).where("host_tag", "in", [...ps])
      .where(({ not }) => not(heldBySyncProject))
      .orderBy("queue_rank").orderBy("id").limit(limit)
      .$if(caps.skipLocked, (qb) => qb.forUpdate().skipLocked())
      .execute();
  // With row locks, one pattern per query: then the queue index gives the
  // order and SKIP LOCKED locks only the rows returned (an IN list of several
  // patterns needs a sort, which locks every queued row of those patterns).
  let candidates = !caps.skipLocked || patterns.length === 1 ? await pick(patterns, total)
    : (await Promise.all(patterns.map((p) => pick([p], wanted.get(p)!)))).flat()
      .sort((a, b) => a.queue_rank - b.queue_rank || a.id - b.id);
  const sync = candidates.filter((c) => c.sync_project !== null);
  if (sync.length && noSyncRuns) return reqs.map(() => []);
  if (sync.length && caps.rowLocks) {
    await lockProjects(db, [...new Set(sync.map((c) => c.sync_project!))]);
    const free = await notHeld(db, sync.map((c) => c.id));
    candidates = candidates.filter((c) => c.sync_project === null || free.has(c.id));
  }
  // In queue order, each run goes to the first request (in arrival order) with room whose worker matches it.
  const room = reqs.map((r) => r.limit);
  const now = Math.max(...reqs.map((r) => r.now));
  const plan: { c: Candidate; r: number; worker: string; token: string; hash: string }[] = [];
  for (const c of candidates) {
    const r = reqs.findIndex((q, i) => room[i]! > 0 && q.patterns.includes(c.host_tag));
    if (r < 0) continue;
    room[r]!--;
    plan.push({ c, r, worker: reqs[r]!.worker, ...reqs[r]!.credential() });
  }
  const won = new Set<number>();
  // Without row locks (SQLite: one writer, each statement atomic) a run of a
  // synchronous project is checked again by its own claiming UPDATE.
  const guarded = plan.filter((p) => p.c.sync_project !== null && !caps.rowLocks);
  for (const p of guarded) {
    if (await transitionRun(db, p.c.id, [Status.QUEUED], Status.RUNNING, { now, worker: p.worker, acked: 0, tokenHash: p.hash, message: "" }, heldBySyncProject)) won.add(p.c.id);
  }
  const rest = plan.filter((p) => !guarded.includes(p));
  for (const id of await markRunning(db, caps, rest.map((p) => ({ id: p.c.id, worker: p.worker, hash: p.hash })), now)) won.add(id);
  const out: ClaimedRunRow[][] = reqs.map(() => []);
  for (const { c, r, token } of plan) {
    if (!won.has(c.id)) continue;
    out[r]!.push({ id: c.id, buildId: c.build_id, token, definitionJson: c.definition_json, secretsEnc: c.secrets_enc,
      createdAt: c.created_at, triggerType: c.trigger_type });
  }
  return out;
}

/**
 * QUEUED -> RUNNING for each of `rows` (its worker and token hash) in one
 * compare-and-set UPDATE; the ids it changed. With row locks the rows are
 * this transaction's (read FOR UPDATE), so every one changes; without, the
 * statement reports which it changed (RETURNING).
 */
async function markRunning(db: Kysely<Database>, caps: DialectCaps, rows: readonly { id: number; worker: string; hash: string }[], now: number): Promise<number[]> {
  if (!rows.length) return [];
  const ids = rows.map((r) => r.id);
  const byId = (value: (r: (typeof rows)[number]) => string) =>
    sql<string>`case ${sql.ref("id")} ${sql.join(rows.map((r) => sql`when ${r.id} then ${value(r)}`), sql` `)} end`;
  const update = db.updateTable("runs")
    .set({ status: Status.RUNNING, status_message: "", acked: 0, started_at: now, worker_name: byId((r) => r.worker), token_hash: byId((r) => r.hash) })
    .where("id", "in", ids).where("status", "=", Status.QUEUED);
  if (!caps.skipLocked) return (await update.returning("id").execute()).map((r) => r.id);
  const res = await update.executeTakeFirst();
  if (Number(res.numUpdatedRows) !== rows.length) throw new Error(`claim: ${res.numUpdatedRows} of ${rows.length} locked runs changed`);
  return ids;
}
