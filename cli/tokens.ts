// `jobserv tokens create NAME --scope read|trigger|admin [--project P]... | list | revoke ID`:
// API tokens (TokenService). `create` prints the secret once; it cannot be read later.
import { parseArgs } from "node:util";
import { create } from "@bufbuild/protobuf";
import { CreateTokenResponseSchema, ListTokensResponseSchema, Scope, TokenService, type ApiToken } from "../gen/jobserv/v1/token_pb.js";
import { client } from "./client.js";
import { allPages } from "./pages.js";
import { formatTime, printJson, printTable } from "./output.js";

const USAGE = "usage: jobserv tokens create NAME --scope read|trigger|admin [--project P]... | list | revoke ID  [--json] [--url URL]";

const SCOPES: Record<string, Scope> = { read: Scope.READ, trigger: Scope.TRIGGER, admin: Scope.ADMIN };

function scopeName(s: Scope): string {
  return Object.entries(SCOPES).find(([, v]) => v === s)?.[0] ?? String(s);
}

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: {
    scope: { type: "string" }, project: { type: "string", multiple: true, default: [] },
    url: { type: "string" }, token: { type: "string" }, json: { type: "boolean", default: false },
  } });
  const tokens = client(TokenService, values.url, values.token);
  switch (sub) {
    case "create": {
      const [name] = positionals;
      const scope = SCOPES[values.scope ?? ""];
      if (!name || positionals.length > 1 || scope === undefined) { console.error(USAGE); return 2; }
      const res = await tokens.createToken({ name, scope, projects: values.project });
      if (values.json) { printJson(CreateTokenResponseSchema, res); return 0; }
      console.error(`token ${res.token!.id} (${name}, ${scopeName(scope)}${values.project.length ? ` on ${values.project.join(",")}` : ""}) created; its secret is shown only now:`);
      console.log(res.secret);
      return 0;
    }
    case "list": {
      if (positionals.length) { console.error(USAGE); return 2; }
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
      if (!id || !/^[1-9]\d*$/.test(id) || positionals.length > 1) { console.error(USAGE); return 2; }
      await tokens.revokeToken({ id: BigInt(id) });
      if (values.json) console.log("{}");
      else console.log(`token ${id} revoked`);
      return 0;
    }
    default:
      console.error(USAGE);
      return 2;
  }
}

function row(t: ApiToken): string[] {
  return [String(t.id), t.name, scopeName(t.scope), t.projects.join(",") || "*", formatTime(t.createTime), formatTime(t.revokeTime)];
}

