// Applies the access rules (auth/access.ts) to RPC calls: every handler
// starts with one of these, naming the scope it needs.
import type { HandlerContext } from "@connectrpc/connect";
import type { RequestHeaders } from "./worker-auth.js";
import type { Scope } from "../../gen/jobserv/v1/token_pb.js";
import type { Access, Principal } from "../auth/access.js";
import type { Store } from "../store/db.js";
import { findProjectByName } from "../store/projects.js";

export class Authorizer {
  constructor(readonly access: Access, private readonly store: Store) {}

  /** RPCs are never plain links: a session cookie counts only from this server's own pages. */
  caller(ctx: RequestHeaders): Promise<Principal> {
    return this.access.caller((name) => ctx.requestHeader.get(name) ?? undefined, false);
  }

  async admin(ctx: HandlerContext): Promise<Principal> {
    const p = await this.caller(ctx);
    this.access.requireAdmin(p);
    return p;
  }

  /** `scope` on project `name`; a missing project is left for the handler to report (NOT_FOUND) once access is settled. */
  async project(ctx: HandlerContext, name: string, scope: Scope): Promise<Principal> {
    const p = await this.caller(ctx);
    this.access.requireOnProject(p, scope, await findProjectByName(this.store.db, name), name);
    return p;
  }

  /**
   * `scope` for `caller` on project `name`, checked against the project as
   * `read` returns it with what else the handler needs of it (one round trip
   * for both); resolves with what was read once access is settled.
   */
  async projectWith<T>(caller: Principal, name: string, scope: Scope, read: () => Promise<T>,
    projectOf: (found: T) => { name: string; public: number } | undefined): Promise<T> {
    const found = await read();
    this.access.requireOnProject(caller, scope, projectOf(found), name);
    return found;
  }

  /**
   * `scope` on project `name` when the handler reads the project's row
   * itself (with the data, in one round trip): returns the check to apply
   * to that row before anything read is answered.
   */
  async projectCheck(ctx: HandlerContext, name: string, scope: Scope): Promise<(project: { name: string; public: number } | undefined) => void> {
    const p = await this.caller(ctx);
    return (project) => this.access.requireOnProject(p, scope, project, name);
  }
}
