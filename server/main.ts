// startServer: the composition root of one API server instance. Opens the
// store, creates the domain pieces and subscribes those that react to status
// changes to the run lifecycle, mounts the Connect services and the REST
// gateway on one port.
import type { ConnectRouter } from "@connectrpc/connect";
import { Registry } from "prom-client";
import { Health } from "../gen/grpc/health/v1/health_pb.js";
import { BuildService } from "../gen/jobserv/v1/build_pb.js";
import { ProjectService } from "../gen/jobserv/v1/project_pb.js";
import { RunService } from "../gen/jobserv/v1/run_pb.js";
import { WorkerService } from "../gen/jobserv/v1/worker_pb.js";
import { createBuildService } from "./api/build-service.js";
import type { ApiDeps } from "./api/deps.js";
import { createProjectService } from "./api/project-service.js";
import { createRunService } from "./api/run-service.js";
import { createWorkerService } from "./api/worker-service.js";
import { PullSessions } from "./api/pull-sessions.js";
import { leanWorkerCalls } from "./lean-worker-calls.js";
import { leanTriggerCall } from "./lean-trigger-call.js";
import type { ServerConfig } from "./config.js";
import { healthRoutes } from "./gateway/health.js";
import { createRouter } from "./gateway/router.js";
import { jobservRestRoutes } from "./gateway/rest-routes.js";
import { runFileRoutes } from "./gateway/run-files.js";
import { webhookRoutes } from "./gateway/webhooks.js";
import { triggerHttpRoutes } from "./gateway/trigger-http.js";
import { CommitStatusReporter } from "./forges/commit-statuses.js";
import { GitPoller } from "./forges/poller/git-poller.js";
import { BuildNotifier } from "./notify/build-notifier.js";
import { EmailSender } from "./notify/email-sender.js";
import type { ForgeDeps } from "./forges/webhook-context.js";
import { artifactRoutes } from "./gateway/artifacts.js";
import { openArtifactStorage } from "./artifacts/open-storage.js";
import { createHealthService, servedServices } from "./http/health.js";
import { listen } from "./http/listener.js";
import { loadTls, type TlsMaterial } from "./http/tls.js";
import { registerReflection } from "./http/reflection.js";
import { metricsRoutes } from "./gateway/metrics.js";
import { cliPackageRoutes } from "./gateway/cli-package.js";
import { CliPackage } from "./cli-package/cli-package.js";
import { ServerMetrics } from "./metrics.js";
import { BuildWatches } from "./builds/build-watch.js";
import { Lifecycle } from "./builds/lifecycle.js";
import type { TriggerDeps } from "./builds/trigger.js";
import { LogStore } from "./logs/log-store.js";
import { LogArchive } from "./logs/log-archive.js";
import { Dispatcher } from "./scheduler/dispatcher.js";
import { LeaseKeeper } from "./scheduler/leases.js";
import { SecretCipher } from "./secrets/cipher.js";
import { loadSecretsKey } from "./secrets/key.js";
import { openStore, pingStore } from "./store/db.js";
import { prepareSchema } from "./store/migrate.js";
import { waitForStore } from "./store/wait.js";
import { StartupError } from "./errors.js";
import { Access } from "./auth/access.js";
import { ensureToken } from "./auth/api-tokens.js";
import { Authorizer } from "./api/authorize.js";
import { createTokenService } from "./api/token-service.js";
import { createWorkerAdminService } from "./api/worker-admin-service.js";
import { Scope, TokenService } from "../gen/jobserv/v1/token_pb.js";
import { WorkerAdminService } from "../gen/jobserv/v1/worker_admin_pb.js";
import { createLogger } from "./logger.js";
import { requestLog } from "./http/request-log.js";
import { rpcAdapter } from "./http/rpc-adapter.js";
import type { LeanWiring } from "./http/lean-call.js";
import { deadlines } from "./http/deadlines.js";
import { apiCallerGate, requestGate } from "./api/request-gate.js";
import { WorkerAuth } from "./api/worker-auth.js";
import { domainErrors, toConnectError } from "./api/errors.js";
import { webRoutes } from "./pages/web-routes.js";
import { RetentionJob } from "./retention/retention-job.js";
import { SurgeMonitor } from "./scheduler/surge-monitor.js";
import { surgeEmail } from "./notify/surge-email.js";

