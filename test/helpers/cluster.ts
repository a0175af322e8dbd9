import { Agent, createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { CreateBucketCommand } from "@aws-sdk/client-s3";
import { createS3Client } from "../../src/store/s3-settings.ts";
import { createTestDatabase, type TestDatabase } from "./postgres.ts";
import { S3RVER_CREDENTIALS, startTestS3, type TestS3 } from "./s3.ts";
import { type ServeProcess, spawnServe, stopServe } from "./serve-process.ts";
import { makeTempDir } from "./test-hangar.ts";

/**
 * A reverse proxy that sends each request to the next node in turn (round robin), passing the Host header
 * through, as a load balancer in front of several Hangar nodes would. Consecutive requests of one client
 * (LFS batch, part uploads, completion, commit) thus land on different nodes.
 */
export async function startRoundRobin(
  targets: () => string[],
): Promise<{ url: string; close(): Promise<void> }> {
  let next = 0;
  const agent = new Agent({ keepAlive: true });
  const server: Server = createServer((incoming, outgoing) => {
    const live = targets();
    const target = new URL(live[next++ % live.length]!);
    const { connection: _c, "keep-alive": _k, ...requestHeaders } = incoming.headers;
    const forwarded = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: incoming.method,
        path: incoming.url,
        headers: requestHeaders,
        agent,
      },
      (answer) => {
        // Hop-by-hop headers are the proxy's own: the node's keep-alive promise is not the proxy's.
        const { connection: _connection, "keep-alive": _keepAlive, ...headers } = answer.headers;
        outgoing.writeHead(answer.statusCode ?? 502, headers);
        answer.on("error", () => outgoing.destroy());
        answer.pipe(outgoing);
      },
    );
    // A node that dies mid-request: the client sees a broken answer (502 if nothing was sent yet).
    forwarded.on("error", () => {
      incoming.unpipe(forwarded);
      if (outgoing.headersSent) outgoing.destroy();
      else outgoing.writeHead(502).end();
    });
    incoming.on("error", () => forwarded.destroy());
    incoming.pipe(forwarded);
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface TestCluster {
  /** The nodes, each a `hangar serve` process with a home of its own. */
  nodes: ServeProcess[];
  /** The round-robin proxy in front of the live nodes. */
  url: string;
  adminToken: string;
  database: TestDatabase;
  s3: TestS3;
  /** The environment every node runs with (shared catalog and bucket). */
  env: NodeJS.ProcessEnv;
  /** Starts one more node on the same database and bucket. */
  addNode(): Promise<ServeProcess>;
  close(): Promise<void>;
}

/** Several `hangar serve` processes on one PostgreSQL database and one S3 bucket, behind a round-robin proxy. */
export async function startCluster(size: number): Promise<TestCluster> {
  const database = await createTestDatabase();
  const s3 = await startTestS3();
  const bucket = "hangar-cluster";
  const client = createS3Client(s3.settings(bucket));
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  client.destroy();
  const adminToken = "hf_cluster_admin_token_0123456789";
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HANGAR_TEST: "1",
    HANGAR_NO_DEMO: "1",
    HANGAR_NO_CATALOG: "1",
    HANGAR_ADMIN_TOKEN: adminToken,
    HANGAR_DATABASE_URL: database.url,
    HANGAR_BLOB_STORE: `s3://${bucket}/hub`,
    HANGAR_S3_ENDPOINT: s3.endpoint,
    HANGAR_S3_FORCE_PATH_STYLE: "1",
    AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
    AWS_REGION: "us-east-1",
    // The SDK's notice about Node 20 would only clutter the test output.
    AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: "1",
  };
  const homes: Array<{ remove(): Promise<void> }> = [];
  const nodes: ServeProcess[] = [];
  const addNode = async () => {
    const home = await makeTempDir("hangar-node-");
    homes.push(home);
    const node = await spawnServe(["--port", "0", "--home", home.path], env);
    nodes.push(node);
    return node;
  };
  // Started together, as a deployment would: migrations and the bootstrap admin must cope.
  await Promise.all(Array.from({ length: size }, () => addNode()));
  const proxy = await startRoundRobin(() =>
    nodes
      .filter((node) => node.child.exitCode === null && node.child.signalCode === null)
      .map((node) => node.url),
  );
  return {
    nodes,
    url: proxy.url,
    adminToken,
    database,
    s3,
    env,
    addNode,
    async close() {
      await proxy.close();
      const live = nodes.filter((node) => node.child.exitCode === null && node.child.signalCode === null);
      await Promise.all(live.map((node) => stopServe(node.child)));
      await database.drop();
      await s3.stop();
      for (const home of homes) await home.remove();
    },
  };
}
