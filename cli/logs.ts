// `jobserv logs PROJECT BUILD RUN [-f]`: prints a run's console log; with -f
// follows it until the run completes and exits 0 if it PASSED, 1 otherwise.
import { parseArgs } from "node:util";
import { RunService } from "../gen/jobserv/v1/run_pb.js";
import { Status } from "../gen/jobserv/v1/status_pb.js";
import { client } from "./client.js";

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: {
    follow: { type: "boolean", short: "f", default: false }, url: { type: "string" },
  } });
  const [project, build, runName] = positionals;
  if (!project || !build || !runName) { console.error("usage: jobserv logs PROJECT BUILD RUN [-f]"); return 2; }
  const ref = { project, buildNumber: Number(build), run: runName };
  let final = Status.UNSPECIFIED;
  for await (const msg of client(RunService, values.url).tailLog({ ref, follow: values.follow })) {
    if (msg.data.length) process.stdout.write(msg.data);
    if (msg.finalStatus) final = msg.finalStatus;
  }
  return values.follow && final !== Status.PASSED ? 1 : 0;
}
