// The table of `jobserv` commands: what each is for (one line for `jobserv
// --help`), its usage (printed by `jobserv CMD --help`, without loading the
// command, so `server --help` starts nothing), the words and flags shell
// completion offers, and how to load it.
export interface CommandModule {
  run(argv: string[]): Promise<number>;
}

export interface CommandInfo {
  name: string;
  summary: string;
  usage: string;
  /** First positional words (completion). */
  subcommands?: readonly string[];
  /** Flags (completion); --help is implied. */
  flags: readonly string[];
  /** Positionals are file names (completion). */
  files?: boolean;
  load(): Promise<CommandModule>;
}

/** The connection flags of every command that talks to a server. */
export const CONNECTION_HELP = `connection:
  --url URL      the server (else JOBSERV_URL, else "url" in the config file, else http://127.0.0.1:8080)
  --token TOKEN  the API token (else JOBSERV_TOKEN, else "token" in the config file; jobserv login writes it)`;

const API_FLAGS = ["--url", "--token"] as const;

function api(usage: string, json = true): string {
  return `${usage}\n${json ? "  --json         proto JSON on stdout, for scripts\n" : ""}${CONNECTION_HELP}`;
}

export const COMMANDS: readonly CommandInfo[] = [
  {
    name: "dev", summary: "a server and a local worker on the embedded SQLite store, for one laptop",
    usage: `usage: jobserv dev [--port N] [--db URL] [--concurrency N]
  --port N         listen port (else JOBSERV_PORT, else 8080); one instance per port: its worker,
                   worker folder and admin token (.jobserv/dev-<port>/) are its own
  --db URL         store (else JOBSERV_DATABASE, else sqlite:./jobserv.db)
  --concurrency N  runs the local worker executes at once (2)
The admin token is kept in .jobserv/dev-<port>/admin-token and reused at the next start.`,
    flags: ["--port", "--db", "--concurrency"],
    load: () => import("./dev.js"),
  },
  {
    name: "server", summary: "one API server instance, configured by JOBSERV_* variables (README)",
    usage: `usage: jobserv server
Starts one API server; settings come from the environment (JOBSERV_DATABASE, JOBSERV_PORT, ...:
README's settings table). Logs are JSON lines on stdout. SIGTERM or SIGINT drains and stops it.`,
    flags: [],
    load: () => import("./server.js"),
  },
  {
    name: "worker", summary: "one worker, configured by JOBSERV_URL, JOBSERV_WORKER_NAME, JOBSERV_WORKER_TAGS and the other worker settings in README.md",
    usage: `usage: jobserv worker
Starts one worker pulling runs from JOBSERV_URL; settings come from the environment
(JOBSERV_WORKER_NAME, _TAGS, _CONCURRENCY, _DIR, ...: README's settings table).
SIGTERM or SIGINT stops taking runs and waits for those in flight.`,
    flags: [],
    load: () => import("./worker.js"),
  },
  {
    name: "migrate", summary: "apply the store's pending migrations (--check: only say whether any are pending)",
    usage: `usage: jobserv migrate [--check]
Applies the store's pending migrations (JOBSERV_DATABASE), for servers started with JOBSERV_MIGRATE=off.
  --check        change nothing; exit 0 when none is pending, 1 when some are`,
    flags: ["--check"],
    load: () => import("./migrate.js"),
  },
  {
    name: "login", summary: "check an API token against a server and save both in the config file",
    usage: `usage: jobserv login [--url URL] [--token TOKEN]
Without --token the token is read from the terminal (not echoed) or from stdin.
Writes {"url", "token"} to $XDG_CONFIG_HOME/jobserv/config.json (~/.config/jobserv/config.json), mode 0600.`,
    flags: ["--url", "--token"],
    load: () => import("./login.js"),
  },
  {
    name: "project", summary: "create or update a project from YAML, list, show, delete",
    usage: api(`usage: jobserv project apply -f FILE [--name NAME] [--public | --private] [--synchronous-builds=true|false]
       jobserv project list | show NAME | delete NAME [--yes]
  -f FILE        the project's YAML; - reads it from stdin (then --name is needed)
  --name NAME    the project's name (default: the file's name without .yml)
  --public       anyone may read its builds, runs and logs; --private: only tokens (the default for new projects)
  --yes          delete without asking (needed when stdin is not a terminal)
  --synchronous-builds=true|false   run its builds one at a time (default: the YAML's synchronous-builds)`),
    subcommands: ["apply", "list", "show", "delete"],
    flags: ["-f", "--name", "--public", "--private", "--yes", "--synchronous-builds", "--json", ...API_FLAGS],
    files: true,
    load: () => import("./project.js"),
  },
  {
    name: "secrets", summary: "set, list (names only) and unset a trigger's secrets",
    usage: api(`usage: jobserv secrets set PROJECT TRIGGER NAME [--file FILE]
       jobserv secrets list PROJECT TRIGGER
       jobserv secrets unset PROJECT TRIGGER NAME...
  set reads the value from --file (as is; - for stdin), else from the terminal (not echoed), else from
  stdin (one trailing newline dropped). Values are never printed; list shows names only.
  Well-known names: webhook-key (forge webhook secret), githubtok, gitlabtok (forge API tokens).`),
    subcommands: ["set", "list", "unset"],
    flags: ["--file", "--json", ...API_FLAGS],
    load: () => import("./secrets.js"),
  },
  {
    name: "trigger", summary: "start a build; --follow shows its runs until it completes",
    usage: api(`usage: jobserv trigger PROJECT [--trigger NAME] [-p K=V]... [--priority N] [--follow]
  --trigger NAME  which trigger (default: the project's only simple trigger)
  -p K=V          a build parameter (repeatable)
  --priority N    queue priority: higher runs first (default: the trigger's queue-priority)
  --follow        show run statuses until the build completes (redrawn in place on a terminal);
                  exit 0 if it PASSED, 1 if it FAILED`),
    flags: ["--trigger", "-p", "--priority", "--follow", "--json", ...API_FLAGS],
    load: () => import("./trigger.js"),
  },
  {
    name: "builds", summary: "a project's builds, newest first",
    usage: api("usage: jobserv builds PROJECT [--limit N]\n  --limit N      at most N builds (20)"),
    flags: ["--limit", "--json", ...API_FLAGS],
    load: () => import("./builds.js"),
  },
  {
    name: "build", summary: "one build and its runs (exit 1 if it FAILED)",
    usage: api("usage: jobserv build PROJECT N"),
    flags: ["--json", ...API_FLAGS],
    load: async () => ({ run: (await import("./builds.js")).show }),
  },
  {
    name: "cancel", summary: "cancel a build, or one of its runs",
    usage: api("usage: jobserv cancel PROJECT N [RUN]"),
    flags: ["--json", ...API_FLAGS],
    load: async () => ({ run: (await import("./builds.js")).cancel }),
  },
  {
    name: "rerun", summary: "queue a complete run again (its log, tests and artifacts cleared)",
    usage: api("usage: jobserv rerun PROJECT N RUN"),
    flags: ["--json", ...API_FLAGS],
    load: () => import("./rerun.js"),
  },
  {
    name: "promote", summary: "mark a PASSED build as a release",
    usage: api("usage: jobserv promote PROJECT N --name NAME [--annotation TEXT]"),
    flags: ["--name", "--annotation", "--json", ...API_FLAGS],
    load: () => import("./promote.js"),
  },
  {
    name: "logs", summary: "print (or follow) a run's console log",
    usage: api("usage: jobserv logs PROJECT BUILD RUN [-f]\n  -f, --follow   follow the log until the run completes; exit 0 if it PASSED, 1 otherwise", false),
    flags: ["-f", "--follow", ...API_FLAGS],
    load: () => import("./logs.js"),
  },
  {
    name: "admin", summary: "apply retention policies now, or set a project's policy",
    usage: api(`usage: jobserv admin prune [--project P] [--dry-run]
       jobserv admin retention PROJECT --keep-builds N --keep-days D
  prune          delete the builds projects' retention policies let go (what the server's job does); --dry-run lists them
  retention      set a project's policy (0: no limit by that rule; promoted builds are always kept)`),
    subcommands: ["prune", "retention"],
    flags: ["--project", "--dry-run", "--keep-builds", "--keep-days", "--json", ...API_FLAGS],
    load: () => import("./admin.js"),
  },
  {
    name: "tokens", summary: "create, list and revoke API tokens",
    usage: api(`usage: jobserv tokens create NAME --scope read|trigger|admin [--project P]...
       jobserv tokens list | revoke ID
  create prints the secret once, on stdout; it cannot be read later.`),
    subcommands: ["create", "list", "revoke"],
    flags: ["--scope", "--project", "--json", ...API_FLAGS],
    load: () => import("./tokens.js"),
  },
  {
    name: "workers", summary: "list workers; enlist, restrict, disable or delete one",
    usage: api("usage: jobserv workers list | enlist NAME [--allow TAG]... | disable NAME | delete NAME"),
    subcommands: ["list", "enlist", "disable", "delete"],
    flags: ["--allow", "--json", ...API_FLAGS],
    load: () => import("./workers.js"),
  },
  {
    name: "simulate", summary: "run a downloaded run definition (.rundef.json) locally in Docker",
    usage: `usage: jobserv simulate RUNDEF.json [--workdir DIR] [-s NAME=VALUE]... [-v VOLUME=PATH]... [--network host|none]
  --workdir DIR  where the run's folder, console.log and /archive go (./simulator)
  -s NAME=VALUE  a secret's value (the downloaded definition has the names with empty values)
  -v NAME=PATH   a shared volume's host path`,
    flags: ["--workdir", "-s", "--secret", "-v", "--shared-volume", "--network"],
    files: true,
    load: () => import("./simulate.js"),
  },
  {
    name: "exec", summary: "run one run of a local project file in Docker, no server",
    usage: `usage: jobserv exec PROJECT.yml --run NAME [--trigger NAME] [-p K=V]... [-s NAME=VALUE]... [--workdir DIR]`,
    flags: ["--run", "--trigger", "-p", "-s", "--workdir", "--network"],
    files: true,
    load: () => import("./exec.js"),
  },
  {
    name: "completion", summary: "print a shell completion script (bash or zsh)",
    usage: `usage: jobserv completion bash | zsh
  bash: source <(jobserv completion bash)       (or save it in /etc/bash_completion.d/jobserv)
  zsh:  source <(jobserv completion zsh)        (after compinit; or save it as _jobserv in your $fpath)`,
    subcommands: ["bash", "zsh"],
    flags: [],
    // The completion script is made from this table, handed over (completion.ts does not import it).
    load: async () => { const completion = await import("./completion.js"); return { run: (argv) => completion.run(argv, COMMANDS) }; },
  },
];

export function findCommand(name: string): CommandInfo | undefined {
  return COMMANDS.find((c) => c.name === name);
}

/** `jobserv --help`: every command with its one line, then the conventions. */
export function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return `usage: jobserv <command> [args]   (jobserv <command> --help for its usage)
${COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join("\n")}
Commands that talk to a server take --url and --token; those that print data take --json.
exit codes: 0 ok (build PASSED), 1 build or run FAILED (trigger --follow, build, logs -f),
  2 usage or API error, 3 not found (project, build, run or secret)`;
}
