// The first lines of every console.log: how to re-create this run locally
// with the simulator (JobServ's "Steps to recreate inside simulator"). The
// lines work as they are, pasted into a shell on a machine with Node and
// Docker but not this repository: curl fetches the run definition with the
// reader's API token (an empty one is anonymous, enough for a public
// project), and npx runs the CLI package the dispatching server serves.
import type { RunDefinition } from "../../gen/jobserv/v1/run_definition_pb.js";

export function simulatorStanza(def: RunDefinition): string {
  const url = def.runUrl.endsWith("/") ? def.runUrl : `${def.runUrl}/`;
  const secrets = Object.keys(def.secrets);
  // Without a package URL (a server older than this worker), the jobserv CLI the reader has installed.
  const cli = def.cliPackageUrl ? `npx -y ${def.cliPackageUrl}` : "jobserv";
  // As many lines as ever (readers count on where the output starts); the notes are trailing shell comments.
  return [
    "== Steps to recreate inside simulator",
    `   curl -fsSL -H "Authorization: Bearer $JOBSERV_TOKEN" -o rundef.json ${url}.rundef.json   # private project: export JOBSERV_TOKEN=<API token with read scope> first`,
    ...(secrets.length ? [`   # rundef.json has the secret names (${secrets.join(", ")}) with empty values: fill them in, or pass --secret NAME=VALUE`] : []),
    `   ${cli} simulate rundef.json --workdir ./simulator   # needs Node.js >= 22 and Docker`,
    "",
  ].join("\n") + "\n";
}

export function formatDuration(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600} hour${seconds === 3600 ? "" : "s"}`;
  if (seconds % 60 === 0) return `${seconds / 60} minute${seconds === 60 ? "" : "s"}`;
  return `${seconds} second${seconds === 1 ? "" : "s"}`;
}
