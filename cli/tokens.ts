// `jobserv tokens create NAME --scope read|trigger|admin [--project P]... | list | revoke ID`:
// API tokens (TokenService). `create` prints the secret once; it cannot be read later.
import { create } from "@bufbuild/protobuf";
import { CreateTokenResponseSchema, ListTokensResponseSchema, Scope, TokenService, type ApiToken } from "../gen/jobserv/v1/token_pb.js";
import { JSON_OPTION, parseApiArgs } from "./args.js";
import { UsageError } from "./errors.js";
import { allPages } from "./pages.js";
import { formatTime, printJson, printTable } from "./output.js";

const USAGE = "usage: jobserv tokens create NAME --scope read|trigger|admin [--project P]... | list | revoke ID  [--json] [--url URL]";

const SCOPES: Record<string, Scope> = { read: Scope.READ, trigger: Scope.TRIGGER, admin: Scope.ADMIN };

function scopeName(s: Scope): string {
  return Object.entries(SCOPES).find(([, v]) => v === s)?.[0] ?? String(s);
}

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const { values, positionals, api } = parseApiArgs(rest, {
    ...JSON_OPTION, scope: { type: "string" }, project: { type: "string", multiple: true, default: [] },
  });
  const tokens = api(TokenService);
  switch (sub) {
    case "create": {
      const [name] = positionals;
      if (!name || positionals.length > 1) throw new UsageError(USAGE);
      if (values.scope === undefined) throw new UsageError("tokens create: --scope read|trigger|admin is required");
      const scope = SCOPES[values.scope];
      if (scope === undefined) throw new UsageError(`--scope ${JSON.stringify(values.scope)}: expected read, trigger or admin`);
      const res = await tokens.createToken({ name, scope, projects: values.project });
      if (values.json) { printJson(CreateTokenResponseSchema, res); return 0; }
      console.error(`token ${res.token!.id} (${name}, ${scopeName(scope)}${values.project.length ? ` on ${values.project.join(",")}` : ""}) created; its secret is shown only now:`);
      console.log(res.secret);
      return 0;
    }
    case "list": {
      if (positionals.length) throw new UsageError(USAGE);
      const all = await allPages(async (pageToken) => {
        const res = await tokens.listTokens({ pageToken });
        return { items: res.tokens, nextPageToken: res.nextPageToken };
      });
      if (values.json) { printJson(ListTokensResponseSchema, create(ListTokensResponseSchema, { tokens: all })); return 0; }
      printTable(["ID", "NAME", "SCOPE", "PROJECTS", "CREATED", "REVOKED"], all.map((t) => row(t)));
      return 0;
    }
    case "revoke": {
      const [id] = positionals;
      if (!id || !/^[1-9]\d*$/.test(id) || positionals.length > 1) throw new UsageError(USAGE);
      await tokens.revokeToken({ id: BigInt(id) });
      if (values.json) console.log("{}");
      else console.log(`token ${id} revoked`);
      return 0;
    }
    default:
      throw new UsageError(USAGE);
  }
}

function row(t: ApiToken): string[] {
  return [String(t.id), t.name, scopeName(t.scope), t.projects.join(",") || "*", formatTime(t.createTime), formatTime(t.revokeTime)];
}

