// The first lines of every console.log: how to re-create this run locally
// with the simulator (JobServ's "Steps to recreate inside simulator").
import type { RunDefinition } from "../../gen/jobserv/v1/run_definition_pb.js";

export function simulatorStanza(def: RunDefinition): string {
  const url = def.runUrl.endsWith("/") ? def.runUrl : `${def.runUrl}/`;
  const secrets = Object.keys(def.secrets);
  return [
    "== Steps to recreate inside simulator",
    `   curl -fsSL -o rundef.json ${url}.rundef.json`,
    ...(secrets.length ? [`   # rundef.json has the secret names (${secrets.join(", ")}) with empty values: fill them in, or pass --secret NAME=VALUE`] : []),
    "   npx jobserv simulate rundef.json --workdir ./simulator",
    "",
  ].join("\n") + "\n";
}

export function formatDuration(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600} hour${seconds === 3600 ? "" : "s"}`;
  if (seconds % 60 === 0) return `${seconds / 60} minute${seconds === 60 ? "" : "s"}`;
  return `${seconds} second${seconds === 1 ? "" : "s"}`;
}
