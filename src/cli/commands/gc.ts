import { countNoun } from "../../core/count-noun.ts";
import { badRequest } from "../../core/errors.ts";
import { DEFAULT_GC_GRACE_MS, gc } from "../../hub/maintenance/gc.ts";
import type { Command } from "../command.ts";
import { formatBytes } from "../progress.ts";
import { assertInstanceExists } from "./fsck.ts";
import { expectPositionals, withLocalHome, writeJson } from "./local-home.ts";

function parseGrace(value: unknown): number {
  if (value === undefined) return DEFAULT_GC_GRACE_MS;
  const seconds = Number(value);
  if (typeof value !== "string" || value.trim() === "" || !Number.isFinite(seconds) || seconds < 0) {
    throw badRequest(`--grace must be a number of seconds (0 or more), got "${String(value)}"`);
  }
  return Math.round(seconds * 1000);
}

export const gcCommand: Command = {
  name: ["gc"],
  summary: "Remove stored files no commit references, and leftovers of interrupted uploads",
  usesHome: true,
  options: {
    "dry-run": { type: "boolean", description: "Show what would be removed without removing it" },
    grace: {
      type: "string",
      description: `Spare anything younger than this (default ${DEFAULT_GC_GRACE_MS / 1000}, one day)`,
      valueName: "SECONDS",
    },
  },
  async run({ positionals, values, config, json, stdout }) {
    expectPositionals(positionals, 0, "no arguments");
    const graceMs = parseGrace(values.grace);
    assertInstanceExists(config);
    const report = await withLocalHome(config, (hangar) =>
      gc(hangar, { dryRun: Boolean(values["dry-run"]), graceMs }),
    );
    if (json) {
      writeJson(stdout, report);
      return;
    }
    const verb = report.dryRun ? "Would remove" : "Removed";
    stdout.write(
      `${verb} ${countNoun(report.removedBlobs, "unreferenced blob")} (${formatBytes(report.removedBlobBytes)}) and ${countNoun(report.removedTempFiles, "temp file")} (${formatBytes(report.removedTempBytes)}): ${formatBytes(report.freedBytes)} ${report.dryRun ? "would be " : ""}freed\n`,
    );
    if (report.keptYoung > 0 || report.keptLeased > 0) {
      stdout.write(
        `Kept ${countNoun(report.keptYoung, "unreferenced blob")} younger than ${report.graceMs / 1000} s and ${report.keptLeased} in use\n`,
      );
    }
    if (report.abortedUploads > 0) {
      stdout.write(
        `${report.dryRun ? "Would abort" : "Aborted"} ${countNoun(report.abortedUploads, "unfinished multipart upload")} whose upload URLs had expired\n`,
      );
    }
    if (report.keptActiveTempFiles > 0) {
      stdout.write(
        `Kept ${countNoun(report.keptActiveTempFiles, "temp file")} that uploads are still writing\n`,
      );
    }
  },
};
