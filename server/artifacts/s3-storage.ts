// ArtifactStorage in an S3-compatible bucket (AWS S3, MinIO, Ceph RGW, R2...)
// through the AWS SDK v3. Uploads are streamed as multipart uploads
// (@aws-sdk/lib-storage: at most `queueSize` parts of `partSize` bytes in
// memory), and S3 makes an object visible only when its upload completes, so
// readers never see part of a file. A failed or oversized upload is aborted;
// one cut short by a killed process stays an invisible incomplete upload,
// which the bucket's AbortIncompleteMultipartUpload lifecycle rule removes.
import { Readable, Transform } from "node:stream";
import {
  DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, S3Client, S3ServiceException,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { ArtifactTooLargeError, type ArtifactStorage, type PutOptions, type StoredObject } from "./storage.js";

export interface S3StorageConfig {
  bucket: string;
  /** Prepended to every key (e.g. "jobserv/"), so several deployments can share a bucket. */
  prefix: string;
  /** An S3-compatible store's URL (e.g. http://minio:9000); empty for AWS S3. */
  endpoint: string;
  region: string;
  /** Bucket in the path (`endpoint/bucket/key`) rather than the host name: what most S3-compatible stores want. */
  forcePathStyle: boolean;
  /** Fixed credentials (tests); absent: the SDK's chain (AWS_ACCESS_KEY_ID..., AWS_PROFILE, web identity, instance role). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/** Multipart part size: S3's minimum is 5 MiB and an upload has at most 10,000 parts. */
const MIN_PART = 8 * 1024 * 1024;
const QUEUE = 2;

export class S3ArtifactStorage implements ArtifactStorage {
  private readonly client: S3Client;
  private readonly prefix: string;

  constructor(private readonly config: S3StorageConfig) {
    this.client = new S3Client({
      region: config.region,
      forcePathStyle: config.forcePathStyle,
      ...(config.endpoint ? { endpoint: config.endpoint } : {}),
      ...(config.credentials ? { credentials: config.credentials } : {}),
    });
    this.prefix = config.prefix && !config.prefix.endsWith("/") ? `${config.prefix}/` : config.prefix;
  }

  async put(key: string, body: AsyncIterable<Uint8Array>, opts: PutOptions): Promise<{ size: number }> {
    let size = 0;
    let tooLarge: ArtifactTooLargeError | undefined;
    const limit = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length;
        if (size > opts.maxBytes) tooLarge = new ArtifactTooLargeError(opts.maxBytes);
        done(tooLarge ?? null, chunk);
      },
    });
    let bodyError: unknown;
    const source = Readable.from(body);
    source.on("error", (e) => { bodyError = e; limit.destroy(e); });
    source.pipe(limit);
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.config.bucket, Key: this.prefix + key, Body: limit },
      partSize: Math.max(MIN_PART, Math.ceil(opts.maxBytes / 9_000)),
      queueSize: QUEUE,
      leavePartsOnError: false,
    });
    try {
      await upload.done();
    } catch (e) {
      source.destroy();
      // The cause, not what aborting the upload said (some stores cannot abort; S3 lifecycle rules clean up).
      throw tooLarge ?? bodyError ?? e;
    }
    return { size };
  }

  async get(key: string, from = 0): Promise<{ size: number; body: Readable } | undefined> {
    const Key = this.prefix + key;
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.config.bucket, Key, ...(from > 0 ? { Range: `bytes=${from}-` } : {}) }));
      const total = from > 0 ? Number(/\/(\d+)$/.exec(out.ContentRange ?? "")?.[1]) : Number(out.ContentLength ?? 0);
      return { size: total, body: out.Body as Readable };
    } catch (e) {
      if (isMissing(e)) return undefined;
      if (!(e instanceof S3ServiceException && e.$metadata.httpStatusCode === 416)) throw e;
    }
    // A range at or past the end (416): the answer is the object's size and no bytes.
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.config.bucket, Key }));
      return { size: Number(head.ContentLength ?? 0), body: Readable.from([]) };
    } catch (e) {
      if (isMissing(e)) return undefined;
      throw e;
    }
  }

  async *list(prefix: string): AsyncIterable<StoredObject> {
    let token: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({
        Bucket: this.config.bucket, Prefix: this.prefix + prefix, ContinuationToken: token,
      }));
      for (const o of page.Contents ?? []) {
        if (o.Key) yield { key: o.Key.slice(this.prefix.length), size: Number(o.Size ?? 0) };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.config.bucket, Key: this.prefix + key }));
  }

  presign(key: string, seconds: number): Promise<string> {
    return getSignedUrl(this.client, new GetObjectCommand({ Bucket: this.config.bucket, Key: this.prefix + key }), { expiresIn: seconds });
  }

  close(): void {
    this.client.destroy();
  }
}

function isMissing(e: unknown): boolean {
  if (!(e instanceof S3ServiceException)) return false;
  return e.name === "NoSuchKey" || e.name === "NotFound" || e.$metadata.httpStatusCode === 404;
}
