import { createHash, randomBytes } from "node:crypto";
import { commit, createBranch, createRepo } from "@huggingface/hub";
import { hangarCliJson } from "../hangar-cli.ts";

/** A user of the soak run, with a write token made by the CLI. */
export interface SoakUser {
  name: string;
  token: string;
  /** The user's own model repo, which the clients acting for this user commit to. */
  repo: string;
}

/** A file of the asset repo, with its bytes, so every download is checked against them. */
export interface AssetFile {
  path: string;
  bytes: Buffer;
  sha256: string;
}

export interface SoakWorld {
  users: SoakUser[];
  /** The organisation every user belongs to (with write access), which owns the shared and asset repos. */
  org: string;
  /** The repo whose `branch` every client commits to with a `parentCommit`. */
  shared: { repo: string; branch: string };
  assets: { repo: string; files: AssetFile[] };
  /** Repos with real files, for trees and histories. */
  realRepos: string[];
  /** Repo ids for info calls: real repos and entries of the bundled catalog. */
  infoRepos: string[];
}

export const ORG = "soak-team";
export const SHARED_BRANCH = "shared";

/** Users, their write tokens and the organisation, made with the CLI on the home before the server starts. */
export async function createAccounts(home: string, count: number): Promise<Omit<SoakUser, "repo">[]> {
  const addUser = async (index: number) => {
    const name = `soak-user-${index + 1}`;
    await hangarCliJson({ home, args: ["user", "add", name] });
    const created = await hangarCliJson<{ token: string }>({
      home,
      args: ["token", "create", "--user", name, "--role", "write", "--name", "soak"],
    });
    return { name, token: created.token };
  };
  // The first command creates the home alone (as a user's first command does); the others then run side by
  // side. Commands started together on a new home used to race to create its catalog's schema.
  const first = await addUser(0);
  // Settled, not raced: on a failure the other commands must end before the home is removed.
  const settled = await Promise.allSettled(
    Array.from({ length: count - 1 }, (_, index) => addUser(index + 1)),
  );
  const failed = settled.find((result) => result.status === "rejected");
  if (failed) throw failed.reason;
  const users = [
    first,
    ...settled.flatMap((result) => (result.status === "fulfilled" ? [result.value] : [])),
  ];
  await hangarCliJson({
    home,
    args: ["org", "add", ORG, ...users.flatMap((user) => ["--member", user.name])],
  });
  return users;
}

function sha256(bytes: Buffer): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** Text that compresses like text and differs from run to run (`seed`). */
function textFile(seed: string, lines: number): Buffer {
  const rows: string[] = [];
  for (let index = 0; index < lines; index++) {
    rows.push(`${seed} line ${index}: the quick brown fox jumps over the lazy dog ${index * 7919}`);
  }
  return Buffer.from(`${rows.join("\n")}\n`);
}

/**
 * The repos the load works on, made over HTTP with the real `@huggingface/hub` client: one per user, the
 * shared repo with its branch, and the asset repo with a card, a config, a text file and an LFS file of
 * `lfsBytes`.
 */
export async function createRepos(params: {
  hubUrl: string;
  accounts: Omit<SoakUser, "repo">[];
  lfsBytes: number;
}): Promise<Omit<SoakWorld, "infoRepos">> {
  const { hubUrl } = params;
  const users: SoakUser[] = [];
  for (const account of params.accounts) {
    const repo = `${account.name}/soak-own`;
    await createRepo({ repo: { type: "model", name: repo }, accessToken: account.token, hubUrl });
    users.push({ ...account, repo });
  }
  const owner = users[0]!;
  const sharedRepo = `${ORG}/soak-shared`;
  await createRepo({ repo: { type: "model", name: sharedRepo }, accessToken: owner.token, hubUrl });
  await createBranch({
    repo: { type: "model", name: sharedRepo },
    branch: SHARED_BRANCH,
    accessToken: owner.token,
    hubUrl,
  });
  const assetRepo = `${ORG}/soak-assets`;
  await createRepo({ repo: { type: "model", name: assetRepo }, accessToken: owner.token, hubUrl });
  const stamp = randomBytes(8).toString("hex");
  const contents: Array<[string, Buffer]> = [
    [
      "README.md",
      Buffer.from(
        `---\nlicense: apache-2.0\npipeline_tag: text-classification\ntags: [soak]\n---\n# Soak assets ${stamp}\n`,
      ),
    ],
    ["config.json", Buffer.from(JSON.stringify({ model_type: "bert", hidden_size: 64, soak: stamp }))],
    ["data/notes.txt", textFile(stamp, 1500)],
    ["weights.bin", randomBytes(params.lfsBytes)],
  ];
  await commit({
    repo: { type: "model", name: assetRepo },
    title: "Soak assets",
    operations: contents.map(([path, bytes]) => ({
      operation: "addOrUpdate" as const,
      path,
      content: new Blob([new Uint8Array(bytes)]),
    })),
    accessToken: owner.token,
    hubUrl,
    useXet: false,
  });
  return {
    users,
    org: ORG,
    shared: { repo: sharedRepo, branch: SHARED_BRANCH },
    assets: {
      repo: assetRepo,
      files: contents.map(([path, bytes]) => ({ path, bytes, sha256: sha256(bytes) })),
    },
    realRepos: [assetRepo, sharedRepo, ...users.map((user) => user.repo)],
  };
}
