// `jobserv logs PROJECT BUILD RUN [-f]`: prints a run's console log; with -f
// follows it until the run completes and exits 0 if it PASSED, 1 otherwise.
// A reader that goes away (`| head`) ends it quietly (main.ts).
import { RunService } from "../gen/jobserv/v1/run_pb.js";
import { Status } from "../gen/jobserv/v1/status_pb.js";
import { parseApiArgs } from "./args.js";
import { UsageError } from "./errors.js";
import { buildNumber } from "./output.js";

export async function run(argv: string[]): Promise<number> {
  const { values, positionals, api } = parseApiArgs(argv, { follow: { type: "boolean", short: "f", default: false } });
  const [project, build, runName] = positionals;
  const number = buildNumber(build);
  if (!project || !build || !runName) throw new UsageError("usage: jobserv logs PROJECT BUILD RUN [-f]");
  if (number === undefined) throw new UsageError(`BUILD ${JSON.stringify(build)}: expected a build number`);
  const ref = { project, buildNumber: number, run: runName };
  let final = Status.UNSPECIFIED;
  for await (const msg of api(RunService).tailLog({ ref, follow: values.follow })) {
    if (msg.data.length && !process.stdout.write(msg.data)) await new Promise((resolve) => process.stdout.once("drain", resolve));
    if (msg.finalStatus) final = msg.finalStatus;
  }
  return values.follow && final !== Status.PASSED ? 1 : 0;
}
