// Starting a build for an accepted forge event, at most once per delivery id:
// the delivery is recorded first (a primary key decides between racing
// redeliveries) and forgotten again if the build could not be created, so
// the forge's own retry still works.
import { triggerBuild, type TriggerDeps } from "../builds/trigger.js";
import { forgetDelivery, recordDelivery } from "../store/forges.js";

export interface WebhookReply {
  status: number;
  body: Record<string, unknown>;
}

export interface ForgeBuildRequest {
  /** `<forge>:<delivery id>`; undefined when the forge sent none. */
  deliveryKey: string | undefined;
  projectId: number;
  project: string;
  trigger: string;
  params: Record<string, string>;
  reason: string;
  /** Build from this definition instead of the stored one (see github/repo-definition.ts). */
  definitionYaml?: string;
}

export async function startForgeBuild(deps: TriggerDeps, req: ForgeBuildRequest): Promise<WebhookReply> {
  const db = deps.store.db;
  if (req.deliveryKey !== undefined && !(await recordDelivery(db, req.deliveryKey, req.projectId, deps.now()))) {
    return { status: 200, body: { message: `delivery ${req.deliveryKey} was handled before; no new build` } };
  }
  try {
    const { number } = await triggerBuild(deps, {
      project: req.project, triggerName: req.trigger, params: req.params, reason: req.reason,
      ...(req.definitionYaml === undefined ? {} : { definitionYaml: req.definitionYaml }),
    });
    return { status: 201, body: { project: req.project, build: number, url: `${deps.publicUrl}/projects/${req.project}/builds/${number}/` } };
  } catch (e) {
    if (req.deliveryKey !== undefined) await forgetDelivery(db, req.deliveryKey);
    throw e;
  }
}
