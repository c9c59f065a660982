// GET /metrics: the Prometheus text exposition of this instance's registry.
import type { Registry } from "prom-client";
import type { Route } from "./router.js";

export function metricsRoutes(registry: Registry): Route[] {
  return [{
    method: "GET", path: /^\/metrics$/,
    async handle(_req, res) {
      const body = await registry.metrics();
      res.writeHead(200, { "content-type": registry.contentType });
      res.end(body);
    },
  }];
}
