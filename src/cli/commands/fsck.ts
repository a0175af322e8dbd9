import { existsSync } from "node:fs";
import { join } from "node:path";
import type { HangarConfig } from "../../core/config.ts";
import { countNoun } from "../../core/count-noun.ts";
import { HangarError } from "../../core/errors.ts";
import { fsck } from "../../hub/maintenance/fsck.ts";
import type { Command } from "../command.ts";
import { formatBytes, ProgressBar } from "../progress.ts";
import { expectPositionals, withLocalHome, writeJson } from "./local-home.ts";

/** Maintenance commands inspect an existing instance; opening a missing one would create an empty one. */
export function assertInstanceExists(config: HangarConfig): void {
  // A catalog on PostgreSQL is the instance; the home then holds only caches.
  if (config.database === undefined && !existsSync(join(config.home, "hangar.db"))) {
    throw new HangarError("HANGAR_ERR_NOT_FOUND", `There is no Hangar instance in ${config.home}`);
  }
}

export const fsckCommand: Command = {
  name: ["fsck"],
  summary: "Check that every ref, commit and file of the instance is intact",
  usesHome: true,
  options: {
    verify: { type: "boolean", description: "Also re-hash every LFS file (reads all stored bytes)" },
  },
  async run({ positionals, values, config, json, stdout, stderr }) {
    expectPositionals(positionals, 0, "no arguments");
    assertInstanceExists(config);
    const progress = new ProgressBar(stderr, "Checking");
    const report = await withLocalHome(config, (hangar) =>
      fsck(hangar, {
        verifyHashes: Boolean(values.verify),
        onProgress: (state) => {
          if (state.phase !== "blobs") return;
          if (state.bytesTotal > 0) {
            progress.update(state.bytesDone, state.bytesTotal, `${formatBytes(state.bytesDone)} read`);
          } else {
            progress.update(state.done, state.total, `${state.done}/${countNoun(state.total, "blob")}`);
          }
        },
      }),
    );
    progress.finish();
    if (json) {
      writeJson(stdout, report);
    } else {
      for (const problem of report.problems) stdout.write(`${problem.kind}: ${problem.message}\n`);
      const { counts } = report;
      stdout.write(
        `${report.ok ? "OK" : countNoun(report.problems.length, "problem")}: ${countNoun(counts.repos, "repo")}, ${countNoun(counts.refs, "ref")}, ${countNoun(counts.commits, "commit")}, ${countNoun(counts.referencedBlobs, "blob")} referenced (${formatBytes(counts.referencedBytes)}), ${counts.hashedBlobs} re-hashed\n`,
      );
      if (counts.unreferencedBlobs > 0 || counts.tempFiles > 0) {
        stdout.write(
          `Not problems: ${countNoun(counts.unreferencedBlobs, "unreferenced blob")} and ${countNoun(counts.tempFiles, "temp file")} (${formatBytes(counts.tempBytes)}); \`hangar gc\` removes old ones\n`,
        );
      }
    }
    if (!report.ok)
      throw new Error(`${countNoun(report.problems.length, "problem")} found in ${config.home}`);
  },
};
