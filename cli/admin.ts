// `jobserv admin prune [--project P] [--dry-run] [--json]`: applies the
// projects' retention policies now (what the server's background job does),
// or with --dry-run lists the builds it would delete; `jobserv admin
// retention PROJECT --keep-builds N --keep-days D` sets a project's policy
// (0: no limit by that rule; promoted builds are always kept).
import { parseArgs } from "node:util";
import { ProjectSchema, ProjectService, PruneBuildsResponseSchema } from "../gen/jobserv/v1/project_pb.js";
import { client } from "./client.js";
import { printJson } from "./output.js";

const USAGE = "usage: jobserv admin prune [--project P] [--dry-run] [--json]\n       jobserv admin retention PROJECT --keep-builds N --keep-days D [--json]";

const options = {
  url: { type: "string" }, token: { type: "string" }, json: { type: "boolean", default: false },
  project: { type: "string" }, "dry-run": { type: "boolean", default: false },
  "keep-builds": { type: "string", default: "0" }, "keep-days": { type: "string", default: "0" },
} as const;

const mib = (n: bigint) => `${(Number(n) / 2 ** 20).toFixed(1)} MiB`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options });
  const projects = client(ProjectService, values.url, values.token);
  if (positionals[0] === "prune" && positionals.length === 1) {
    const res = await projects.pruneBuilds({ project: values.project ?? "", dryRun: values["dry-run"] });
    if (values.json) { printJson(PruneBuildsResponseSchema, res); return 0; }
    const verb = values["dry-run"] ? "would delete" : "deleted";
    for (const b of res.builds) console.log(`${verb} ${b.project}#${b.number}: ${b.runs} runs, artifacts ${mib(b.artifactBytes)}, moved logs ${mib(b.logBytes)}`);
    console.log(`${res.builds.length} builds ${verb === "deleted" ? "deleted" : "to delete"}`);
    return 0;
  }
  if (positionals[0] === "retention" && positionals.length === 2) {
    const keepBuilds = Number(values["keep-builds"]);
    const keepDays = Number(values["keep-days"]);
    if (!Number.isInteger(keepBuilds) || !Number.isInteger(keepDays) || keepBuilds < 0 || keepDays < 0) { console.error(USAGE); return 2; }
    const { project } = await projects.updateProject({ name: positionals[1]!, retention: { keepBuilds, keepDays } });
    if (values.json) printJson(ProjectSchema, project!);
    else console.log(`${project!.name}: keep ${keepBuilds || "all"} newest builds, ${keepDays ? `and builds younger than ${keepDays} days` : "whatever their age"}; promoted builds always`);
    return 0;
  }
  console.error(USAGE);
  return 2;
}
