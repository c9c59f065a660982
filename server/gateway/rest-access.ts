// Access rules (auth/access.ts) for REST routes: the same bearer tokens and
// answers as the RPC API (401 without a valid token, 403 for a scope too
// small, 404 for projects a project-limited token cannot see).
import { Scope } from "../../gen/jobserv/v1/token_pb.js";
import type { Access, Principal } from "../auth/access.js";
import type { Store } from "../store/db.js";
import { findProjectByName } from "../store/projects.js";
import type { Req } from "./router.js";

export async function requireProject(access: Access, store: Store, req: Req, project: string, scope: Scope = Scope.READ): Promise<Principal> {
  const p = await access.principal(req.headers["authorization"]);
  access.requireOnProject(p, scope, await findProjectByName(store.db, project), project);
  return p;
}
