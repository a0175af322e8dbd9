import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createRepo, downloadFile, listModels, modelInfo, uploadFiles, whoAmI } from "@huggingface/hub";
import { createOrg } from "../../src/hub/accounts/manage-accounts.ts";
import { apiError } from "../helpers/hub-errors.ts";
import { importFiles, startTestHangar, type TestHangar } from "../helpers/test-hangar.ts";

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

/** The Hub's 404 for a repo the caller cannot see, word for word (the same for a missing repo). */
function notFoundMessage(id: string): string {
  return `Repository Not Found for url: ${id}. Please make sure you specified the correct repo id and type, and that you have access to it.`;
}

const WRITE_REFUSED = 'You are not allowed to write to the namespace "acme"';
const READ_TOKEN_REFUSED =
  "You have read access but not the required permissions for this operation: use a write token";

describe("organisation namespaces over HTTP with the real @huggingface/hub client", () => {
  let hub: TestHangar;
  /** alice is a member of acme. */
  let memberWrite: string;
  let memberRead: string;
  /** bob is not. */
  let outsider: string;
  const secretConfig = '{"model_type": "bert", "hidden_size": 8}';

  before(async () => {
    hub = await startTestHangar();
    memberWrite = await hub.addUser("alice", "write");
    memberRead = await hub.addUser("alice", "read");
    outsider = await hub.addUser("bob", "write");
    await createOrg(hub.hangar, { name: "acme", members: ["alice"] });
    await importFiles(
      hub.hangar,
      "acme/secret",
      { "config.json": secretConfig, "README.md": "# Secret\n" },
      { private: true },
    );
    await importFiles(hub.hangar, "acme/open", { "README.md": "# Open\n" });
  });
  after(() => hub.close());

  const headOf = async (name: string): Promise<string | null | undefined> =>
    (await hub.hangar.catalog.repos.get({ type: "model", namespace: "acme", name }))?.sha;

  it("lists the org among the member's orgs in whoami", async () => {
    const info = await whoAmI({ hubUrl: hub.url, accessToken: memberRead });
    assert.deepEqual(
      (info as unknown as { orgs: Array<{ name: string; type: string }> }).orgs.map((org) => [
        org.type,
        org.name,
      ]),
      [["org", "acme"]],
    );
  });

  it("lets a member read the org's private repo with a read token", async () => {
    const info = await modelInfo({
      name: "acme/secret",
      hubUrl: hub.url,
      accessToken: memberRead,
      additionalFields: ["sha", "filePaths"],
    });
    assert.equal(info.name, "acme/secret");
    assert.equal(info.private, true);
    assert.equal(info.sha, await headOf("secret"));
    assert.deepEqual([...info.filePaths].sort(), [".gitattributes", "README.md", "config.json"]);

    const listed = await collect(
      listModels({ hubUrl: hub.url, accessToken: memberRead, search: { owner: "acme" } }),
    );
    assert.deepEqual(listed.map((model) => [model.name, model.private]).sort(), [
      ["acme/open", false],
      ["acme/secret", true],
    ]);

    const blob = await downloadFile({
      repo: "acme/secret",
      path: "config.json",
      hubUrl: hub.url,
      accessToken: memberRead,
    });
    assert.ok(blob, "the member downloads the file");
    assert.equal(await blob.text(), secretConfig);
  });

  it("answers a non-member exactly as for a repo that does not exist", async () => {
    const hidden = await apiError(modelInfo({ name: "acme/secret", hubUrl: hub.url, accessToken: outsider }));
    const missing = await apiError(
      modelInfo({ name: "acme/nothing", hubUrl: hub.url, accessToken: outsider }),
    );
    assert.equal(hidden.statusCode, 404);
    assert.equal(missing.statusCode, 404);
    assert.deepEqual(hidden.data, {
      error: notFoundMessage("acme/secret"),
      code: "HANGAR_ERR_REPO_NOT_FOUND",
    });
    assert.deepEqual(missing.data, {
      error: notFoundMessage("acme/nothing"),
      code: "HANGAR_ERR_REPO_NOT_FOUND",
    });

    for (const [path, id] of [
      ["/api/models/acme/secret", "acme/secret"],
      ["/api/models/acme/nothing", "acme/nothing"],
      ["/acme/secret/resolve/main/config.json", "acme/secret"],
      ["/acme/nothing/resolve/main/config.json", "acme/nothing"],
      ["/api/models/acme/secret/tree/main", "acme/secret"],
    ] as const) {
      const response = await hub.fetch(`${hub.url}${path}`, {
        headers: { authorization: `Bearer ${outsider}` },
      });
      assert.equal(response.status, 404, path);
      assert.equal(response.headers.get("x-error-code"), "RepoNotFound", path);
      assert.equal(response.headers.get("x-error-message"), notFoundMessage(id), path);
      assert.deepEqual(await response.json(), {
        error: notFoundMessage(id),
        code: "HANGAR_ERR_REPO_NOT_FOUND",
      });
    }

    for (const repo of ["acme/secret", "acme/nothing"]) {
      const download = await apiError(
        downloadFile({ repo, path: "config.json", hubUrl: hub.url, accessToken: outsider }),
      );
      assert.equal(download.statusCode, 404);
      assert.deepEqual(download.data, { error: notFoundMessage(repo), code: "HANGAR_ERR_REPO_NOT_FOUND" });
    }
    const listed = await collect(
      listModels({ hubUrl: hub.url, accessToken: outsider, search: { owner: "acme" } }),
    );
    assert.deepEqual(
      listed.map((model) => model.name),
      ["acme/open"],
    );
  });

  it("answers an anonymous caller 401 RepoNotFound for the private repo", async () => {
    const response = await hub.fetch(`${hub.url}/api/models/acme/secret`);
    assert.equal(response.status, 401);
    assert.equal(response.headers.get("x-error-code"), "RepoNotFound");
    const listed = await collect(listModels({ hubUrl: hub.url, search: { owner: "acme" } }));
    assert.deepEqual(
      listed.map((model) => model.name),
      ["acme/open"],
    );
  });

  it("lets a member with a write token create repos in the org and upload to them", async () => {
    const created = await createRepo({
      repo: "acme/made-by-alice",
      accessToken: memberWrite,
      hubUrl: hub.url,
    });
    assert.deepEqual(created, { repoUrl: `${hub.url}/acme/made-by-alice`, id: "acme/made-by-alice" });
    const weights = Buffer.alloc(64, 7);
    await uploadFiles({
      repo: "acme/made-by-alice",
      accessToken: memberWrite,
      hubUrl: hub.url,
      files: [
        { path: "notes.txt", content: new Blob(["made in the org\n"]) },
        { path: "weights.bin", content: new Blob([weights]) },
      ],
    });
    const back = await downloadFile({
      repo: "acme/made-by-alice",
      path: "weights.bin",
      hubUrl: hub.url,
      accessToken: memberWrite,
    });
    assert.ok(back);
    assert.ok(Buffer.from(await back.arrayBuffer()).equals(weights));

    // The org's private repo takes commits from members too.
    const before = await headOf("secret");
    await uploadFiles({
      repo: "acme/secret",
      accessToken: memberWrite,
      hubUrl: hub.url,
      files: [{ path: "added.txt", content: new Blob(["by a member\n"]) }],
    });
    assert.notEqual(await headOf("secret"), before);
    const added = await hub.fetch(`${hub.url}/acme/secret/resolve/main/added.txt`, {
      headers: { authorization: `Bearer ${memberRead}` },
    });
    assert.equal(added.status, 200);
    assert.equal(await added.text(), "by a member\n");
  });

  it("refuses a non-member writing into the org with 403, and hides the private repo behind 404", async () => {
    const create = await apiError(
      createRepo({ repo: "acme/by-bob", accessToken: outsider, hubUrl: hub.url }),
    );
    assert.equal(create.statusCode, 403);
    assert.deepEqual(create.data, { error: WRITE_REFUSED, code: "HANGAR_ERR_FORBIDDEN" });
    assert.equal(
      await hub.hangar.catalog.repos.get({ type: "model", namespace: "acme", name: "by-bob" }),
      undefined,
    );

    const raw = await hub.fetch(`${hub.url}/api/repos/create`, {
      method: "POST",
      headers: { authorization: `Bearer ${outsider}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "by-bob", organization: "acme", type: "model" }),
    });
    assert.equal(raw.status, 403);
    assert.equal(raw.headers.get("x-error-code"), "Forbidden");
    assert.equal(raw.headers.get("x-error-message"), WRITE_REFUSED);

    const openHead = await headOf("open");
    const upload = await apiError(
      uploadFiles({
        repo: "acme/open",
        accessToken: outsider,
        hubUrl: hub.url,
        files: [{ path: "bob.txt", content: new Blob(["not a member"]) }],
      }),
    );
    assert.equal(upload.statusCode, 403);
    assert.equal(upload.data?.error, WRITE_REFUSED);
    assert.equal(await headOf("open"), openHead);

    // A private repo stays invisible: writing to it fails like writing to a repo that does not exist.
    const secretHead = await headOf("secret");
    const hidden = await apiError(
      uploadFiles({
        repo: "acme/secret",
        accessToken: outsider,
        hubUrl: hub.url,
        files: [{ path: "bob.txt", content: new Blob(["not a member"]) }],
      }),
    );
    assert.equal(hidden.statusCode, 404);
    assert.deepEqual(hidden.data, {
      error: notFoundMessage("acme/secret"),
      code: "HANGAR_ERR_REPO_NOT_FOUND",
    });
    assert.equal(await headOf("secret"), secretHead);
  });

  it("refuses a member's read token on writes with 403", async () => {
    const create = await apiError(
      createRepo({ repo: "acme/by-read", accessToken: memberRead, hubUrl: hub.url }),
    );
    assert.equal(create.statusCode, 403);
    assert.deepEqual(create.data, { error: READ_TOKEN_REFUSED, code: "HANGAR_ERR_FORBIDDEN" });
    assert.equal(
      await hub.hangar.catalog.repos.get({ type: "model", namespace: "acme", name: "by-read" }),
      undefined,
    );

    const secretHead = await headOf("secret");
    const upload = await apiError(
      uploadFiles({
        repo: "acme/secret",
        accessToken: memberRead,
        hubUrl: hub.url,
        files: [{ path: "read.txt", content: new Blob(["read token"]) }],
      }),
    );
    assert.equal(upload.statusCode, 403);
    assert.equal(upload.data?.error, READ_TOKEN_REFUSED);
    assert.equal(await headOf("secret"), secretHead);
  });

  it("asks an anonymous writer to authenticate (401)", async () => {
    const response = await hub.fetch(`${hub.url}/api/repos/create`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "anonymous", organization: "acme", type: "model" }),
    });
    assert.equal(response.status, 401);
    assert.equal(response.headers.get("x-error-code"), "Unauthorized");
    assert.deepEqual(await response.json(), {
      error: "Authentication required: send a write token as a Bearer token",
      code: "HANGAR_ERR_UNAUTHORIZED",
    });
  });
});
