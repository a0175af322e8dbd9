import { existsSync } from "node:fs";
import { countNoun } from "../../core/count-noun.ts";
import { badRequest } from "../../core/errors.ts";
import { listFiles, type ScanResult, scanFile, worstVerdict } from "../../governance/scan/index.ts";
import type { Command } from "../command.ts";
import { writeJson, writeTable } from "./local-home.ts";

/** Exit code for the worst verdict: 0 nothing flagged, 1 suspicious, 2 unsafe or invalid. */
export function scanExitCode(results: ScanResult[]): number {
  const worst = worstVerdict(results.map((result) => result.verdict));
  return worst === "safe" ? 0 : worst === "suspicious" ? 1 : 2;
}

export const scanCommand: Command = {
  name: ["scan"],
  summary: "Scan model and data files for code that runs on load, broken formats, secrets and personal data",
  usage: "<path>...",
  async run({ positionals, json, stdout, stderr }) {
    if (positionals.length === 0) throw badRequest("missing arguments: expected <path>...");
    for (const path of positionals)
      if (!existsSync(path)) throw badRequest(`no such file or folder: ${path}`);
    const files = await listFiles(positionals);
    const results: ScanResult[] = [];
    for (const file of files) {
      try {
        results.push(await scanFile(file));
      } catch (error) {
        results.push({
          path: file,
          format: "unknown",
          verdict: "invalid",
          findings: [
            {
              rule: "scan.error",
              severity: "invalid",
              message: `could not be scanned: ${(error as Error).message}`,
            },
          ],
        });
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
