// WorkerAdminService: list, enlist/disable and delete workers (unrestricted admins only).
import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import { WorkerSchema, type Worker, type WorkerAdminService } from "../../gen/jobserv/v1/worker_admin_pb.js";
import { NotFoundError } from "../errors.js";
import type { WorkerRow } from "../store/database.js";
import { heldRunsByWorker, type HeldRun } from "../store/worker-runs.js";
import { deleteWorker, findWorker, listWorkers, setWorkerEnlisted } from "../store/workers.js";
import { lastContacts } from "../store/worker-liveness.js";
import { decodePageToken, encodePageToken, pageSize } from "./convert.js";
import type { ApiDeps } from "./deps.js";
import { claimableTags } from "../scheduler/claimable-tags.js";
import { workerGate, type GatePolicy } from "../scheduler/worker-gate.js";
import { listSurges } from "../store/surges.js";

export function createWorkerAdminService(deps: ApiDeps & { workerLeaseMs: number; gate: GatePolicy }): ServiceImpl<typeof WorkerAdminService> {
  const { store } = deps;
  /** `contact`: when it was last heard from (itself, or the heartbeat of the instance holding its stream). */
  const toWorker = (row: WorkerRow, contact: number, surges: string[], runs: HeldRun[] = []): Worker => {
    const online = contact > deps.now() - deps.workerLeaseMs;
    const gate = workerGate(row, claimableTags(row), surges, deps.gate, online);
    return create(WorkerSchema, {
      name: row.name, enlisted: Boolean(row.enlisted), hostTags: JSON.parse(row.host_tags) as string[], concurrency: row.concurrency,
      facts: { distro: row.distro, cpuType: row.cpu_type, cpuTotal: row.cpu_total, memTotalBytes: BigInt(row.mem_total), version: row.version,
        diskFreeBytes: BigInt(row.disk_free), memFreeBytes: BigInt(row.mem_free), loadAvg1m: Number(row.load_avg), diskMinFreeBytes: BigInt(row.disk_threshold) },
      online, lastSeenTime: timestampFromMs(contact), activeRuns: runs.length,
      allowedHostTags: JSON.parse(row.allowed_host_tags) as string[], runs,
      surgesOnly: Boolean(row.surges_only), idleReason: gate.idle, surgeTags: gate.surgeTags ?? [],
      ...(Number(row.facts_at) > 0 ? { factsTime: timestampFromMs(Number(row.facts_at)) } : {}),
    });
  };
  const surgeTags = async () => (await listSurges(store.db)).map((s) => s.host_tag);
  const load = async (name: string): Promise<Worker> => {
    const row = await findWorker(store.db, name);
    if (!row) throw new NotFoundError(`worker "${name}" not found`);
    const contact = (await lastContacts(store.db, [name])).get(name) ?? Number(row.last_seen);
    return toWorker(row, contact, await surgeTags(), (await heldRunsByWorker(store.db, [name])).get(name));
  };
  return {
    async listWorkers(req, ctx) {
      await deps.authz.admin(ctx);
      const limit = pageSize(req.pageSize, 100);
      const rows = await listWorkers(store.db, req.pageToken ? decodePageToken(req.pageToken) : "", limit + 1);
      const page = rows.slice(0, limit);
      const names = page.map((r) => r.name);
      const [held, contacts, surges] = await Promise.all([heldRunsByWorker(store.db, names), lastContacts(store.db, names), surgeTags()]);
      return {
        workers: page.map((r) => toWorker(r, contacts.get(r.name) ?? Number(r.last_seen), surges, held.get(r.name))),
        nextPageToken: rows.length > limit ? encodePageToken(page[page.length - 1]!.name) : "",
      };
    },
    async enlistWorker(req, ctx) {
      await deps.authz.admin(ctx);
      await load(req.name);
      // Enlisting sets the allowed host tags (empty: no restriction); disabling keeps them.
      await setWorkerEnlisted(store.db, req.name, req.enlisted, deps.now(), req.enlisted ? JSON.stringify(req.allowedHostTags.map((t) => t.toLowerCase())) : undefined);
      return { worker: await load(req.name) };
    },
    async deleteWorker(req, ctx) {
      await deps.authz.admin(ctx);
      await load(req.name);
      await deleteWorker(store.db, req.name, deps.now());
      return {};
    },
  };
}
