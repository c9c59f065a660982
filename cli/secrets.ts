// `jobserv secrets set PROJECT TRIGGER NAME [--file F] | list PROJECT TRIGGER | unset PROJECT TRIGGER NAME...`:
// a trigger's secrets (webhook-key, forge tokens, anything runs read under
// /secrets). A value comes from --file (as is), the terminal (not echoed) or
// stdin (one trailing newline dropped, as `echo` adds it); it is never
// printed, and list shows names only.
import { create } from "@bufbuild/protobuf";
import { ListTriggerSecretsResponseSchema, ProjectService } from "../gen/jobserv/v1/project_pb.js";
import { JSON_OPTION, parseApiArgs } from "./args.js";
import { UsageError } from "./errors.js";
import { askSecret, readFileOrStdin, readStdin, stdinIsTerminal } from "./input.js";
import { printJson } from "./output.js";

const USAGE = "usage: jobserv secrets set PROJECT TRIGGER NAME [--file FILE] | list PROJECT TRIGGER | unset PROJECT TRIGGER NAME...";

/** The value to set: --file as is; else typed (hidden); else stdin without its trailing newline. */
async function secretValue(file: string | undefined, name: string): Promise<string> {
  if (file !== undefined) return readFileOrStdin(file);
  if (stdinIsTerminal()) return askSecret(`value of ${name} (not shown): `);
  return (await readStdin()).replace(/\r?\n$/, "");
}

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const { values, positionals, api } = parseApiArgs(rest, { ...JSON_OPTION, file: { type: "string" } });
  const [project, trigger, ...names] = positionals;
  if (!project || !trigger) throw new UsageError(USAGE);
  if (values.file !== undefined && sub !== "set") throw new UsageError(`--file: only for secrets set; ${USAGE}`);
  const projects = api(ProjectService);
  const where = `${project}/${trigger}`;
  switch (sub) {
    case "set": {
      const [name] = names;
      if (!name || names.length > 1) throw new UsageError("usage: jobserv secrets set PROJECT TRIGGER NAME [--file FILE]");
      const value = await secretValue(values.file, name);
      if (value === "") throw new UsageError(`secrets set: the value of ${name} is empty (to remove it: jobserv secrets unset ${project} ${trigger} ${name})`);
      await projects.setTriggerSecrets({ project, triggerName: trigger, secrets: { [name]: value } });
      console.error(`secret ${name} set on ${where}`);
      return 0;
    }
    case "list": {
      if (names.length) throw new UsageError("usage: jobserv secrets list PROJECT TRIGGER [--json]");
      const res = await projects.listTriggerSecrets({ project, triggerName: trigger });
      if (values.json) printJson(ListTriggerSecretsResponseSchema, create(ListTriggerSecretsResponseSchema, res));
      else for (const name of res.secretNames) console.log(name);
      return 0;
    }
    case "unset": {
      if (!names.length) throw new UsageError("usage: jobserv secrets unset PROJECT TRIGGER NAME...");
      const { secretNames } = await projects.listTriggerSecrets({ project, triggerName: trigger });
      const missing = names.filter((n) => !secretNames.includes(n));
      if (missing.length) {
        console.error(`jobserv secrets: ${where} has no secret ${missing.join(", ")} (it has: ${secretNames.join(", ") || "none"})`);
        return 3;
      }
      await projects.setTriggerSecrets({ project, triggerName: trigger, secrets: Object.fromEntries(names.map((n) => [n, ""])) });
      console.error(`unset ${names.join(", ")} on ${where}`);
      return 0;
    }
    default:
      throw new UsageError(sub ? `secrets: no subcommand "${sub}"; ${USAGE}` : USAGE);
  }
}
