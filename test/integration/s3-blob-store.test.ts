import assert from "node:assert/strict";
import { createServer } from "node:net";
import { after, before, describe, it } from "node:test";
import { resolveConfig } from "../../src/core/config.ts";
import { HangarError } from "../../src/core/errors.ts";
import { S3BlobStore } from "../../src/store/s3-blob-store.ts";
import { parseS3Location, s3Settings } from "../../src/store/s3-settings.ts";
import { startTestS3, type TestS3 } from "../helpers/s3.ts";

/** What only the S3 engine has: its location and settings, and the messages of its start-up check. */

async function checkMessage(store: S3BlobStore): Promise<string> {
  try {
    await store.check();
  } catch (error) {
    assert.ok(HangarError.isInstance(error));
    assert.equal(error.code, "HANGAR_ERR_UNAVAILABLE");
    assert.equal(error.status, 503);
    return error.message;
  } finally {
    await store.close();
  }
  assert.fail("check() passed on a store that cannot be used");
}

/** A port nothing listens on: taken from the OS, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("S3 blob store settings", () => {
  it("parses s3://BUCKET/PREFIX", () => {
    assert.deepEqual(parseS3Location("s3://models"), { bucket: "models", prefix: "" });
    assert.deepEqual(parseS3Location("s3://models/hangar/prod/"), {
      bucket: "models",
      prefix: "hangar/prod/",
    });
    assert.throws(() => parseS3Location("/var/blobs"), /expected s3:\/\/BUCKET or s3:\/\/BUCKET\/PREFIX/);
    assert.throws(() => parseS3Location("s3://Bad_Bucket/x"), /Invalid blob store location/);
  });

  it("reads the endpoint, path style, region and credentials from the environment", () => {
    const fromEnv = (env: Record<string, string>) =>
      resolveConfig({ env: { HANGAR_HOME: "/tmp/hangar-s3-settings", ...env } }).s3;
    const settings = s3Settings(
      "s3://models/hub",
      fromEnv({
        HANGAR_S3_ENDPOINT: "http://minio:9000",
        HANGAR_S3_FORCE_PATH_STYLE: "true",
        AWS_ACCESS_KEY_ID: "id",
        AWS_SECRET_ACCESS_KEY: "secret",
        AWS_REGION: "eu-west-3",
      }),
    );
    assert.deepEqual(settings, {
      bucket: "models",
      prefix: "hub/",
      endpoint: "http://minio:9000",
      forcePathStyle: true,
      region: "eu-west-3",
      credentials: { accessKeyId: "id", secretAccessKey: "secret" },
    });
    const aws = s3Settings("s3://models", fromEnv({ AWS_DEFAULT_REGION: "us-west-2" }));
    assert.deepEqual(aws, { bucket: "models", prefix: "", forcePathStyle: false, region: "us-west-2" });
  });
});

describe("S3 blob store check", () => {
  let s3: TestS3;
  before(async () => {
    s3 = await startTestS3();
  });
  after(() => s3.stop());

  it("passes on an existing bucket", async () => {
    const store = await s3.createStore("hangar-check");
    try {
      await store.check();
    } finally {
      await store.close();
    }
  });

  it("names a missing bucket", async () => {
    const message = await checkMessage(new S3BlobStore(s3.settings("not-created")));
    assert.equal(
      message,
      `The blob store's bucket "not-created" at ${s3.endpoint} does not exist: create the bucket first`,
    );
  });

  it("names refused credentials", async () => {
    const settings = {
      ...s3.settings("hangar-check"),
      credentials: { accessKeyId: "NOPE", secretAccessKey: "x" },
    };
    const message = await checkMessage(new S3BlobStore(settings));
    assert.match(
      message,
      /Access to the blob store's bucket "hangar-check" .* was refused: check AWS_ACCESS_KEY_ID/,
    );
  });

  it("names an endpoint nothing answers on", async () => {
    const endpoint = `http://127.0.0.1:${await closedPort()}`;
    const message = await checkMessage(new S3BlobStore({ ...s3.settings("hangar-check"), endpoint }));
    assert.match(message, new RegExp(`Cannot reach the S3 endpoint ${endpoint} \\(ECONNREFUSED\\)`));
  });

  it("refuses parts smaller than S3 takes", async () => {
    const store = new S3BlobStore(s3.settings("hangar-check"));
    try {
      await assert.rejects(
        store.beginMultipart("a".repeat(64), 20 * 1024 * 1024, 1024 * 1024),
        /smaller than S3's minimum/,
      );
    } finally {
      await store.close();
    }
  });
});
