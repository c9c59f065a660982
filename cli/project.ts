// `jobserv project apply -f FILE [--name NAME] | list | show NAME | delete NAME`:
// create or update a project from YAML, list, show (with its YAML), delete.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { ListProjectsResponseSchema, ProjectSchema, ProjectService, type Project } from "../gen/jobserv/v1/project_pb.js";
import { client } from "./client.js";
import { formatTime, printJson, printTable } from "./output.js";

const USAGE = "usage: jobserv project apply -f FILE [--name NAME] | list | show NAME | delete NAME  [--json] [--url URL]";

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: {
    file: { type: "string", short: "f" }, name: { type: "string" }, url: { type: "string" }, json: { type: "boolean", default: false },
  } });
  const projects = client(ProjectService, values.url);
  const [name] = positionals;
  switch (sub) {
    case "apply": {
      if (!values.file) { console.error("project apply: -f FILE is required"); return 2; }
      const definitionYaml = await readFile(values.file, "utf8");
      const projectName = values.name ?? path.basename(values.file).replace(/\.ya?ml$/, "");
      let verb = "created";
      let project: Project | undefined;
      try {
        ({ project } = await projects.createProject({ name: projectName, definitionYaml }));
      } catch (e) {
        if (!(e instanceof ConnectError && e.code === Code.AlreadyExists)) throw e;
        ({ project } = await projects.updateProject({ name: projectName, definitionYaml }));
        verb = "updated";
      }
      if (values.json && project) printJson(ProjectSchema, project);
      else console.log(`project ${projectName} ${verb}`);
      return 0;
    }
    case "list": {
      const all: Project[] = [];
      let pageToken = "";
      do {
        const page = await projects.listProjects({ pageSize: 1000, pageToken });
        all.push(...page.projects);
        pageToken = page.nextPageToken;
      } while (pageToken);
      if (values.json) printJson(ListProjectsResponseSchema, create(ListProjectsResponseSchema, { projects: all }));
      else printTable(["NAME", "TRIGGERS", "UPDATED"], all.map((p) => [p.name, p.triggerNames.join(",") || "-", formatTime(p.updateTime)]));
      return 0;
    }
    case "show": {
      if (!name) { console.error("usage: jobserv project show NAME [--json]"); return 2; }
      const { project } = await projects.getProject({ name });
      if (values.json) { printJson(ProjectSchema, project!); return 0; }
      console.log(`project   ${project!.name}`);
      console.log(`triggers  ${project!.triggerNames.join(", ") || "-"}`);
      console.log(`created   ${formatTime(project!.createTime)}`);
      console.log(`updated   ${formatTime(project!.updateTime)}`);
      console.log("");
      process.stdout.write(project!.definitionYaml.endsWith("\n") ? project!.definitionYaml : `${project!.definitionYaml}\n`);
      return 0;
    }
    case "delete": {
      if (!name) { console.error("usage: jobserv project delete NAME"); return 2; }
      await projects.deleteProject({ name });
      console.log(`project ${name} deleted`);
      return 0;
    }
    default:
      console.error(USAGE);
      return 2;
  }
}
