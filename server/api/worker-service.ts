// WorkerService: registration, the Pull stream, log appends and run updates.
// Stream bookkeeping lives in scheduler/; this file only adapts the protocol.
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import { Status } from "../../gen/jobserv/v1/status_pb.js";
import type {
  AppendLogRequest, AppendLogResponseSchema, ReportFactsRequest, ReportFactsResponseSchema, ReportTestsRequest, ReportTestsResponseSchema,
  UpdateRunRequest, UpdateRunResponseSchema, WorkerFacts, WorkerService,
} from "../../gen/jobserv/v1/worker_pb.js";
import { hashToken, tokenMatches } from "../auth/tokens.js";
import { authoriseRunToken } from "../builds/run-token.js";
import { InvalidArgumentError, PermissionDeniedError } from "../errors.js";
import { reportRunTests } from "../builds/run-tests.js";
import { findWorker, insertWorker, reportWorkerFacts, updateWorkerFacts, type ReportedFacts } from "../store/workers.js";
import { setRunImageDigest } from "../store/runs.js";
import type { ApiDeps } from "./deps.js";
import type { PullSessions } from "./pull-sessions.js";
import type { RequestHeaders } from "./worker-auth.js";

const WORKER_NAME = /^[A-Za-z0-9._-]{1,80}$/;

/** The columns of a report of changing facts; none (the guard then ignores disk) when the worker sent no facts. */
function changingFacts(f: WorkerFacts | undefined, at: number): ReportedFacts | undefined {
  if (!f) return undefined;
  return {
    disk_free: Number(f.diskFreeBytes), mem_free: Number(f.memFreeBytes),
    load_avg: Number.isFinite(f.loadAvg1m) ? Math.max(0, f.loadAvg1m) : 0,
    disk_threshold: Math.max(0, Number(f.diskMinFreeBytes)), facts_at: at,
  };
}

/** `pulls`: shared with the lean Pull stream (main.ts), so both use one ping wheel. */
export function createWorkerService(deps: ApiDeps, pulls: PullSessions): ServiceImpl<typeof WorkerService> {
  const { store, now } = deps;
  const auth = deps.workerAuth;
  return {
    async registerWorker(req) {
      if (!WORKER_NAME.test(req.name)) throw new InvalidArgumentError(`name: "${req.name}" must be 1-80 characters of A-Z a-z 0-9 . _ -`);
      if (req.token.length < 16) throw new InvalidArgumentError("token: at least 16 characters");
      const secretOk = deps.workerRegistrationSecret !== "" && req.registrationSecret === deps.workerRegistrationSecret;
      const facts = {
        host_tags: JSON.stringify(req.hostTags.map((t) => t.toLowerCase())),
        concurrency: Math.max(1, req.concurrency || 1),
        distro: req.facts?.distro ?? "", cpu_type: req.facts?.cpuType ?? "", cpu_total: req.facts?.cpuTotal ?? 0,
        mem_total: Number(req.facts?.memTotalBytes ?? 0n), version: req.facts?.version ?? "", last_seen: now(),
        surges_only: req.surgesOnly ? 1 : 0,
        ...changingFacts(req.facts, now()),
      };
      const existing = await findWorker(store.db, req.name);
      if (!existing) {
        await insertWorker(store.db, { name: req.name, token_hash: hashToken(req.token), enlisted: secretOk ? 1 : 0, created_at: now(), ...facts });
        return { enlisted: secretOk };
      }
      if (!tokenMatches(req.token, existing.token_hash)) throw new PermissionDeniedError(`worker "${req.name}" is registered with another token`);
      const enlisted = Boolean(existing.enlisted) || secretOk;
      await updateWorkerFacts(store.db, req.name, { ...facts, enlisted: enlisted ? 1 : 0 }, now());
      auth.forget(req.name);
      return { enlisted };
    },

    // Calls the lean stream does not take (JSON, a deadline, compressed input) come here.
    async *pull(req, ctx) {
      const pull = await pulls.open(req, ctx);
      ctx.signal.addEventListener("abort", pull.close, { once: true });
      try {
        await pull.reconciled;
        yield* pull.session.queue;
      } finally {
        ctx.signal.removeEventListener("abort", pull.close);
        pull.close();
      }
    },

    ...workerCalls(deps),
  };
}

/** The worker's unary calls after registration: what they read of the call is its headers (the worker's credentials). */
export interface WorkerCalls {
  reportFacts(req: ReportFactsRequest, call: RequestHeaders): Promise<MessageInitShape<typeof ReportFactsResponseSchema>>;
  appendLog(req: AppendLogRequest, call: RequestHeaders): Promise<MessageInitShape<typeof AppendLogResponseSchema>>;
  updateRun(req: UpdateRunRequest, call: RequestHeaders): Promise<MessageInitShape<typeof UpdateRunResponseSchema>>;
  reportTests(req: ReportTestsRequest, call: RequestHeaders): Promise<MessageInitShape<typeof ReportTestsResponseSchema>>;
}

/** Served by Connect's router (above) and by the lean unary path (main.ts: http/lean-unary.ts) alike. */
export function workerCalls(deps: ApiDeps): WorkerCalls {
  const { store, now } = deps;
  const auth = deps.workerAuth;
  return {
    async reportFacts(req, call) {
      const worker = await auth.authenticate(call);
      await reportWorkerFacts(store.db, worker.name, changingFacts(req.facts, now()), now(), deps.leases.gatePolicy.diskMinFreeBytes);
      return {};
    },

    async appendLog(req, call) {
      const worker = await auth.authenticate(call);
      const run = await authoriseRunToken(store, Number(req.runId), req.runToken, worker.name);
      const committed = await deps.logs.append(run.id, Number(req.offset), req.data);
      return { committedOffset: BigInt(committed), cancelRequested: run.status === Status.CANCELLING };
    },

    async updateRun(req, call) {
      const worker = await auth.authenticate(call);
      const run = await authoriseRunToken(store, Number(req.runId), req.runToken, worker.name, { allowComplete: true });
      if (req.imageDigest && req.imageDigest !== run.image_digest) {
        if (req.imageDigest.length > 512) throw new InvalidArgumentError("image_digest: at most 512 characters");
        await setRunImageDigest(store.db, run.id, req.imageDigest);
      }
      return deps.lifecycle.workerReport(run, req.status, req.message);
    },

    async reportTests(req, call) {
      const worker = await auth.authenticate(call);
      const run = await authoriseRunToken(store, Number(req.runId), req.runToken, worker.name);
      await reportRunTests(store, run, req.tests, now());
      return { cancelRequested: run.status === Status.CANCELLING };
    },
  };
}
