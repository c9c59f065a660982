// `POST /projects/{project}/builds/`: starts a build over plain HTTP (for
// scripts and external tools, as JobServ's API). Until API tokens with scopes
// exist, it is authorised by the trigger's own `webhook-key` secret as a
// bearer token (`Authorization: Bearer <webhook-key>`), compared in constant
// time. Body: `{"trigger"?: name (may be omitted when the project has one
// trigger), "params"?: {NAME: value}, "reason"?: text}`.
import { triggerBuild, type TriggerDeps } from "../builds/trigger.js";
import { InvalidArgumentError, UnauthenticatedError } from "../errors.js";
import { secretsEqual } from "../forges/constant-time.js";
import { parseJsonObject } from "../forges/payload.js";
import { WEBHOOK_KEY } from "../forges/webhook-context.js";
import { findTrigger } from "../projects/find-trigger.js";
import { parseProjectDefinition } from "../projects/parse.js";
import { getTriggerSecrets } from "../secrets/trigger-secrets.js";
import { resolveProject } from "../builds/lookup.js";
import { readBody } from "./read-body.js";
import { HttpError, sendJson, type Route } from "./router.js";
import { Scope } from "../../gen/jobserv/v1/token_pb.js";
import type { Access } from "../auth/access.js";

export function triggerHttpRoutes(deps: { trigger: TriggerDeps; maxBytes: number; access: Access }): Route[] {
  return [{
    method: "POST", path: /^\/projects\/([^/]+)\/builds\/$/,
    async handle(req, res, [projectName = ""]) {
      const body = await readBody(req, deps.maxBytes);
      const project = await resolveProject(deps.trigger.store, projectName);
      const json = body.length ? parseJsonObject(body) : {};
      const { trigger: name, params = {}, reason } = json as { trigger?: unknown; params?: unknown; reason?: unknown };
      if (name !== undefined && typeof name !== "string") throw new InvalidArgumentError("trigger: must be a string");
      if (typeof params !== "object" || params === null || Array.isArray(params) || Object.values(params).some((v) => typeof v !== "string")) {
        throw new InvalidArgumentError("params: must be an object of string values");
      }
      if (reason !== undefined && typeof reason !== "string") throw new InvalidArgumentError("reason: must be a string");
      let spec;
      try {
        spec = findTrigger(parseProjectDefinition(project.definition_yaml), name);
      } catch (e) {
        throw new HttpError(404, (e as Error).message);
      }
      // An API token with trigger scope on the project, or the trigger's webhook key.
      const auth = req.headers["authorization"] ?? "";
      const apiCaller = await deps.access.principal(auth).catch(() => undefined);
      if (apiCaller?.kind === "token") {
        deps.access.requireOnProject(apiCaller, Scope.TRIGGER, project, project.name);
      } else {
        const key = (await getTriggerSecrets(deps.trigger.store, deps.trigger.cipher, project.id, spec.name))[WEBHOOK_KEY] ?? "";
        const given = auth.startsWith("Bearer ") ? auth.slice(7) : "";
        if (!secretsEqual(given, key) || key === "" || given === "") {
          throw new UnauthenticatedError(`Authorization: Bearer <an API token with trigger scope, or the trigger's ${WEBHOOK_KEY} secret> required`);
        }
      }
      const { number } = await triggerBuild(deps.trigger, {
        project: project.name, triggerName: spec.name, params: params as Record<string, string>, reason: reason ?? "HTTP API",
      });
      sendJson(res, 201, { project: project.name, build: number, url: `${deps.trigger.publicUrl}/projects/${project.name}/builds/${number}/` });
    },
  }];
}
