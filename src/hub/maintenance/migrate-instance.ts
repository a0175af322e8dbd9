import { join } from "node:path";
import { defaultConfig } from "../../core/config.ts";
import { badRequest } from "../../core/errors.ts";
import { BlobStore } from "../../store/blob-store.ts";
import type { BlobStorage } from "../../store/blob-store-types.ts";
import { Catalog, isPostgresUrl } from "../../store/catalog.ts";
import {
  type BlobCopyProgress,
  type CopyBlobsReport,
  copyBlobs,
  missingBlobs,
} from "../../store/copy-blobs.ts";
import { compareCatalogs, copyCatalog, type TableProgress } from "../../store/copy-catalog.ts";
import { redactUrl } from "../../store/sql/postgres-sql.ts";
import { fsck } from "./fsck.ts";

export type MigrateProgress =
  | ({ phase: "tables" } & TableProgress)
  | ({ phase: "blobs" } & BlobCopyProgress)
  | { phase: "verify"; done: number; total: number };

export interface MigrateParams {
  /** The instance to move: its SQLite catalog (`hangar.db`) and, unless `blobs` is given, its blob folder. */
  home: string;
  /** The target catalog: a `postgres://` URL of an existing database, empty or partially copied. */
  to: string;
  /** Where to copy the blobs (an S3-compatible store) and how to name it; absent: they stay in the home. */
  blobs?: { store: BlobStorage; location: string };
  directIo?: boolean;
  /** Progress of each phase; a throw stops the migration there (a new run picks up where it stopped). */
  onProgress?: (progress: MigrateProgress) => void;
}

export interface MigratedTable {
  table: string;
  sourceRows: number;
  /** Rows this run added (fewer than sourceRows when an earlier run copied some). */
  inserted: number;
  targetRows: number;
}

export interface MigrateReport {
  ok: boolean;
  /** What differs between source and target after the copy, one sentence each. */
  problems: string[];
  source: { catalog: string; blobs: string };
  /** The target catalog's URL (password hidden) and where its blobs are. */
  target: { catalog: string; blobs: string };
  /** Whether blobs were copied (`--blobs`), or stay in the home's blob folder. */
  blobsMoved: boolean;
  tables: MigratedTable[];
  blobs: CopyBlobsReport | null;
  /** Blobs the target catalog registers, and how many of them the target store lacks. */
  registeredBlobs: number;
  missingBlobs: number;
  /** The first few missing blobs' sha256. */
  missingExamples: string[];
}

/** How many missing blobs a report names (the count is always exact). */
const LISTED_MISSING = 20;

/**
 * Moves an instance from the embedded default (SQLite in `home`) to PostgreSQL and, with `blobs`, its
 * blobs to an S3-compatible store: every row with its own keys (identical commit ids, tokens, accounts),
 * every blob with its sha256 checked. Running it again after an interruption completes it. The target is
 * checked afterwards: same row counts per table, same `meta`, and every registered blob in its store.
 */
export async function migrateInstance(params: MigrateParams): Promise<MigrateReport> {
  if (!isPostgresUrl(params.to)) {
    throw badRequest(`--to must be a postgres:// URL, got "${redactUrl(params.to)}"`);
  }
  const sourcePath = join(params.home, "hangar.db");
  const blobFolder = join(params.home, "blobs");
  const sourceBlobs = await BlobStore.open(blobFolder, { directIo: params.directIo });
  const targetBlobs = params.blobs?.store ?? sourceBlobs;
  if (params.blobs) await params.blobs.store.check();
  const source = await Catalog.open(sourcePath);
  try {
    const target = await Catalog.open(params.to);
    try {
      const copied = await copyCatalog(source, target, {
        onProgress: (progress) => params.onProgress?.({ phase: "tables", ...progress }),
      });
      const blobs = params.blobs
        ? await copyBlobs(sourceBlobs, params.blobs.store, {
            onProgress: (progress) => params.onProgress?.({ phase: "blobs", ...progress }),
          })
        : null;

      const problems: string[] = [];
      const { counts, differentMeta } = await compareCatalogs(source, target);
      const tables = copied.tables.map((table) => ({
        ...table,
        targetRows: counts.find((count) => count.table === table.table)?.target ?? 0,
      }));
      for (const count of counts) {
        if (count.source !== count.target) {
          problems.push(
            `table ${count.table} has ${count.source} rows in the source but ${count.target} in the target`,
          );
        }
      }
      if (differentMeta.length > 0) {
        problems.push(`meta values differ between source and target: ${differentMeta.join(", ")}`);
      }
      for (const failure of blobs?.failed ?? []) {
        problems.push(`blob ${failure.sha256} was not copied: ${failure.message}`);
      }
      const registered = (await target.maintenance.registeredBlobs()).map((blob) => blob.sha256);
      const missing = await missingBlobs(targetBlobs, registered, {
        onProgress: (done, total) => params.onProgress?.({ phase: "verify", done, total }),
      });
      if (missing.length > 0) {
        problems.push(
          `${missing.length} registered blob(s) missing from the target store, e.g. ${missing.slice(0, 3).join(", ")}`,
        );
      }
      // Last, the check a user would run on the target: refs, commits, git objects and blobs all agree.
      const checked = await fsck({ config: defaultConfig(params.home), catalog: target, blobs: targetBlobs });
      for (const problem of checked.problems) problems.push(`fsck on the target: ${problem.message}`);
      return {
        ok: problems.length === 0,
        problems,
        source: { catalog: sourcePath, blobs: blobFolder },
        target: { catalog: redactUrl(params.to), blobs: params.blobs?.location ?? blobFolder },
        blobsMoved: params.blobs !== undefined,
        tables,
        blobs,
        registeredBlobs: registered.length,
        missingBlobs: missing.length,
        missingExamples: missing.slice(0, LISTED_MISSING),
      };
    } finally {
      await target.close();
    }
  } finally {
    await source.close();
  }
}
