// Run credentials, as JobServ writes them: a .netrc (and a .curlrc pointing
// curl at it) so a run's scripts can call the server as the run (login
// `jobserv`, the run token as password) and the forges with the trigger's SCM
// tokens (githubtok; gitlabtok with gitlabuser), plus any `netrc-*` secret
// verbatim. Mounted read-only at /root/.netrc and /root/.curlrc; the files
// live in the run folder, so they go with the run. The caller masks the
// values in the log.
import { chmod, mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import type { RunDefinition } from "../../gen/jobserv/v1/run_definition_pb.js";

interface Entry { machine: string; login: string; password: string }

function hostOf(url: string | undefined): string | undefined {
  try {
    return url ? new URL(url).hostname || undefined : undefined;
  } catch {
    return undefined;
  }
}

export function netrcEntries(def: RunDefinition, runToken: string | undefined): Entry[] {
  const out: Entry[] = [];
  const server = hostOf(def.runUrl);
  if (server && runToken) out.push({ machine: server, login: "jobserv", password: runToken });
  const gh = def.secrets["githubtok"];
  if (gh) for (const machine of ["github.com", "api.github.com"]) out.push({ machine, login: "x-access-token", password: gh });
  const gl = def.secrets["gitlabtok"];
  if (gl) {
    const hosts = new Set([hostOf(def.env["GL_TARGET_REPO"]), hostOf(def.env["GIT_URL"]), hostOf(def.scriptRepo?.cloneUrl), "gitlab.com"]
      .filter((h): h is string => h !== undefined && (def.triggerType === "gitlab_mr" || h === "gitlab.com" || h.includes("gitlab"))));
    for (const machine of hosts) out.push({ machine, login: def.secrets["gitlabuser"] || "oauth2", password: gl });
  }
  return out;
}

/** Writes the files into `dir` and returns their binds and the values to mask. */
export async function writeNetrc(def: RunDefinition, runToken: string | undefined, dir: string): Promise<{ binds: string[]; values: string[] }> {
  const entries = netrcEntries(def, runToken);
  const raw = Object.entries(def.secrets).filter(([name]) => name.startsWith("netrc-")).map(([, v]) => v.trim());
  if (!entries.length && !raw.length) return { binds: [], values: [] };
  const folder = path.join(dir, "netrc");
  await mkdir(folder, { recursive: true, mode: 0o700 });
  const text = [...entries.map((e) => `machine ${e.machine} login ${e.login} password ${e.password}`), ...raw].join("\n") + "\n";
  const netrc = path.join(folder, "netrc");
  const curlrc = path.join(folder, "curlrc");
  await writeFile(netrc, text, { mode: 0o444 });
  await writeFile(curlrc, "netrc-file = /root/.netrc\n", { mode: 0o444 });
  await chmod(folder, 0o700);
  return { binds: [`${netrc}:/root/.netrc:ro`, `${curlrc}:/root/.curlrc:ro`], values: entries.map((e) => e.password) };
}
