// What JobServ's REST routes (rest-*.ts) are made from; assembled in main.ts.
import type { ArtifactStorage } from "../artifacts/storage.js";
import type { Access } from "../auth/access.js";
import type { RunNotes } from "../builds/lifecycle-context.js";
import type { Lifecycle } from "../builds/lifecycle.js";
import type { Store } from "../store/db.js";

export interface RestDeps {
  store: Store;
  access: Access;
  lifecycle: Lifecycle;
  /** Console-log notes (a test update's message). */
  notes: RunNotes;
  storage: ArtifactStorage;
  /** The server's public URL: links in answers (`url`, `next`) start with it. */
  publicUrl: () => string;
  now: () => number;
  /** Largest request body. */
  maxBytes: number;
}
