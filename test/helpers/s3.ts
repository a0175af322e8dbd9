import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateBucketCommand } from "@aws-sdk/client-s3";
import S3rver from "s3rver";
import { S3BlobStore } from "../../src/store/s3-blob-store.ts";
import { createS3Client, type S3Settings } from "../../src/store/s3-settings.ts";

/** The credentials s3rver accepts (its built-in account). */
export const S3RVER_CREDENTIALS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };

export interface TestS3 {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  /** Settings for a bucket on this server (path-style, s3rver's credentials). */
  settings(bucket: string, prefix?: string): S3Settings;
  /** Creates a bucket and returns a store on it. */
  createStore(bucket: string, prefix?: string, partSize?: number): Promise<S3BlobStore>;
  stop(): Promise<void>;
}

/**
 * Starts s3rver, an S3-compatible server, on 127.0.0.1 with a random port and a fresh temp folder. Tests
 * stand in for a real store with it; production runs on AWS S3, MinIO, R2 and the like.
 */
export async function startTestS3(): Promise<TestS3> {
  const directory = await mkdtemp(join(tmpdir(), "hangar-s3rver-"));
  const server = new S3rver({ address: "127.0.0.1", port: 0, directory, silent: true });
  const address = await server.run();
  const endpoint = `http://127.0.0.1:${address.port}`;
  const settings = (bucket: string, prefix = ""): S3Settings => ({
    bucket,
    prefix,
    endpoint,
    forcePathStyle: true,
    region: "us-east-1",
    credentials: S3RVER_CREDENTIALS,
  });
  return {
    endpoint,
    settings,
    async createStore(bucket, prefix = "", partSize) {
      const client = createS3Client(settings(bucket, prefix));
      try {
        await client.send(new CreateBucketCommand({ Bucket: bucket }));
      } finally {
        client.destroy();
      }
      return new S3BlobStore({ ...settings(bucket, prefix), ...(partSize ? { partSize } : {}) });
    },
    async stop() {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
