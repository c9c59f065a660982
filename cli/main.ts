// `jobserv <command>`: dispatches to one small module per command group.
// Exit codes: 0 success (or PASSED), 1 the build/run FAILED, 2 usage or API error.
import { ConnectError } from "@connectrpc/connect";

const commands: Record<string, () => Promise<{ run(argv: string[]): Promise<number> }>> = {
  dev: () => import("./dev.js"),
  server: () => import("./server.js"),
  worker: () => import("./worker.js"),
  project: () => import("./project.js"),
  trigger: () => import("./trigger.js"),
  logs: () => import("./logs.js"),
};

const USAGE = `usage: jobserv <command> [args]
  dev [--port N] [--db URL]              server + local worker on embedded SQLite
  server                                 one API server (env: JOBSERV_DATABASE, JOBSERV_PORT, ...)
  worker                                 one worker (env: JOBSERV_URL, JOBSERV_WORKER_*)
  project apply -f FILE [--name NAME]    create or update a project from YAML
  trigger PROJECT [--trigger NAME] [-p K=V]... [--follow]
  logs PROJECT BUILD RUN [-f]            print (or follow) a run's console log
environment: JOBSERV_URL (default http://127.0.0.1:8080)`;

const [name, ...rest] = process.argv.slice(2);
const load = name ? commands[name] : undefined;
if (!load) {
  console.error(USAGE);
  process.exit(2);
}
try {
  process.exitCode = await (await load()).run(rest);
} catch (e) {
  console.error(e instanceof ConnectError ? `jobserv ${name}: ${e.message}` : e);
  process.exitCode = 2;
}
