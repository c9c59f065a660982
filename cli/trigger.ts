// `jobserv trigger PROJECT [--trigger NAME] [-p K=V]... [--priority N] [--follow] [--json]`:
// starts a build; with --follow shows run statuses until it completes (in
// place on a terminal, plain lines otherwise) and exits 0 if it PASSED, 1 if
// it FAILED. --json prints the build as proto JSON (the final one with --follow).
import { BuildSchema, BuildService } from "../gen/jobserv/v1/build_pb.js";
import { Status } from "../gen/jobserv/v1/status_pb.js";
import { JSON_OPTION, keyValues, parseApiArgs } from "./args.js";
import { UsageError } from "./errors.js";
import { followBuild } from "./follow.js";
import { printJson } from "./output.js";

export async function run(argv: string[]): Promise<number> {
  const { values, positionals, api } = parseApiArgs(argv, {
    ...JSON_OPTION, trigger: { type: "string", default: "" }, param: { type: "string", short: "p", multiple: true, default: [] },
    follow: { type: "boolean", default: false }, priority: { type: "string" },
  });
  const project = positionals[0];
  if (!project) throw new UsageError("usage: jobserv trigger PROJECT [--trigger NAME] [-p K=V]... [--priority N] [--follow] [--json]");
  const priority = values.priority === undefined ? undefined : Number(values.priority);
  if (priority !== undefined && !Number.isInteger(priority)) throw new UsageError(`trigger: --priority ${values.priority}: expected an integer`);
  const params = keyValues(values.param, "-p");
  const builds = api(BuildService);
  const { build } = await builds.triggerBuild({ project, triggerName: values.trigger, params, reason: "jobserv CLI", queuePriority: priority });
  if (!values.follow) {
    if (values.json) printJson(BuildSchema, build!);
    else console.log(`build ${project}#${build!.number}: ${build!.runs.map((r) => r.name).join(", ")}`);
    return 0;
  }
  if (!values.json) console.log(`build ${project}#${build!.number}: ${build!.runs.map((r) => r.name).join(", ")}`);
  // With --json only the final build goes to stdout; progress goes to stderr.
  const stream = values.json ? process.stderr : process.stdout;
  const final = await followBuild(builds, project, build!.number, {
    write: (text) => stream.write(text), tty: stream.isTTY === true, columns: stream.columns || 80,
  });
  if (values.json) printJson(BuildSchema, final);
  return final.status === Status.FAILED ? 1 : 0;
}
