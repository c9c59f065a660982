// `jobserv project apply -f FILE|- [--name NAME] [--public|--private] | list | show NAME | delete NAME [--yes]`:
// create or update a project from YAML (stdin with -f -), list, show (with its YAML),
// delete (after the person types the project's name, or with --yes).
import path from "node:path";
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { ListProjectsResponseSchema, ProjectSchema, ProjectService, type Project } from "../gen/jobserv/v1/project_pb.js";
import { JSON_OPTION, parseApiArgs } from "./args.js";
import { UsageError } from "./errors.js";
import { askLine, readFileOrStdin, stdinIsTerminal } from "./input.js";
import { formatTime, printJson, printTable } from "./output.js";

const USAGE = "usage: jobserv project apply -f FILE [--name NAME] [--public | --private] [--synchronous-builds=true|false] | list | show NAME | delete NAME [--yes]";

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const { values, positionals, api } = parseApiArgs(rest, {
    ...JSON_OPTION, file: { type: "string", short: "f" }, name: { type: "string" },
    public: { type: "boolean", default: false }, private: { type: "boolean", default: false }, yes: { type: "boolean", default: false },
    "synchronous-builds": { type: "string" },
  });
  const projects = api(ProjectService);
  const [name] = positionals;
  switch (sub) {
    case "apply": {
      if (!values.file) throw new UsageError("project apply: -f FILE is required (- reads stdin)");
      if (values.public && values.private) throw new UsageError("project apply: --public and --private exclude each other");
      if (values.file === "-" && !values.name) throw new UsageError("project apply: --name NAME is required with -f - (there is no file name to take it from)");
      const definitionYaml = await readFileOrStdin(values.file);
      const projectName = values.name ?? path.basename(values.file).replace(/\.ya?ml$/, "");
      const visibility = values.public ? true : values.private ? false : undefined;
      // Unset: the YAML's synchronous-builds key decides (else false, or the current setting on update).
      const sync = values["synchronous-builds"];
      if (sync !== undefined && sync !== "true" && sync !== "false") throw new UsageError("project apply: --synchronous-builds=true|false");
      const synchronousBuilds = sync === undefined ? undefined : sync === "true";
      let verb = "created";
      let project: Project | undefined;
      try {
        ({ project } = await projects.createProject({ name: projectName, definitionYaml, public: visibility ?? false, synchronousBuilds }));
      } catch (e) {
        if (!(e instanceof ConnectError && e.code === Code.AlreadyExists)) throw e;
        ({ project } = await projects.updateProject({ name: projectName, definitionYaml, ...(visibility === undefined ? {} : { public: visibility }), synchronousBuilds }));
        verb = "updated";
      }
      if (values.json && project) printJson(ProjectSchema, project);
      else console.log(`project ${projectName} ${verb}${project?.public ? " (public)" : ""}`);
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
      if (!name) throw new UsageError("usage: jobserv project show NAME [--json]");
      const { project } = await projects.getProject({ name });
      if (values.json) { printJson(ProjectSchema, project!); return 0; }
      console.log(`project   ${project!.name}${project!.public ? " (public)" : ""}`);
      console.log(`triggers  ${project!.triggerNames.join(", ") || "-"}`);
      if (project!.synchronousBuilds) console.log("builds    synchronous (one at a time)");
      console.log(`created   ${formatTime(project!.createTime)}`);
      console.log(`updated   ${formatTime(project!.updateTime)}`);
      console.log("");
      process.stdout.write(project!.definitionYaml.endsWith("\n") ? project!.definitionYaml : `${project!.definitionYaml}\n`);
      return 0;
    }
    case "delete": {
      if (!name) throw new UsageError("usage: jobserv project delete NAME [--yes]");
      if (!values.yes) {
        if (!stdinIsTerminal()) throw new UsageError(`project delete: not asking on a pipe; add --yes to delete ${name} with its builds, runs and logs`);
        await projects.getProject({ name }); // not found: say so before asking
        const typed = await askLine(`Delete project ${name} with all its builds, runs, logs and artifacts? Type its name to confirm: `);
        if (typed !== name) { console.error(`project ${name} not deleted`); return 2; }
      }
      await projects.deleteProject({ name });
      console.log(`project ${name} deleted`);
      return 0;
    }
    default:
      throw new UsageError(sub ? `project: no subcommand "${sub}"; ${USAGE}` : USAGE);
  }
}
