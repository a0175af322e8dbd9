import { existsSync } from "node:fs";
import { countNoun } from "../../core/count-noun.ts";
import { badRequest } from "../../core/errors.ts";
import {
  listFiles,
  SCANNER_RULES_VERSION,
  type ScanResult,
  scanFile,
  unscannable,
  worstVerdict,
} from "../../governance/scan/index.ts";
import type { Command } from "../command.ts";
import { assertInstanceExists } from "./fsck.ts";
import { expectPositionals, withLocalHome, writeJson, writeTable } from "./local-home.ts";
import { looksLikeRepoId, rescanAll, scanRepoFiles } from "./scan-hub.ts";

/** Exit code for the worst verdict: 0 nothing flagged, 1 suspicious, 2 unsafe or invalid. */
export function scanExitCode(results: ScanResult[]): number {
  const worst = worstVerdict(results.map((result) => result.verdict));
  return worst === "safe" ? 0 : worst === "suspicious" ? 1 : 2;
}

export const scanCommand: Command = {
  name: ["scan"],
  summary: "Scan model and data files for code that runs on load, broken formats, secrets and personal data",
  usage: "<path>... | <repo_id>[@<revision>]... | --rescan",
  usesHome: true,
  options: {
    rescan: {
      type: "boolean",
      description:
        "Scan every committed file of the instance without a verdict under the current scanner rules, now",
    },
  },
  async run({ positionals, values, config, json, stdout, stderr }) {
    if (values.rescan) {
      expectPositionals(positionals, 0, "no arguments with --rescan");
      assertInstanceExists(config);
      const report = await withLocalHome(config, rescanAll);
      if (json) writeJson(stdout, report);
      else {
        stdout.write(
          `${countNoun(report.scanned, "file")} scanned under rules ${SCANNER_RULES_VERSION}; ${countNoun(report.dropped, "older verdict")} dropped${report.missing > 0 ? `; ${countNoun(report.missing, "file")} not in the blob store yet` : ""}\n`,
        );
      }
      return 0;
    }
    if (positionals.length === 0) throw badRequest("missing arguments: expected <path>... or <repo_id>");
    const repos = positionals.filter((argument) => !existsSync(argument) && looksLikeRepoId(argument));
    for (const path of positionals)
      if (!repos.includes(path) && !existsSync(path)) throw badRequest(`no such file or folder: ${path}`);
    const results: ScanResult[] = [];
    if (repos.length > 0) {
      assertInstanceExists(config);
      await withLocalHome(config, async (hangar) => {
        for (const repo of repos) {
          const files = await scanRepoFiles(hangar, repo);
          results.push(
            ...(repos.length > 1 ? files.map((file) => ({ ...file, path: `${repo}:${file.path}` })) : files),
          );
        }
      });
    }
    const files = await listFiles(positionals.filter((argument) => !repos.includes(argument)));
    for (const file of files) {
      try {
        results.push(await scanFile(file));
      } catch (error) {
        results.push(unscannable(file, error));
      }
    }
    if (json) {
      writeJson(
        stdout,
        results.map(({ path, format, verdict, findings }) => ({ path, format, verdict, findings })),
      );
    } else {
      writeTable(
        stdout,
        ["VERDICT", "FORMAT", "PATH"],
        results.map((result) => [result.verdict, result.format, result.path]),
        "No files to scan",
      );
      for (const result of results) {
        const flagged = result.findings.filter((finding) => finding.severity !== "info");
        if (flagged.length === 0) continue;
        stdout.write(`\n${result.path}:\n`);
        for (const finding of flagged) {
          const where = [finding.member, finding.offset === undefined ? undefined : `byte ${finding.offset}`]
            .filter(Boolean)
            .join(" ");
          stdout.write(
            `  ${finding.severity.padEnd(10)} ${finding.rule}${where ? ` (${where})` : ""}: ${finding.message}${finding.samples ? ` [${finding.samples.join(", ")}]` : ""}\n`,
          );
        }
      }
      const counts = new Map<string, number>();
      for (const result of results) counts.set(result.verdict, (counts.get(result.verdict) ?? 0) + 1);
      stderr.write(
        `${countNoun(results.length, "file")} scanned: ${[...counts].map(([verdict, count]) => `${count} ${verdict}`).join(", ") || "none"}\n`,
      );
    }
    return scanExitCode(results);
  },
};
