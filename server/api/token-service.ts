// TokenService: create, list and revoke API tokens (unrestricted admins only).
import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import { ApiTokenSchema, Scope, type ApiToken, type TokenService } from "../../gen/jobserv/v1/token_pb.js";
import { createToken } from "../auth/api-tokens.js";
import { InvalidArgumentError, NotFoundError } from "../errors.js";
import { listTokens, revokeToken, type TokenRow } from "../store/api-tokens.js";
import { decodePageToken, encodePageToken, pageSize } from "./convert.js";
import type { ApiDeps } from "./deps.js";

function toApiToken(row: TokenRow): ApiToken {
  return create(ApiTokenSchema, {
    id: BigInt(row.id), name: row.name, scope: row.scope, projects: row.projects,
    createTime: timestampFromMs(row.created_at), revokeTime: row.revoked_at === null ? undefined : timestampFromMs(row.revoked_at),
  });
}

export function createTokenService(deps: ApiDeps): ServiceImpl<typeof TokenService> {
  return {
    async createToken(req, ctx) {
      await deps.authz.admin(ctx);
      if (!req.name || req.name.length > 200) throw new InvalidArgumentError("name: 1-200 characters");
      if (!(req.scope in Scope) || req.scope === Scope.UNSPECIFIED) throw new InvalidArgumentError("scope: READ, TRIGGER or ADMIN");
      const { row, secret } = await createToken(deps.store, req.name, req.scope, req.projects, deps.now());
      return { token: toApiToken(row), secret };
    },
    async listTokens(req, ctx) {
      await deps.authz.admin(ctx);
      const limit = pageSize(req.pageSize, 100);
      const rows = await listTokens(deps.store.db, req.pageToken ? Number(decodePageToken(req.pageToken)) : Number.MAX_SAFE_INTEGER, limit + 1);
      const page = rows.slice(0, limit);
      return { tokens: page.map(toApiToken), nextPageToken: rows.length > limit ? encodePageToken(page[page.length - 1]!.id) : "" };
    },
    async revokeToken(req, ctx) {
      await deps.authz.admin(ctx);
      if (!(await revokeToken(deps.store.db, Number(req.id), deps.now()))) throw new NotFoundError(`token ${req.id} not found`);
      deps.authz.access.forget(Number(req.id));
      return {};
    },
  };
}
