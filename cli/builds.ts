// The build commands: `builds PROJECT [--limit N]` lists builds newest first,
// `build PROJECT N` shows one with its runs (exit 1 if it FAILED),
// `cancel PROJECT N [RUN]` cancels a build or one run. All take --json, --url, --token.
import { create } from "@bufbuild/protobuf";
import { BuildSchema, BuildService, ListBuildsResponseSchema, type Build } from "../gen/jobserv/v1/build_pb.js";
import { RunSchema, RunService, type Run } from "../gen/jobserv/v1/run_pb.js";
import { Status } from "../gen/jobserv/v1/status_pb.js";
import { JSON_OPTION, parseApiArgs } from "./args.js";
import { UsageError } from "./errors.js";
import { buildNumber, formatDuration, formatTime, printJson, printTable, statusName } from "./output.js";

const options = { ...JSON_OPTION, limit: { type: "string", default: "20" } } as const;

/** `jobserv builds PROJECT [--limit N] [--json]` */
export async function run(argv: string[]): Promise<number> {
  const { values, positionals, api } = parseApiArgs(argv, options);
  const [project] = positionals;
  const limit = Number(values.limit);
  if (!project) throw new UsageError("usage: jobserv builds PROJECT [--limit N] [--json]");
  if (!/^[1-9]\d*$/.test(values.limit)) throw new UsageError(`--limit ${JSON.stringify(values.limit)}: expected a positive number`);
  const builds = api(BuildService);
  const all: Build[] = [];
  let pageToken = "";
  do {
    const page = await builds.listBuilds({ project, pageSize: Math.min(limit - all.length, 1000), pageToken });
    all.push(...page.builds);
    pageToken = page.nextPageToken;
  } while (pageToken && all.length < limit);
  if (values.json) { printJson(ListBuildsResponseSchema, create(ListBuildsResponseSchema, { builds: all })); return 0; }
  printTable(["BUILD", "STATUS", "TRIGGER", "CREATED", "DURATION", "REASON"], all.map((b) => [
    String(b.number), statusName(b.status), b.triggerName || "-", formatTime(b.createTime), formatDuration(b.createTime, b.completeTime), b.reason,
  ]));
  return 0;
}

/** `jobserv build PROJECT N [--json]`: exit 1 if the build FAILED. */
export async function show(argv: string[]): Promise<number> {
  const { values, positionals, api } = parseApiArgs(argv, JSON_OPTION);
  const [project, n] = positionals;
  const number = buildNumber(n);
  if (!project || number === undefined) throw new UsageError("usage: jobserv build PROJECT N [--json]");
  const { build } = await api(BuildService).getBuild({ project, number });
  if (values.json) printJson(BuildSchema, build!);
  else printBuild(build!);
  return build!.status === Status.FAILED ? 1 : 0;
}

function printBuild(b: Build): void {
  console.log(`build     ${b.project}#${b.number}`);
  console.log(`status    ${statusName(b.status)}`);
  console.log(`trigger   ${b.triggerName || "-"}${b.reason ? ` (${b.reason})` : ""}`);
  console.log(`created   ${formatTime(b.createTime)}`);
  console.log(`completed ${formatTime(b.completeTime)}`);
  const params = Object.entries(b.params);
  if (params.length) console.log(`params    ${params.map(([k, v]) => `${k}=${v}`).join(" ")}`);
  console.log("");
  printTable(["RUN", "STATUS", "WORKER", "HOST-TAG", "DURATION", "MESSAGE"], b.runs.map((r) => [
    r.name, statusName(r.status), r.workerName || "-", r.hostTag, formatDuration(r.startTime, r.completeTime), r.statusMessage,
  ]));
}

/** `jobserv cancel PROJECT N [RUN] [--json]` */
export async function cancel(argv: string[]): Promise<number> {
  const { values, positionals, api } = parseApiArgs(argv, JSON_OPTION);
  const [project, n, runName] = positionals;
  const number = buildNumber(n);
  if (!project || number === undefined) throw new UsageError("usage: jobserv cancel PROJECT N [RUN] [--json]");
  if (runName) {
    const { run: r } = await api(RunService).cancelRun({ ref: { project, buildNumber: number, run: runName } });
    if (values.json) printJson(RunSchema, r!);
    else console.log(`run ${project}#${number}/${runName}: ${describeRun(r!)}`);
    return 0;
  }
  const { build } = await api(BuildService).cancelBuild({ project, number });
  if (values.json) { printJson(BuildSchema, build!); return 0; }
  console.log(`build ${project}#${number}: ${statusName(build!.status)}`);
  for (const r of build!.runs) console.log(`  ${r.name}: ${describeRun(r)}`);
  return 0;
}

function describeRun(r: Run): string {
  return `${statusName(r.status)}${r.statusMessage ? ` (${r.statusMessage})` : ""}`;
}
