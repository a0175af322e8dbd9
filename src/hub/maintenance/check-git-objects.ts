import type { CommitToCheck } from "../../core/catalog-types.ts";
import { buildGitTrees, type GitCommitFields, gitObjectOid, parseGitCommit } from "../../core/git-objects.ts";
import type { MaintenanceTable } from "../../store/maintenance-table.ts";
import type { HubContext, HubScope } from "../hub.ts";
import { type FsckProblem, repoName } from "./fsck-problem.ts";

export interface GitObjectCheck {
  report: (problem: FsckProblem) => void;
  /** Called after each page with the objects and commits it checked. */
  onChecked: (count: number) => void;
}

/** Objects are read a page at a time, with a turn of the event loop in between, so a live server keeps going. */
const OBJECT_PAGE = 500;
/** A commit's check reads all its files; fewer per page. */
const COMMIT_PAGE = 50;

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Checks the git objects of the catalog: every stored object hashes to its id, and every commit made here has
 * its commit object, which names the commit's parents and the root tree its files make, with every tree of
 * that commit stored. Mirrored commits have no objects here (their ids are the upstream's).
 */
export async function checkGitObjects(
  hub: HubContext,
  table: MaintenanceTable,
  check: GitObjectCheck,
): Promise<void> {
  for (let after = 0; ; ) {
    const page = await table.gitObjectsAfter(after, OBJECT_PAGE);
    if (page.length === 0) break;
    for (const object of page) {
      const actual = gitObjectOid(object.type, object.body);
      if (actual !== object.oid) {
        check.report({
          kind: "git-object-corrupt",
          repo: repoName(object),
          message: `${repoName(object)}: the ${object.type} object ${object.oid} is corrupt: its bytes hash to ${actual}`,
        });
      }
    }
    after = page[page.length - 1]!.pk;
    check.onChecked(page.length);
    await nextTurn();
  }

  for (let after = 0; ; ) {
    // One read transaction per page: a commit, its files and its objects are seen as one state.
    const page = await hub.catalog.transaction(
      async (tx) => {
        const commits = await tx.maintenance.commitsAfter(after, COMMIT_PAGE);
        for (const commit of commits) {
          for (const problem of await checkCommit({ ...hub, catalog: tx }, tx.maintenance, commit)) {
            check.report(problem);
          }
        }
        return commits;
      },
      { readOnly: true },
    );
    if (page.length === 0) break;
    after = page[page.length - 1]!.pk;
    check.onChecked(page.length);
    await nextTurn();
  }
}

async function checkCommit(
  hub: HubScope,
  table: MaintenanceTable,
  commit: CommitToCheck,
): Promise<FsckProblem[]> {
  const repo = repoName(commit);
  const problem = (kind: FsckProblem["kind"], what: string): FsckProblem => ({
    kind,
    repo,
    commit: commit.oid,
    message: `${repo}: commit ${commit.oid} ${what}`,
  });
  const object = await hub.catalog.commits.getGitObject(commit.repoPk, commit.oid);
  if (!object) return commit.mirrored ? [] : [problem("git-object-missing", "has no git commit object")];
  if (object.type !== "commit")
    return [problem("commit-object-mismatch", `is stored as a ${object.type} object`)];
  let fields: GitCommitFields;
  try {
    fields = parseGitCommit(object.body);
  } catch (error) {
    return [
      problem("git-object-corrupt", `has a commit object that cannot be read: ${(error as Error).message}`),
    ];
  }
  const problems: FsckProblem[] = [];
  if (fields.parents.join(",") !== commit.parents.join(",")) {
    problems.push(
      problem(
        "commit-object-mismatch",
        `has the parents [${commit.parents.join(", ")}], but its commit object names [${fields.parents.join(", ")}]`,
      ),
    );
  }
  const trees = buildGitTrees(await hub.catalog.commits.listFiles(commit.pk));
  if (trees.root !== fields.tree) {
    problems.push(
      problem(
        "commit-object-mismatch",
        `has files that make the tree ${trees.root}, but its commit object names the tree ${fields.tree}`,
      ),
    );
    return problems;
  }
  for (const [path, oid] of trees.folders) {
    if (!(await table.hasGitObject(commit.repoPk, oid))) {
      problems.push(
        problem(
          "git-object-missing",
          `lacks the tree object ${oid} of ${path === "" ? "its root" : `${path}/`}`,
        ),
      );
    }
  }
  return problems;
}
