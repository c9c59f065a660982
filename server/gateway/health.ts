// REST health routes: /healthz (the process answers) and /readyz (the store
// answers and the instance is not draining).
import { pingStore, type Store } from "../store/db.js";
import { sendJson, type Route } from "./router.js";

/** `stopping`: aborted when the instance starts draining (/readyz then answers 503 so balancers stop sending). */
export function healthRoutes(store: Store, stopping?: AbortSignal): Route[] {
  return [
    { method: "GET", path: /^\/healthz$/, async handle(_req, res) { sendJson(res, 200, { status: "ok" }); } },
    {
      method: "GET", path: /^\/readyz$/,
      async handle(_req, res) {
        if (stopping?.aborted) {
          sendJson(res, 503, { status: "draining" });
          return;
        }
        try {
          await pingStore(store);
          sendJson(res, 200, { status: "ready" });
        } catch {
          sendJson(res, 503, { status: "store unreachable" });
        }
      },
    },
  ];
}
