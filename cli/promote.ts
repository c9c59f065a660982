// `jobserv promote PROJECT N --name NAME [--annotation TEXT] [--json]`: marks a
// PASSED build as PROMOTED (a release). Exit 2 if the build is not PASSED.
import { parseArgs } from "node:util";
import { BuildSchema, BuildService } from "../gen/jobserv/v1/build_pb.js";
import { client } from "./client.js";
import { buildNumber, printJson, statusName } from "./output.js";

const options = {
  url: { type: "string" }, token: { type: "string" }, json: { type: "boolean", default: false },
  name: { type: "string" }, annotation: { type: "string", default: "" },
} as const;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options });
  const [project, n] = positionals;
  const number = buildNumber(n);
  if (!project || number === undefined || !values.name) { console.error("usage: jobserv promote PROJECT N --name NAME [--annotation TEXT] [--json]"); return 2; }
  const { build } = await client(BuildService, values.url, values.token).promoteBuild({ project, number, name: values.name, annotation: values.annotation });
  if (values.json) printJson(BuildSchema, build!);
  else console.log(`build ${project}#${number}: ${statusName(build!.status)} as ${build!.name}`);
  return 0;
}
