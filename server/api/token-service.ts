// TokenService: create, list and revoke API tokens (unrestricted admins only).
import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, type ServiceImpl } from "@connectrpc/connect";
import { ApiTokenSchema, Scope, type ApiToken, type TokenService } from "../../gen/jobserv/v1/token_pb.js";
import { createToken, listTokens, revokeToken, type TokenRow } from "../auth/api-tokens.js";
import { NotFoundError } from "../errors.js";
import type { ApiDeps } from "./deps.js";
import { mapErrors } from "./errors.js";

function toApiToken(row: TokenRow): ApiToken {
  return create(ApiTokenSchema, {
    id: BigInt(row.id), name: row.name, scope: row.scope, projects: row.projects,
    createTime: timestampFromMs(row.created_at), revokeTime: row.revoked_at === null ? undefined : timestampFromMs(row.revoked_at),
  });
}

export function createTokenService(deps: ApiDeps): ServiceImpl<typeof TokenService> {
  return mapErrors<ServiceImpl<typeof TokenService>>({
    async createToken(req, ctx) {
      await deps.authz.admin(ctx);
      if (!req.name || req.name.length > 200) throw new ConnectError("name: 1-200 characters", Code.InvalidArgument);
      if (!(req.scope in Scope) || req.scope === Scope.UNSPECIFIED) throw new ConnectError("scope: READ, TRIGGER or ADMIN", Code.InvalidArgument);
      const { row, secret } = await createToken(deps.store.db, req.name, req.scope, req.projects, deps.now());
      return { token: toApiToken(row), secret };
    },
    async listTokens(_req, ctx) {
      await deps.authz.admin(ctx);
      return { tokens: (await listTokens(deps.store.db)).map(toApiToken) };
    },
    async revokeToken(req, ctx) {
      await deps.authz.admin(ctx);
      if (!(await revokeToken(deps.store.db, Number(req.id), deps.now()))) throw new NotFoundError(`token ${req.id} not found`);
      deps.authz.access.forget(Number(req.id));
      return {};
    },
  });
}
