// `jobserv promote PROJECT N --name NAME [--annotation TEXT] [--json]`: marks a
// PASSED build as PROMOTED (a release). Exit 2 if the build is not PASSED.
import { BuildSchema, BuildService } from "../gen/jobserv/v1/build_pb.js";
import { JSON_OPTION, parseApiArgs } from "./args.js";
import { UsageError } from "./errors.js";
import { buildNumber, printJson, statusName } from "./output.js";

const options = { ...JSON_OPTION, name: { type: "string" }, annotation: { type: "string", default: "" } } as const;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals, api } = parseApiArgs(argv, options);
  const [project, n] = positionals;
  const number = buildNumber(n);
  if (!project || number === undefined || !values.name) throw new UsageError("usage: jobserv promote PROJECT N --name NAME [--annotation TEXT] [--json]");
  const { build } = await api(BuildService).promoteBuild({ project, number, name: values.name, annotation: values.annotation });
  if (values.json) printJson(BuildSchema, build!);
  else console.log(`build ${project}#${number}: ${statusName(build!.status)} as ${build!.name}`);
  return 0;
}
