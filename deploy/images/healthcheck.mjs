// Container healthchecks of the jobserv images (HEALTHCHECK in the Dockerfile).
//   server: the instance's own GET /healthz answers 200 (http or, with TLS files, https on loopback)
//   worker: the Docker engine the worker drives answers GET /_ping on its socket
// Exit 0 healthy, 1 not.
import http from "node:http";
import https from "node:https";

const role = process.argv[2];
const request = role === "worker"
  ? { mod: http, options: { socketPath: (process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock").replace(/^unix:\/\//, ""), path: "/_ping" } }
  : {
      mod: process.env.JOBSERV_TLS_CERT_FILE ? https : http,
      // loopback to ourselves: the certificate names the public host, not 127.0.0.1
      options: { host: "127.0.0.1", port: Number(process.env.JOBSERV_PORT ?? 8080), path: "/healthz", rejectUnauthorized: false },
    };
const req = request.mod.get({ ...request.options, timeout: 2_500 }, (res) => {
  res.resume();
  process.exit(res.statusCode === 200 ? 0 : 1);
});
req.on("timeout", () => req.destroy(new Error("timeout")));
req.on("error", (e) => {
  console.error(`unhealthy: ${e.message}`);
  process.exit(1);
});
