// A throwaway self-signed certificate (openssl) for 127.0.0.1 and localhost,
// removed in teardown: for servers that serve TLS from PEM files.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { ExecutionContext } from "ava";

export function selfSignedCertificate(t: ExecutionContext): { certFile: string; keyFile: string; ca: Buffer } {
  const dir = mkdtempSync(path.join(os.tmpdir(), "jobserv-tls-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const certFile = path.join(dir, "cert.pem");
  const keyFile = path.join(dir, "key.pem");
  execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
    "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", keyFile, "-out", certFile], { stdio: "ignore" });
  return { certFile, keyFile, ca: readFileSync(certFile) };
}
