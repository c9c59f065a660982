// TLS on the API port: certificate chain and key from PEM files
// (JOBSERV_TLS_CERT_FILE, JOBSERV_TLS_KEY_FILE). One secure server whose ALPN
// offers h2 and http/1.1, so gRPC and HTTP/2 clients and HTTP/1.1 clients
// (Connect, gRPC-web, REST, workers) share the one port. The listener hands it
// every accepted connection.
import { readFileSync } from "node:fs";
import http2 from "node:http2";
import { StartupError } from "../errors.js";

export interface TlsFiles {
  certFile: string;
  keyFile: string;
}

type Handler = (req: http2.Http2ServerRequest, res: http2.Http2ServerResponse) => void;

export function createTlsServer(handler: Handler, files: TlsFiles): http2.Http2SecureServer {
  const read = (what: string, file: string) => {
    try {
      return readFileSync(file);
    } catch (e) {
      throw new StartupError(`TLS ${what} ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  };
  try {
    return http2.createSecureServer({ cert: read("certificate", files.certFile), key: read("key", files.keyFile), allowHTTP1: true }, handler);
  } catch (e) {
    if (e instanceof StartupError) throw e;
    throw new StartupError(`TLS certificate ${files.certFile} / key ${files.keyFile}: ${(e as Error).message}`);
  }
}
