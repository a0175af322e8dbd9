import { countNoun } from "../../core/count-noun.ts";
import { migrateInstance } from "../../hub/maintenance/migrate-instance.ts";
import { S3BlobStore } from "../../store/s3-blob-store.ts";
import { s3Settings } from "../../store/s3-settings.ts";
import type { Command } from "../command.ts";
import { formatBytes, ProgressBar } from "../progress.ts";
import { assertInstanceExists } from "./fsck.ts";
import { expectPositionals, requiredOption, writeJson } from "./local-home.ts";

export const migrateCommand: Command = {
  name: ["migrate"],
  summary: "Copy the instance to PostgreSQL (and its files to an S3-compatible store), resumable",
  usesHome: true,
  options: {
    to: {
      type: "string",
      description: "Target PostgreSQL database (must exist; empty or partially copied)",
      valueName: "postgres://…",
    },
    blobs: {
      type: "string",
      description:
        "Also copy the stored files to this bucket (HANGAR_S3_ENDPOINT, AWS_* as for serve); without it they stay in HOME/blobs",
      valueName: "s3://BUCKET/PREFIX",
    },
  },
  async run({ positionals, values, config, json, stdout, stderr }) {
    expectPositionals(positionals, 0, "no arguments");
    const to = requiredOption(values, "to");
    const blobsLocation = typeof values.blobs === "string" ? values.blobs : undefined;
    assertInstanceExists(config);
    const blobs = blobsLocation
      ? { store: new S3BlobStore(s3Settings(blobsLocation, config.s3)), location: blobsLocation }
      : undefined;
    const tableBar = new ProgressBar(stderr, "Copying tables");
    const blobBar = new ProgressBar(stderr, "Copying files");
    const verifyBar = new ProgressBar(stderr, "Checking");
    let report: Awaited<ReturnType<typeof migrateInstance>>;
    try {
      report = await migrateInstance({
        home: config.home,
        to,
        ...(blobs ? { blobs } : {}),
        ...(config.directIo !== undefined ? { directIo: config.directIo } : {}),
        onProgress: (progress) => {
          if (progress.phase === "tables") {
            tableBar.update(
              progress.index - 1 + (progress.total > 0 ? progress.done / progress.total : 1),
              progress.tables,
              `${progress.table} ${progress.done}/${progress.total}`,
            );
          } else if (progress.phase === "blobs") {
            tableBar.finish();
            blobBar.update(
              progress.done,
              progress.total,
              `${progress.done}/${countNoun(progress.total, "file")}, ${formatBytes(progress.bytes)}`,
            );
          } else {
            tableBar.finish();
            blobBar.finish();
            verifyBar.update(
              progress.done,
              progress.total,
              `${progress.done}/${countNoun(progress.total, "file")}`,
            );
          }
        },
      });
    } finally {
      tableBar.finish();
      blobBar.finish();
      verifyBar.finish();
      await blobs?.store.close();
    }
    if (json) {
      writeJson(stdout, report);
    } else {
      stdout.write(`Copied ${report.source.catalog} to ${report.target.catalog}\n`);
      for (const table of report.tables) {
        const resumed = table.inserted !== table.sourceRows ? ` (${table.inserted} new in this run)` : "";
        stdout.write(`  ${table.table.padEnd(18)} ${countNoun(table.sourceRows, "row")}${resumed}\n`);
      }
      if (report.blobs) {
        const { copied, copiedBytes, skipped } = report.blobs;
        stdout.write(
          `Files: ${countNoun(copied, "file")} copied (${formatBytes(copiedBytes)}) to ${report.target.blobs}, ${skipped} already there\n`,
        );
      } else {
        stdout.write(
          `Files were not copied: they stay in ${report.target.blobs}, which the target instance keeps using (same HANGAR_HOME; give --blobs s3://… to move them)\n`,
        );
      }
      for (const problem of report.problems) stdout.write(`problem: ${problem}\n`);
      if (report.ok) {
        stdout.write(
          `OK: every table has as many rows as the source, and the ${countNoun(report.registeredBlobs, "stored file")} are all in ${report.target.blobs}\n`,
        );
        stdout.write(
          `Serve it with HANGAR_DATABASE_URL=${report.target.catalog}${report.blobsMoved ? ` HANGAR_BLOB_STORE=${report.target.blobs}` : ""}\n`,
        );
      }
    }
    if (!report.ok) {
      throw new Error(
        `${countNoun(report.problems.length, "problem")} after migrating to ${report.target.catalog}: ${report.problems[0]}`,
      );
    }
  },
};
