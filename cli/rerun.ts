// `jobserv rerun PROJECT N RUN [--json]`: puts a complete run back in the queue
// (its tests, artifacts and log are cleared). Exit 2 if the run is not complete.
import { RunSchema, RunService } from "../gen/jobserv/v1/run_pb.js";
import { JSON_OPTION, parseApiArgs } from "./args.js";
import { UsageError } from "./errors.js";
import { buildNumber, printJson, statusName } from "./output.js";

export async function run(argv: string[]): Promise<number> {
  const { values, positionals, api } = parseApiArgs(argv, JSON_OPTION);
  const [project, n, runName] = positionals;
  const number = buildNumber(n);
  if (!project || number === undefined || !runName) throw new UsageError("usage: jobserv rerun PROJECT N RUN [--json]");
  const { run: r } = await api(RunService).rerunRun({ ref: { project, buildNumber: number, run: runName } });
  if (values.json) printJson(RunSchema, r!);
  else console.log(`run ${project}#${number}/${runName}: ${statusName(r!.status)}`);
  return 0;
}
