import { useEffect, useState } from "preact/hooks";
import { ApiError, errorText, getJson, getText, isAbort } from "./api.ts";
import { ScanBadge } from "./badges.tsx";
import { formatAge, formatBytes } from "./format.ts";
import { navigate, type RepoType, repoPath } from "./location.ts";
import type { Commit, Refs, TreeEntry } from "./types.ts";

type FilesView = { mode: "tree" | "blob" | "commits" | "commit"; revision: string; path: string };

/** Fetches JSON for a key; the newest key wins (an older answer arriving late is dropped). */
export interface JsonState<T> {
  data: T | null;
  error: string | null;
  /** The answer's status when it failed (404: the route or the thing does not exist here). */
  status: number | null;
}

export function useJson<T>(path: string | null): JsonState<T> {
  const [state, setState] = useState<JsonState<T>>({ data: null, error: null, status: null });
  useEffect(() => {
    if (!path) return;
    const controller = new AbortController();
    setState({ data: null, error: null, status: null });
    getJson<T>(path, controller.signal).then(
      (data) => setState({ data, error: null, status: null }),
      (failure: unknown) => {
        if (isAbort(failure)) return;
        setState({
          data: null,
          error: errorText(failure),
          status: failure instanceof ApiError ? failure.status : null,
        });
      },
    );
    return () => controller.abort();
  }, [path]);
  return state;
}

const encodePath = (path: string) => path.split("/").map(encodeURIComponent).join("/");

/** Files and versions: the tree at a revision with sizes, LFS and each file's scan verdict; refs; history. */
export function FilesPanel({ type, id, view }: { type: RepoType; id: string; view: FilesView }) {
  const api = `/api/${type}s/${id}`;
  const refs = useJson<Refs>(`${api}/refs`);
  const page = (suffix: string) => repoPath(type, id, suffix);
  const revision = view.revision || "main";
  return (
    <section aria-labelledby="files-heading" class="files">
      <div class="files-bar">
        <h2 id="files-heading" class="files-title">
          Files and versions
        </h2>
        <label>
          Revision{" "}
          <select
            value={revision}
            onChange={(event) => navigate(page(`/tree/${encodeURIComponent(event.currentTarget.value)}`))}
          >
            {refs.data?.branches.map((branch) => (
              <option key={`b-${branch.name}`} value={branch.name}>
                branch: {branch.name}
              </option>
            ))}
            {refs.data?.tags.map((tag) => (
              <option key={`t-${tag.name}`} value={tag.name}>
                tag: {tag.name}
              </option>
            ))}
            {refs.data && ![...refs.data.branches, ...refs.data.tags].some((ref) => ref.name === revision) ? (
              <option value={revision}>{revision}</option>
            ) : null}
          </select>
        </label>
        <a href={page(`/commits/${encodeURIComponent(revision)}`)}>History</a>
      </div>
      {refs.error ? (
        <p class="error" role="alert">
          {refs.error}
        </p>
      ) : null}
      {refs.data ? (
        <p class="muted">
          {refs.data.branches.length} branch{refs.data.branches.length === 1 ? "" : "es"}
          {refs.data.branches.length > 0
            ? `: ${refs.data.branches.map((branch) => branch.name).join(", ")}`
            : ""}{" "}
          · {refs.data.tags.length} tag{refs.data.tags.length === 1 ? "" : "s"}
          {refs.data.tags.length > 0 ? `: ${refs.data.tags.map((tag) => tag.name).join(", ")}` : ""}
        </p>
      ) : null}
      {view.mode === "commits" || view.mode === "commit" ? (
        <CommitList
          type={type}
          id={id}
          revision={view.mode === "commit" ? "main" : revision}
          highlight={view.mode === "commit" ? view.revision : null}
        />
      ) : view.mode === "blob" ? (
        <FileView type={type} id={id} revision={revision} path={view.path} />
      ) : (
        <TreeTable type={type} id={id} revision={revision} path={view.path} />
      )}
    </section>
  );
}

