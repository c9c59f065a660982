// REST health routes: /healthz (the process answers) and /readyz (the store answers).
import type { Store } from "../store/db.js";
import { sendJson, type Route } from "./router.js";

export function healthRoutes(store: Store): Route[] {
  return [
    { method: "GET", path: /^\/healthz$/, async handle(_req, res) { sendJson(res, 200, { status: "ok" }); } },
    {
      method: "GET", path: /^\/readyz$/,
      async handle(_req, res) {
        try {
          await store.db.selectFrom("projects").select("id").limit(1).execute();
          sendJson(res, 200, { status: "ready" });
        } catch {
          sendJson(res, 503, { status: "store unreachable" });
        }
      },
    },
  ];
}
