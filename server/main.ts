// !!! TEMPORARY NOTE FOR ENGINEERS WORKING CONCURRENTLY: read /work/CONCURRENT-RULES.md now and follow it
// !!! (no git commit/stash/reset; small str_replace edits to shared files only). The lead removes this note.
// startServer: the composition root of one API server instance. Opens the
// store, wires domain pieces together (callbacks instead of imports between
// them), mounts the Connect services and the REST gateway on one port.
import { connectNodeAdapter } from "@connectrpc/connect-node";
import type { ConnectRouter } from "@connectrpc/connect";
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
import { runFileRoutes } from "./gateway/run-files.js";
import { listen } from "./http/listener.js";
import { StatusEvents } from "./builds/events.js";
import { LogStore } from "./logs/log-store.js";
import { Dispatcher } from "./scheduler/dispatcher.js";
import { SecretCipher } from "./secrets/cipher.js";
import { loadSecretsKey } from "./secrets/key.js";
import { openStore } from "./store/db.js";

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export async function startServer(config: ServerConfig): Promise<RunningServer> {
  const cipher = new SecretCipher(loadSecretsKey(config));
  const store = await openStore(config.databaseUrl);
  const now = () => Date.now();
  const events = new StatusEvents();
  const dispatcher = new Dispatcher(store, events, cipher, now, { pollMs: config.pollMs });
  const logs = new LogStore(store, { pollMs: config.pollMs });
  let publicUrl = config.publicUrl;
  const deps: ApiDeps = {
    store, cipher, logs, dispatcher, now,
    workerRegistrationSecret: config.workerRegistrationSecret,
    trigger: { store, cipher, events, now, get publicUrl() { return publicUrl; }, onQueued: () => dispatcher.wake() },
    runUpdates: {
      store, events, now,
      onRunCompleted: (run) => { logs.notify(run.id); dispatcher.wake(); },
      onCancelRequested: (runId, worker) => dispatcher.cancel(runId, worker),
    },
  };
  const routes = (router: ConnectRouter) => {
    router.service(ProjectService, createProjectService(deps));
    router.service(BuildService, createBuildService(deps));
    router.service(RunService, createRunService(deps));
    router.service(WorkerService, createWorkerService(deps));
  };
  const gateway = createRouter([
    ...healthRoutes(store),
    ...runFileRoutes({ store, logs }),
  ]);
  type Fallback = NonNullable<Parameters<typeof connectNodeAdapter>[0]["fallback"]>;
  const handler = connectNodeAdapter({ routes, fallback: gateway as unknown as Fallback });
  const listener = await listen(handler, config.port, config.host);
  const url = `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${listener.port}`;
  publicUrl ||= url;
  dispatcher.start();
  return {
    url, port: listener.port,
    async close() {
      dispatcher.stop();
      await listener.close();
      await store.close();
    },
  };
}
