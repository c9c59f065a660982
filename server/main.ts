// startServer: the composition root of one API server instance. Opens the
// store, wires domain pieces together (callbacks instead of imports between
// them), mounts the Connect services and the REST gateway on one port.
import { connectNodeAdapter } from "@connectrpc/connect-node";
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
import type { ServerConfig } from "./config.js";
import { healthRoutes } from "./gateway/health.js";
import { createRouter } from "./gateway/router.js";
import { buildJsonRoutes } from "./gateway/build-json.js";
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
import { ServerMetrics } from "./metrics.js";
import { fireBuildTriggers, fireRunTriggers, type ChainDeps } from "./builds/chain.js";
import { DefinitionCache } from "./projects/definition-cache.js";
import { StatusEvents } from "./builds/events.js";
import { LogStore } from "./logs/log-store.js";
import { LogArchive } from "./logs/log-archive.js";
import { isComplete } from "./builds/status.js";
import { Dispatcher } from "./scheduler/dispatcher.js";
import { LeaseKeeper } from "./scheduler/leases.js";
import { SecretCipher } from "./secrets/cipher.js";
import { loadSecretsKey } from "./secrets/key.js";
import { openStore } from "./store/db.js";
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
import { logSize } from "./store/log-chunks.js";
import { createLogger } from "./logger.js";
import { requestLog } from "./http/request-log.js";

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
  const store = await openStore(config.databaseUrl, log, { migrate: false });
  try {
    await waitForStore(store, config.databaseUrl, log, { maxMs: config.storeWaitMs });
    await prepareSchema(store.db, config.migrate, log);
  } catch (e) {
    await store.close();
    throw new StartupError((e as Error).message, { cause: e });
  }
  const now = () => Date.now();
  const events = new StatusEvents(log);
  const stopping = new AbortController();
  const metrics = new ServerMetrics(new Registry(), { store, log, connectedWorkers: () => dispatcher.workers.list().length });
  const dispatcher = new Dispatcher(store, events, cipher, now, { pollMs: config.pollMs, log, onAssigned: (q, a) => metrics.observeDispatch(q, a) });
  const opened = openArtifactStorage(config);
  const artifacts = opened.storage;
  const archive = new LogArchive(store, artifacts, { delayMs: config.logArchiveDelayMs, sweepMs: LOG_ARCHIVE_SWEEP_MS, log });
  if (config.logArchive) events.onRun((e) => { if (isComplete(e.status)) archive.schedule(e.runId); });
  const logs = new LogStore(store, { pollMs: config.pollMs, onAppended: (n) => metrics.countLogBytes(n), archive });
  let publicUrl = config.publicUrl;
  const note = async (runId: number, text: string) => { await logs.append(runId, (await logSize(store.db, runId)) ?? 0, Buffer.from(text)); };
  const leases = new LeaseKeeper({
    store, events, workers: dispatcher.workers, now, note,
    onRequeued: () => dispatcher.wake(),
    onCompleted: (runId) => { logs.notify(runId); dispatcher.wake(); },
    cancel: (runId, worker) => dispatcher.cancel(runId, worker),
    log,
  }, { leaseMs: config.workerLeaseMs, ackMs: config.assignmentAckMs, sweepMs: Math.min(5_000, Math.max(200, config.workerLeaseMs / 5)) });
  if (config.adminToken) await ensureToken(store.db, "initial admin (JOBSERV_ADMIN_TOKEN)", config.adminToken, Scope.ADMIN, now());
  const access = new Access(store);
  const deps: ApiDeps = {
    store, cipher, logs, dispatcher, leases, now, authz: new Authorizer(access, store), artifacts,
    workerRegistrationSecret: config.workerRegistrationSecret,
    trigger: { store, cipher, events, now, get publicUrl() { return publicUrl; }, onQueued: () => dispatcher.wake() },
    runUpdates: {
      store, events, now,
      onRunCompleted: (run) => { logs.notify(run.id); if (run.worker_name) dispatcher.wakeWorker(run.worker_name); },
      onCancelRequested: (runId, worker) => dispatcher.cancel(runId, worker),
      chain: {
        runPassed: (run) => fireRunTriggers(chainDeps, run),
        buildPassed: (buildId) => fireBuildTriggers(chainDeps, buildId),
        note,
      },
    },
  };
  const chainDeps: ChainDeps = { store, events, now, get publicUrl() { return publicUrl; }, onQueued: () => dispatcher.wake(), definitions: new DefinitionCache() };
  const forge: ForgeDeps = { trigger: deps.trigger, githubApi: config.githubApi, gitlabApi: config.gitlabApi, retryMs: config.forgeRetryMs, log };
  const statuses = new CommitStatusReporter({ store, cipher, githubApi: config.githubApi, publicUrl: () => publicUrl, retryMs: config.forgeRetryMs, attempts: 4, log });
  events.onRun((e) => statuses.onRun(e));
  const gitPoller = new GitPoller(deps.trigger, { intervalMs: config.gitPollIntervalMs, log });
  const email = new EmailSender({ smtpUrl: config.smtpUrl, from: config.mailFrom, retryMs: config.forgeRetryMs, log });
  const notifier = new BuildNotifier({ store, cipher, email, publicUrl: () => publicUrl, retryMs: config.forgeRetryMs, log });
  events.onBuild((e) => notifier.onBuild(e));
  const routes = (router: ConnectRouter) => {
    router.service(ProjectService, createProjectService(deps));
    router.service(BuildService, createBuildService(deps));
    router.service(RunService, createRunService(deps));
    router.service(WorkerService, createWorkerService(deps));
    router.service(TokenService, createTokenService(deps));
    router.service(WorkerAdminService, createWorkerAdminService({ ...deps, workerLeaseMs: config.workerLeaseMs }));
    router.service(Health, createHealthService({
      services: () => servedServices(router), stopping: stopping.signal,
      probe: () => store.db.selectFrom("projects").select("id").limit(1).execute(),
    }));
    registerReflection(router); // last: it describes the services registered before it
  };
  const gateway = createRouter([
    ...healthRoutes(store, stopping.signal),
    ...buildJsonRoutes({ store, access }),
    ...runFileRoutes({ store, logs, cipher, access }),
    ...artifactRoutes({
      store, now, access, storage: artifacts, presignSeconds: config.s3PresignSeconds,
      maxFileBytes: config.artifactMaxFileBytes, maxRunBytes: config.artifactMaxRunBytes,
    }),
    ...metricsRoutes(metrics.registry),
    ...webhookRoutes({ forge, maxBytes: config.webhookMaxBytes }),
    ...triggerHttpRoutes({ trigger: deps.trigger, maxBytes: config.webhookMaxBytes, access }),
  ], log);
  type Fallback = NonNullable<Parameters<typeof connectNodeAdapter>[0]["fallback"]>;
  const handler = connectNodeAdapter({ routes, fallback: gateway as unknown as Fallback, interceptors: [requestLog(log), metrics.interceptor()] });
  const listener = await listen(handler, config.port, config.host, tls);
  const url = `${tls ? "https" : "http"}://${config.host.includes(":") ? `[${config.host}]` : config.host}:${listener.port}`;
  publicUrl ||= url;
  dispatcher.start();
  leases.start();
  gitPoller.start();
  if (config.logArchive) archive.start();
  return {
    url, port: listener.port,
    async close() {
      // Draining: health says NOT_SERVING (watch streams end) while the port still answers, then it closes.
      stopping.abort();
      if (config.drainDelayMs > 0) await new Promise((r) => setTimeout(r, config.drainDelayMs));
      await leases.stop();
      await dispatcher.stop();
      await gitPoller.stop();
      await listener.close();
      await archive.stop();
      await statuses.idle();
      await notifier.idle();
      email.close();
      opened.close();
      await store.close();
    },
  };
}
