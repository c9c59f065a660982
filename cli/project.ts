// `jobserv project apply -f FILE [--name NAME]`: create, or update if it exists.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { Code, ConnectError } from "@connectrpc/connect";
import { ProjectService } from "../gen/jobserv/v1/project_pb.js";
import { client } from "./client.js";

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== "apply") { console.error("usage: jobserv project apply -f FILE [--name NAME]"); return 2; }
  const { values } = parseArgs({ args: rest, options: { file: { type: "string", short: "f" }, name: { type: "string" }, url: { type: "string" } } });
  if (!values.file) { console.error("project apply: -f FILE is required"); return 2; }
  const definitionYaml = await readFile(values.file, "utf8");
  const name = values.name ?? path.basename(values.file).replace(/\.ya?ml$/, "");
  const projects = client(ProjectService, values.url);
  try {
    await projects.createProject({ name, definitionYaml });
    console.log(`project ${name} created`);
  } catch (e) {
    if (!(e instanceof ConnectError && e.code === Code.AlreadyExists)) throw e;
    await projects.updateProject({ name, definitionYaml });
    console.log(`project ${name} updated`);
  }
  return 0;
}