/** How often each instance looks for completed logs nobody moved to storage yet. */
const LOG_ARCHIVE_SWEEP_MS = 60_000;

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export async function startServer(config: ServerConfig): Promise<RunningServer> {
  const log = createLogger(config.logLevel);
  const cipher = new SecretCipher(loadSecretsKey(config));
  let tls: TlsMaterial | undefined;
  try {
    if (config.tlsCertFile || config.tlsKeyFile) tls = loadTls(config.tlsCertFile, config.tlsKeyFile);
  } catch (e) {
    throw new StartupError((e as Error).message);
  }
  const metrics = new ServerMetrics(new Registry(), { store: () => store, log, connectedWorkers: () => dispatcher.workers.list().length });
  const store = await openStore(config.databaseUrl, log, { migrate: false, onError: () => metrics.countStoreError() });
  try {
    await waitForStore(store, config.databaseUrl, log, { maxMs: config.storeWaitMs });
    await prepareSchema(store.db, config.migrate, log);
  } catch (e) {
    await store.close();
    throw new StartupError((e as Error).message, { cause: e });
  }
  const now = () => Date.now();
  const stopping = new AbortController();
  let publicUrl = config.publicUrl;
  const cliPackage = new CliPackage();
  const opened = openArtifactStorage(config);
  const artifacts = opened.storage;
  const archive = new LogArchive(store, artifacts, { delayMs: config.logArchiveDelayMs, sweepMs: LOG_ARCHIVE_SWEEP_MS, log });
  const logs = new LogStore(store, { pollMs: config.pollMs, onAppended: (n) => metrics.countLogBytes(n), archive });
  const lifecycle = new Lifecycle({ store, now, log, publicUrl: () => publicUrl, notes: logs });
  lifecycle.definitions.warm();
  const dispatcher = new Dispatcher(store, lifecycle, cipher, now, { pollMs: config.pollMs, log, cliPackageUrl: () => `${publicUrl}/cli/${cliPackage.fileName}` });
  lifecycle.placeNewRunsWith(dispatcher);
  const leases = new LeaseKeeper({ store, lifecycle, workers: dispatcher.workers, now, log },
    { leaseMs: config.workerLeaseMs, ackMs: config.assignmentAckMs, sweepMs: Math.min(5_000, Math.max(200, config.workerLeaseMs / 5)),
      gate: { diskMinFreeBytes: config.workerDiskMinFreeBytes } });
  const surges = new SurgeMonitor({ store, now, log }, { ratio: config.surgeRatio, checkMs: config.surgeCheckMs, holdMs: config.surgeHoldMs, leaseMs: config.workerLeaseMs });
  // The status-event tail polls every 50 ms at most (an empty primary-key range read while somebody watches),
  // so changes made on other instances reach watchers well within 250 ms.
  const watches = new BuildWatches(store, { pollMs: Math.min(50, config.pollMs), pingMs: config.watchPingMs, log });
  const statuses = new CommitStatusReporter({ store, cipher, githubApi: config.githubApi, publicUrl: () => publicUrl, retryMs: config.forgeRetryMs, attempts: 4, log });
  const email = new EmailSender({ smtpUrl: config.smtpUrl, from: config.mailFrom, retryMs: config.forgeRetryMs, log });
  const notifier = new BuildNotifier({ store, cipher, email, publicUrl: () => publicUrl, retryMs: config.forgeRetryMs, log, definitions: lifecycle.definitions });
  for (const listener of [dispatcher, logs, metrics, statuses, notifier, watches]) lifecycle.subscribe(listener);
  if (config.surgeNotifyEmail) surges.subscribe(surgeEmail(email, config.surgeNotifyEmail.split(",").map((a) => a.trim()).filter(Boolean)));
  if (config.logArchive) lifecycle.subscribe(archive);
  if (config.adminToken) await ensureToken(store, "initial admin (JOBSERV_ADMIN_TOKEN)", config.adminToken, Scope.ADMIN, now());
  const access = new Access(store);
  const trigger: TriggerDeps = { store, cipher, lifecycle, now, get publicUrl() { return publicUrl; } };
  const deps: ApiDeps = {
    store, cipher, logs, dispatcher, leases, lifecycle, watches, trigger, now, authz: new Authorizer(access, store), artifacts,
    workerAuth: new WorkerAuth(store), workerRegistrationSecret: config.workerRegistrationSecret,
  };
  const forge: ForgeDeps = { trigger, githubApi: config.githubApi, gitlabApi: config.gitlabApi, retryMs: config.forgeRetryMs, log };
  const gitPoller = new GitPoller(trigger, { intervalMs: config.gitPollIntervalMs, log });
  const retention = new RetentionJob({ store, storage: artifacts, now }, { intervalMs: config.retentionIntervalMs, log });
  const pulls = new PullSessions(deps, config.workerPingMs);
  const routes = (router: ConnectRouter) => {
    router.service(ProjectService, createProjectService(deps));
    router.service(BuildService, createBuildService(deps));
    router.service(RunService, createRunService(deps));
    router.service(WorkerService, createWorkerService(deps, pulls), { readMaxBytes: Math.max(config.rpcMaxBytes, config.rpcLogMaxBytes) });
    router.service(TokenService, createTokenService(deps));
    router.service(WorkerAdminService, createWorkerAdminService({ ...deps, workerLeaseMs: config.workerLeaseMs, gate: { diskMinFreeBytes: config.workerDiskMinFreeBytes } }));
    router.service(Health, createHealthService({
      services: () => servedServices(router), stopping: stopping.signal,
      probe: () => pingStore(store),
    }));
    registerReflection(router); // last: it describes the services registered before it
  };
  const gateway = createRouter([
    ...healthRoutes(store, stopping.signal),
    ...webRoutes({ store, access, now, sessionTtlMs: config.sessionTtlMs, log }),
    ...jobservRestRoutes({ store, access, lifecycle, notes: logs, storage: artifacts, publicUrl: () => publicUrl, now, maxBytes: config.webhookMaxBytes }),
    ...runFileRoutes({ store, logs, cipher, access }),
    ...artifactRoutes({
      store, now, access, storage: artifacts, presignSeconds: config.s3PresignSeconds,
      maxFileBytes: config.artifactMaxFileBytes, maxRunBytes: config.artifactMaxRunBytes,
    }),
    ...metricsRoutes(metrics.registry),
    ...cliPackageRoutes(cliPackage),
    ...webhookRoutes({ forge, maxBytes: config.webhookMaxBytes, log, onDelivery: (f, e, o) => metrics.countWebhook(f, e, o) }),
    ...triggerHttpRoutes({ trigger, maxBytes: config.webhookMaxBytes, access }),
  ], log);
  const logMethods = [WorkerService.method.appendLog, WorkerService.method.reportTests];
  const bodyLimits = { anonymousMaxBytes: config.rpcAnonymousMaxBytes, idleMs: config.rpcBodyIdleMs };
  const leanOptions: LeanWiring = { limits: bodyLimits, log, observe: (rpc, seconds, error, canceled) => metrics.observeRpc(rpc, seconds, error, canceled) };
  const handler = rpcAdapter({
    // The gateway's routes are written against HTTP/1.1's request type; HTTP/2's compatible one reaches them too.
    routes, fallback: gateway as unknown as Parameters<typeof rpcAdapter>[0]["fallback"], log, readMaxBytes: config.rpcMaxBytes,
    // Responses under 16 KiB go uncompressed (Connect's default is 1 KiB): gzip of a
    // build document cost more server CPU than its few hundred bytes save.
    compressMinBytes: 16 * 1024,
    interceptors: [requestLog(log), metrics.interceptor(), deadlines(), domainErrors()],
    authenticate: requestGate(access, deps.workerAuth),
    // The worker's Pull and frequent unary calls skip Connect's pipeline (lean-worker-calls.ts).
    // So does TriggerBuild (lean-trigger-call.ts): its time is most of a dispatch's.
    lean: { ...leanWorkerCalls(deps, pulls, leanOptions), ...leanTriggerCall(deps, apiCallerGate(access), leanOptions) },
    limits: {
      maxBytes: config.rpcMaxBytes, ...bodyLimits,
      methodMaxBytes: Object.fromEntries(logMethods.map((m) => [`/${m.parent.typeName}/${m.name}`, config.rpcLogMaxBytes])),
    },
  });
  const listener = await listen(handler, config.port, config.host, tls).catch(async (e: unknown) => { await store.close(); throw e; });
  const url = `${tls ? "https" : "http"}://${config.host.includes(":") ? `[${config.host}]` : config.host}:${listener.port}`;
  publicUrl ||= url;
  log.info({ url, publicUrl, store: store.caps.dialect }, "jobserv server listening");
  dispatcher.start();
  leases.start();
  surges.start();
  gitPoller.start();
  retention.start();
  if (config.logArchive) archive.start();
  let closing: Promise<void> | undefined;
  return {
    url, port: listener.port,
    // Once, however many callers ask.
    close: () => closing ??= (async () => {
      // Draining: health says NOT_SERVING (watch streams end) while the port still answers, then it closes.
      stopping.abort();
      // Build watches end now too, so their clients have the drain delay to watch again elsewhere.
      await watches.close();
      if (config.drainDelayMs > 0) await new Promise((r) => setTimeout(r, config.drainDelayMs));
      await leases.stop();
      await surges.stop();
      await dispatcher.stop();
      await gitPoller.stop();
      await retention.stop();
      await listener.close();
      await archive.stop();
      await statuses.idle();
      await notifier.idle();
      await lifecycle.definitions.close();
      email.close();
      opened.close();
      await store.close();
    })(),
  };
}
