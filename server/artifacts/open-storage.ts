// Picks the artifact storage backend from the server configuration: an S3
// bucket when one is named, else the local directory.
import type { ServerConfig } from "../config.js";
import { LocalArtifactStorage } from "./local-storage.js";
import { S3ArtifactStorage } from "./s3-storage.js";
import type { ArtifactStorage } from "./storage.js";

export type StorageSettings = Pick<ServerConfig, "artifactsDir" | "s3Bucket" | "s3Prefix" | "s3Endpoint" | "s3Region" | "s3PathStyle" | "s3Credentials">;

export interface OpenedStorage {
  storage: ArtifactStorage;
  /** For log lines: the directory, or the bucket, prefix and endpoint. */
  where: string;
  close(): void;
}

export function openArtifactStorage(config: StorageSettings): OpenedStorage {
  if (!config.s3Bucket) return { storage: new LocalArtifactStorage(config.artifactsDir), where: `directory ${config.artifactsDir}`, close() {} };
  const storage = new S3ArtifactStorage({
    bucket: config.s3Bucket, prefix: config.s3Prefix, endpoint: config.s3Endpoint, region: config.s3Region,
    forcePathStyle: config.s3PathStyle, ...(config.s3Credentials ? { credentials: config.s3Credentials } : {}),
  });
  return { storage, where: `s3://${config.s3Bucket}/${config.s3Prefix}${config.s3Endpoint ? ` at ${config.s3Endpoint}` : ""}`, close: () => storage.close() };
}
