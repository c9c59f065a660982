// `jobserv rerun PROJECT N RUN [--json]`: puts a complete run back in the queue
// (its tests, artifacts and log are cleared). Exit 2 if the run is not complete.
import { parseArgs } from "node:util";
import { RunSchema, RunService } from "../gen/jobserv/v1/run_pb.js";
import { client } from "./client.js";
import { buildNumber, printJson, statusName } from "./output.js";

const options = { url: { type: "string" }, token: { type: "string" }, json: { type: "boolean", default: false } } as const;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options });
  const [project, n, runName] = positionals;
  const number = buildNumber(n);
  if (!project || number === undefined || !runName) { console.error("usage: jobserv rerun PROJECT N RUN [--json]"); return 2; }
  const { run: r } = await client(RunService, values.url, values.token).rerunRun({ ref: { project, buildNumber: number, run: runName } });
  if (values.json) printJson(RunSchema, r!);
  else console.log(`run ${project}#${number}/${runName}: ${statusName(r!.status)}`);
  return 0;
}