function TreeTable({
  type,
  id,
  revision,
  path,
}: {
  type: RepoType;
  id: string;
  revision: string;
  path: string;
}) {
  const tree = useJson<TreeEntry[]>(
    `/api/${type}s/${id}/tree/${encodeURIComponent(revision)}${path ? `/${encodePath(path)}` : ""}?expand=true`,
  );
  const page = (suffix: string) => repoPath(type, id, suffix);
  const unsafe = tree.data?.filter(
    (entry) => entry.securityFileStatus && ["unsafe", "suspicious"].includes(entry.securityFileStatus.status),
  );
  return (
    <>
      {path ? (
        <p>
          <a href={page(`/tree/${encodeURIComponent(revision)}`)}>{id.split("/")[1]}</a> / {path}
        </p>
      ) : null}
      {unsafe && unsafe.length > 0 ? (
        <p class="banner bad" role="alert">
          The scanner flagged {unsafe.length} file{unsafe.length === 1 ? "" : "s"} here:{" "}
          {unsafe.map((entry) => entry.path).join(", ")}
        </p>
      ) : null}
      {tree.error ? (
        <p class="error" role="alert">
          {tree.error}
        </p>
      ) : null}
      <div class="table-scroll">
        <table class="file-table" aria-busy={tree.data === null}>
          <caption class="visually-hidden">Files at {revision}</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Size</th>
              <th scope="col">Storage</th>
              <th scope="col">Scan</th>
              <th scope="col">Last commit</th>
            </tr>
          </thead>
          <tbody>
            {tree.data?.map((entry) => {
              const name = entry.path.split("/").pop();
              const target = `/${entry.type === "directory" ? "tree" : "blob"}/${encodeURIComponent(revision)}/${encodePath(entry.path)}`;
              return (
                <tr key={entry.path}>
                  <td>
                    <a href={page(target)}>
                      {name}
                      {entry.type === "directory" ? "/" : ""}
                    </a>
                  </td>
                  <td>{entry.type === "file" ? formatBytes(entry.lfs?.size ?? entry.size) : ""}</td>
                  <td>{entry.type === "file" ? entry.lfs ? <span class="badge">LFS</span> : "git" : ""}</td>
                  <td>
                    {entry.securityFileStatus ? <ScanBadge status={entry.securityFileStatus.status} /> : null}
                  </td>
                  <td class="muted">
                    {entry.lastCommit ? (
                      <>
                        <a href={page(`/commit/${entry.lastCommit.id}`)}>{entry.lastCommit.title}</a> ·{" "}
                        {formatAge(entry.lastCommit.date)}
                      </>
                    ) : null}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </>
  );
}

const PREVIEW_BYTES = 200_000;

function FileView({
  type,
  id,
  revision,
  path,
}: {
  type: RepoType;
  id: string;
  revision: string;
  path: string;
}) {
  const folder = path.split("/").slice(0, -1).join("/");
  const infoPath = `/api/${type}s/${id}/tree/${encodeURIComponent(revision)}${folder ? `/${encodePath(folder)}` : ""}?expand=true`;
  const tree = useJson<TreeEntry[]>(infoPath);
  const entry = tree.data?.find((item) => item.path === path);
  const prefix = type === "model" ? "" : `/${type}s`;
  const download = `${prefix}/${id}/resolve/${encodeURIComponent(revision)}/${encodePath(path)}`;
  const [text, setText] = useState<string | null>(null);
  const previewable = entry && !entry.lfs && entry.size <= PREVIEW_BYTES;
  useEffect(() => {
    setText(null);
    if (!previewable) return;
    const controller = new AbortController();
    getText(download, controller.signal).then(setText, () => undefined);
    return () => controller.abort();
  }, [download, previewable]);
  const imports = entry?.securityFileStatus?.pickleImportScan?.imports ?? [];
  return (
    <div class="file-view">
      <h3>{path}</h3>
      {tree.error ? (
        <p class="error" role="alert">
          {tree.error}
        </p>
      ) : null}
      {entry ? (
        <dl class="facts">
          <dt>Size</dt>
          <dd>{formatBytes(entry.lfs?.size ?? entry.size)}</dd>
          <dt>Storage</dt>
          <dd>
            {entry.lfs ? `LFS (sha256 ${entry.lfs.oid.slice(0, 12)}…)` : `git blob ${entry.oid.slice(0, 12)}`}
          </dd>
          <dt>Scan</dt>
          <dd>{entry.securityFileStatus ? <ScanBadge status={entry.securityFileStatus.status} /> : "—"}</dd>
          {imports.length > 0 ? (
            <>
              <dt>Pickle imports</dt>
              <dd>
                {imports.map((item) => (
                  <span
                    key={`${item.module}.${item.name}`}
                    class={`badge ${item.safety === "dangerous" ? "bad" : item.safety === "innocuous" ? "good" : "warn"}`}
                  >
                    {item.module}.{item.name}
                  </span>
                ))}
              </dd>
            </>
          ) : null}
        </dl>
      ) : null}
      <p>
        <a href={download} data-external download>
          Download
        </a>
      </p>
      {text !== null ? <pre class="file-text">{text}</pre> : null}
    </div>
  );
}

function CommitList({
  type,
  id,
  revision,
  highlight,
}: {
  type: RepoType;
  id: string;
  revision: string;
  highlight: string | null;
}) {
  const commits = useJson<Commit[]>(`/api/${type}s/${id}/commits/${encodeURIComponent(revision)}`);
  return (
    <>
      <h3>{highlight ? `Commit ${highlight.slice(0, 12)}` : `History of ${revision}`}</h3>
      {commits.error ? (
        <p class="error" role="alert">
          {commits.error}
        </p>
      ) : null}
      {highlight && commits.data && !commits.data.some((commit) => commit.id.startsWith(highlight)) ? (
        <p class="muted">This commit is not on main's history; the history of main is below.</p>
      ) : null}
      <ol class="commits">
        {commits.data?.map((commit) => (
          <li
            key={commit.id}
            class={highlight && commit.id.startsWith(highlight) ? "highlight" : ""}
            aria-current={highlight && commit.id.startsWith(highlight) ? "true" : undefined}
          >
            <a href={repoPath(type, id, `/commit/${commit.id}`)}>
              <code>{commit.id.slice(0, 8)}</code>
            </a>{" "}
            <strong>{commit.title}</strong>{" "}
            <span class="muted">
              {commit.authors.map((author) => author.user).join(", ")} · {formatAge(commit.date)}
            </span>
            {commit.message ? <p class="muted">{commit.message}</p> : null}
            <a href={repoPath(type, id, `/tree/${commit.id}`)}>Browse files</a>
          </li>
        ))}
      </ol>
    </>
  );
}
