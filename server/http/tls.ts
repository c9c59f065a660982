// TLS on the API port: certificate chain and key from PEM files
// (JOBSERV_TLS_CERT_FILE, JOBSERV_TLS_KEY_FILE). One secure server whose ALPN
// offers h2 and http/1.1, so gRPC and HTTP/2 clients and HTTP/1.1 clients
// (Connect, gRPC-web, REST, workers) share the one port. The listener hands it
// every accepted connection.
import { readFileSync } from "node:fs";
import http2 from "node:http2";
import { createSecureContext } from "node:tls";

/** PEM certificate chain and key, read and checked (loadTls). */
export interface TlsMaterial {
  cert: Buffer;
  key: Buffer;
}

type Handler = (req: http2.Http2ServerRequest, res: http2.Http2ServerResponse) => void;

/** Reads and checks the files; throws an Error naming the file and the problem. */
export function loadTls(certFile: string, keyFile: string): TlsMaterial {
  const read = (what: string, file: string) => {
    try {
      return readFileSync(file);
    } catch (e) {
      throw new Error(`TLS ${what} ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  };
  const material = { cert: read("certificate", certFile), key: read("key", keyFile) };
  try {
    createSecureContext(material);
  } catch (e) {
    throw new Error(`TLS certificate ${certFile} / key ${keyFile}: ${(e as Error).message}`);
  }
  return material;
}

export function createTlsServer(handler: Handler, material: TlsMaterial): http2.Http2SecureServer {
  return http2.createSecureServer({ ...material, allowHTTP1: true }, handler);
}
