// `POST /projects/{project}/builds/`: starts a build over plain HTTP, as
// JobServ's API does (scripts, external tools). Authorised by an API token
// with trigger scope, or by the trigger's own `webhook-key` secret as a bearer
// token (compared in constant time); never by a browser session. Body
// (JobServ's keys; `trigger` is accepted for `trigger-name`):
// `{"trigger-name"?: name (may be omitted when the definition has one
// trigger), "params"?: {NAME: value}, "reason"?: text, "project-definition"?:
// a project definition to build from instead of the project's (an object),
// "secrets"?: {name: value}, "trigger-type"?: inherit the secrets of the
// project's first trigger of this type ("-optional" suffix: none is fine),
// "trigger-id"?: inherit those of the trigger of this name, "queue-priority"?:
// number}` -> 201 JSend `{url, build_id, web_url}`. The same request as
// BuildService.TriggerBuild (builds/trigger.ts triggerRequest).
import { create } from "@bufbuild/protobuf";
import { TriggerBuildRequestSchema } from "../../gen/jobserv/v1/build_pb.js";
import { triggerBuild, triggerRequest, type TriggerDeps } from "../builds/trigger.js";
import { InvalidArgumentError, UnauthenticatedError } from "../errors.js";
import { secretsEqual } from "../forges/constant-time.js";
import { WEBHOOK_KEY } from "../forges/webhook-context.js";
import { findTrigger } from "../projects/find-trigger.js";
import { getTriggerSecrets } from "../secrets/trigger-secrets.js";
import { resolveProject } from "../builds/lookup.js";
import { buildUrl } from "./jobserv-json.js";
import { field, jsonBody, sendJsend, stringMap } from "./jsend.js";
import { HttpError, type Route } from "./router.js";
import { Scope } from "../../gen/jobserv/v1/token_pb.js";
import type { Access, Principal } from "../auth/access.js";

export function triggerHttpRoutes(deps: { trigger: TriggerDeps; maxBytes: number; access: Access }): Route[] {
  return [{
    method: "POST", path: /^\/projects\/([^/]+)\/builds\/$/, jsend: true,
    async handle(req, res, [projectName = ""]) {
      const json = await jsonBody(req, deps.maxBytes);
      const project = await resolveProject(deps.trigger.store, projectName);
      const name = field(json, "trigger-name", "string") ?? field(json, "trigger", "string");
      const posted = field(json, "project-definition", "object");
      const triggerId = json["trigger-id"];
      if (triggerId !== undefined && triggerId !== null && typeof triggerId !== "string") {
        throw new InvalidArgumentError("trigger-id: the name of one of the project's triggers (this server names triggers)");
      }
      const request = create(TriggerBuildRequestSchema, {
        project: project.name, triggerName: name ?? "", params: stringMap(json, "params"), reason: field(json, "reason", "string") ?? "HTTP API",
        definitionYaml: posted ? JSON.stringify(posted) : "", secrets: stringMap(json, "secrets"),
        secretsFromTriggerType: field(json, "trigger-type", "string") ?? "", secretsFromTrigger: triggerId ?? "",
        queuePriority: field(json, "queue-priority", "number"),
      });
      let spec;
      try {
        spec = findTrigger(await deps.trigger.lifecycle.definitions.parse(request.definitionYaml || project.definition_yaml), name);
      } catch (e) {
        throw posted ? e : new HttpError(404, (e as Error).message);
      }
      // An API token with trigger scope on the project, or the trigger's webhook key.
      const auth = req.headers["authorization"] ?? "";
      const apiCaller = await deps.access.principal(auth).catch(() => undefined);
      let caller: Principal = { kind: "anonymous" };
      if (apiCaller?.kind === "token") {
        deps.access.requireOnProject(apiCaller, Scope.TRIGGER, project, project.name);
        caller = apiCaller;
      } else {
        const key = (await getTriggerSecrets(deps.trigger.store, deps.trigger.cipher, project.id, spec.name))[WEBHOOK_KEY] ?? "";
        const given = auth.startsWith("Bearer ") ? auth.slice(7) : "";
        if (!secretsEqual(given, key) || key === "" || given === "") {
          throw new UnauthenticatedError(`Authorization: Bearer <an API token with trigger scope, or the trigger's ${WEBHOOK_KEY} secret> required`);
        }
      }
      const { number } = await triggerBuild(deps.trigger, { ...triggerRequest(request, caller), triggerName: spec.name });
      const url = buildUrl(deps.trigger.publicUrl, project.name, number);
      sendJsend(res, 201, { url, build_id: number, web_url: url });
    },
  }];
}
