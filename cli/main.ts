// `jobserv <command>`: dispatches to one small module per command group
// (commands.ts). `--help`/`-h` anywhere before `--` prints that command's
// usage on stdout and exits 0 without running it; `--version` prints the
// version. Failures are one line on stderr (errors.ts). A closed stdout
// (`jobserv logs ... | head`) ends the command quietly.
// Exit codes: 0 success (or PASSED), 1 the build/run FAILED, 2 usage or API error, 3 not found.
import { findCommand, overview } from "./commands.js";
import { resolveUrl } from "./config.js";
import { explain } from "./errors.js";
import { packageVersion } from "./version.js";

for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (e: NodeJS.ErrnoException) => {
    // The reader went away (`| head`): nothing more to say to it.
    if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw e;
  });
}

const [name, ...rest] = process.argv.slice(2);
const beforeDashDash = rest.slice(0, rest.includes("--") ? rest.indexOf("--") : rest.length);
const wantsHelp = beforeDashDash.some((a) => a === "--help" || a === "-h");

if (name === undefined) {
  console.error(overview());
  process.exitCode = 2;
} else if (name === "--help" || name === "-h" || name === "help") {
  const topic = name === "help" && rest[0] ? findCommand(rest[0]) : undefined;
  if (name === "help" && rest[0] && !topic) {
    console.error(`jobserv: no command "${rest[0]}"\n${overview()}`);
    process.exitCode = 2;
  } else {
    console.log(topic ? topic.usage : overview());
  }
} else if (name === "--version" || name === "-V" || name === "version") {
  console.log(`jobserv ${packageVersion()}`);
} else {
  const command = findCommand(name);
  if (!command) {
    console.error(`jobserv: no command "${name}"\n${overview()}`);
    process.exitCode = 2;
  } else if (wantsHelp) {
    console.log(command.usage);
  } else {
    try {
      process.exitCode = await (await command.load()).run(rest);
    } catch (e) {
      const { message, exitCode, unexpected } = explain(e, { command: name, serverUrl });
      process.exitCode = exitCode;
      console.error(`jobserv ${name}: ${message}`);
      if (unexpected && e instanceof Error && e.stack) console.error(e.stack);
    }
  }
}

/** The server URL the command used, for messages about reaching it. */
function serverUrl(): string {
  const i = rest.indexOf("--url");
  const flag = i >= 0 ? rest[i + 1] : rest.find((a) => a.startsWith("--url="))?.slice("--url=".length);
  try { return resolveUrl(flag); } catch { return "?"; }
}
