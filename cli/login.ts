// `jobserv login [--url URL] [--token TOKEN]`: checks the token against the
// server (a call any valid token may make) and saves URL and token in the
// config file, so later commands need neither flag nor variable. The token
// comes from --token, else the terminal (not echoed), else stdin.
import { parseArgs } from "node:util";
import { ProjectService } from "../gen/jobserv/v1/project_pb.js";
import { client } from "./client.js";
import { resolveUrl, writeConfigFile } from "./config.js";
import { UsageError } from "./errors.js";
import { askSecret, readStdin, stdinIsTerminal } from "./input.js";

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { url: { type: "string" }, token: { type: "string" } } });
  if (positionals.length) throw new UsageError("usage: jobserv login [--url URL] [--token TOKEN]");
  const url = resolveUrl(values.url);
  const token = (values.token ?? (stdinIsTerminal() ? await askSecret(`API token for ${url} (not shown): `) : await readStdin())).trim();
  if (!token) throw new UsageError("login: no token given (--token, the terminal or stdin)");
  // Unauthenticated (a wrong or revoked token) or unreachable: explained by main.ts, nothing written.
  await client(ProjectService, url, token).listProjects({ pageSize: 1 });
  const file = writeConfigFile({ url, token });
  console.log(`logged in to ${url}; saved in ${file}`);
  return 0;
}
