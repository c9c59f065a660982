// `jobserv <command>`: dispatches to one small module per command group.
// Exit codes: 0 success (or PASSED), 1 the build/run FAILED, 2 usage or API error, 3 not found.
import { Code, ConnectError } from "@connectrpc/connect";
import { ConfigError, resolveUrl } from "./config.js";

const commands: Record<string, () => Promise<{ run(argv: string[]): Promise<number> }>> = {
  dev: () => import("./dev.js"),
  server: () => import("./server.js"),
  worker: () => import("./worker.js"),
  project: () => import("./project.js"),
  trigger: () => import("./trigger.js"),
  logs: () => import("./logs.js"),
  simulate: () => import("./simulate.js"),
  exec: () => import("./exec.js"),
  builds: () => import("./builds.js"),
  build: async () => ({ run: (await import("./builds.js")).show }),
  cancel: async () => ({ run: (await import("./builds.js")).cancel }),
  tokens: () => import("./tokens.js"),
  workers: () => import("./workers.js"),
  rerun: () => import("./rerun.js"),
  promote: () => import("./promote.js"),
  migrate: () => import("./migrate.js"),
  admin: () => import("./admin.js"),
};

const USAGE = `usage: jobserv <command> [args]
  dev [--port N] [--db URL]              server + local worker on embedded SQLite
  server                                 one API server (env: JOBSERV_DATABASE, JOBSERV_PORT, ...)
  worker                                 one worker (env: JOBSERV_URL, JOBSERV_WORKER_*)
  migrate [--check]                      apply the store's pending migrations (--check: exit 1 if any)
  project apply -f FILE [--name NAME]    create or update a project from YAML
  project list | show NAME | delete NAME
  trigger PROJECT [--trigger NAME] [-p K=V]... [--follow]
                                         start a build; --follow shows run statuses until it completes
  builds PROJECT [--limit N]             a project's builds, newest first
  build PROJECT N                        one build and its runs
  cancel PROJECT N [RUN]                 cancel a build, or one of its runs
  rerun PROJECT N RUN                    queue a complete run again (its log, tests, artifacts cleared)
  promote PROJECT N --name NAME [--annotation TEXT]   mark a PASSED build as a release
  logs PROJECT BUILD RUN [-f]            print (or follow) a run's console log
  admin prune [--project P] [--dry-run]  apply retention policies now (--dry-run: list what would go)
  admin retention PROJECT --keep-builds N --keep-days D   set a project's retention policy
  tokens create NAME --scope read|trigger|admin [--project P]...   create an API token (secret printed once)
  tokens list | revoke ID
  workers list | enlist NAME [--allow TAG]... | disable NAME | delete NAME
  simulate RUNDEF.json [--workdir DIR] [-s SECRET=V]...   run a downloaded run definition locally
  exec PROJECT.yml --run NAME [--trigger T] [-p K=V]...   run one run of a local project file, no server
API commands take --url URL and --json (proto JSON on stdout, for scripts).
server URL: --url, else JOBSERV_URL, else "url" in ~/.config/jobserv/config.json
  ($XDG_CONFIG_HOME/jobserv/config.json), else http://127.0.0.1:8080
exit codes: 0 ok (build PASSED), 1 build or run FAILED (trigger --follow, build, logs -f),
  2 usage or API error, 3 not found (project, build or run)`;

const [name, ...rest] = process.argv.slice(2);
const load = name ? commands[name] : undefined;
if (!load) {
  console.error(USAGE);
  process.exit(2);
}
try {
  process.exitCode = await (await load()).run(rest);
} catch (e) {
  process.exitCode = 2;
  if (e instanceof ConnectError) {
    if (e.code === Code.NotFound) process.exitCode = 3;
    const where = e.code === Code.Unavailable || e.code === Code.Unknown ? ` (server ${serverUrl()})` : "";
    console.error(`jobserv ${name}: ${e.message}${where}`);
  } else if (e instanceof ConfigError || String((e as { code?: unknown }).code).startsWith("ERR_PARSE_ARGS")) {
    console.error(`jobserv ${name}: ${(e as Error).message}`);
  } else {
    console.error(e);
  }
}

/** The server URL the command used, for messages about reaching it. */
function serverUrl(): string {
  const i = rest.indexOf("--url");
  const flag = i >= 0 ? rest[i + 1] : rest.find((a) => a.startsWith("--url="))?.slice("--url=".length);
  try { return resolveUrl(flag); } catch { return "?"; }
}
