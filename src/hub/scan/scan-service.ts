import { SCANNER_RULES_VERSION } from "../../governance/scan/index.ts";
import type { AddedFile, CommitScanGate, HubContext, HubScope } from "../hub.ts";
import { refuseBlockedFiles } from "./commit-gate.ts";
import { refreshRepoScanStatus } from "./repo-scan-status.ts";
import { needsSiblings, scanAndStore, siblingsOf } from "./scan-blob.ts";

export interface ScanPassReport {
  scanned: number;
  /** Blobs a commit references that the store does not hold (yet): tried again on the next pass. */
  missing: number;
}

export interface ScanServiceOptions {
  /** How often the store is looked at without being told of a commit. Default 60 s. */
  intervalMs?: number;
}

/**
 * Scans, off the request path, every blob a commit references that has no verdict under the current rules
 * version: one at a time, once per blob whatever the number of repos holding it. Work is found in the
 * catalog (not in memory), so it survives restarts and a new rules version rescans everything; a commit
 * `notify`s the service, which also looks on its own every `intervalMs` (commits from other nodes, imports).
 * After each blob, the search status of the repos whose head holds it is refreshed.
 */
export class ScanService implements CommitScanGate {
  private wake: (() => void) | undefined;
  private pending = false;
  private closed = false;
  private loop: Promise<void> | undefined;
  private passing: Promise<ScanPassReport> | undefined;
  private readonly intervalMs: number;
  /** Change-feed position up to which repos' head changes were looked at. */
  private seenSequence = 0;

  constructor(
    private readonly hub: HubContext,
    options: ScanServiceOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 60_000;
  }

  /** Starts the background loop (a full pass, then one per notification or interval). */
  start(): void {
    if (this.loop || this.closed) return;
    this.pending = true;
    this.loop = this.run();
  }

  /** Something was committed: look for unscanned blobs soon. */
  notify(): void {
    this.pending = true;
    this.wake?.();
  }

  private async run(): Promise<void> {
    let first = true;
    while (!this.closed) {
      if (this.pending) {
        this.pending = false;
        try {
          await this.pass({ refreshAll: first });
          first = false;
        } catch (error) {
          if (this.closed) return;
          process.emitWarning(`hangar scan: ${(error as Error).message}`);
        }
        continue;
      }
      await new Promise<void>((resume) => {
        const timer = setTimeout(() => {
          this.pending = true;
          resume();
        }, this.intervalMs);
        timer.unref();
        this.wake = () => {
          clearTimeout(timer);
          resume();
        };
      });
      this.wake = undefined;
    }
  }

  /**
   * Scans everything pending now (what `hangar scan --rescan` and tests call); a pass already running is
   * joined rather than doubled.
   */
  pass(options: { refreshAll?: boolean } = {}): Promise<ScanPassReport> {
    this.passing ??= this.scanPending(options.refreshAll ?? false).finally(() => {
      this.passing = undefined;
    });
    return this.passing;
  }

  /** Resolves once nothing is pending (for tests and the CLI). */
  async idle(): Promise<void> {
    while (this.passing || this.pending) {
      if (this.passing) {
        await this.passing.catch(() => undefined);
      } else {
        this.pending = false;
        await this.pass();
      }
    }
  }

  private async scanPending(refreshAll: boolean): Promise<ScanPassReport> {
    const hub = this.hub;
    const report: ScanPassReport = { scanned: 0, missing: 0 };
    const sequence = await hub.catalog.searchFeed.currentSequence();
    let after = "";
    while (!this.closed) {
      const batch = await hub.catalog.scanResults.pending(SCANNER_RULES_VERSION, { after, limit: 50 });
      if (batch.length === 0) break;
      // The heads holding the blobs of this batch: each repo's status is refreshed once per batch, not once
      // per blob (a repo of a thousand files read its whole head a thousand times).
      const heads = new Map<number, number>();
      for (const blob of batch) {
        if (this.closed) break;
        after = blob.sha256;
        const siblings = needsSiblings(blob.path)
          ? siblingsOf(blob.path, await hub.catalog.commits.listFiles(blob.commitPk))
          : undefined;
        try {
          await scanAndStore(hub, {
            sha256: blob.sha256,
            size: blob.size,
            name: blob.path,
            ...(siblings ? { siblings } : {}),
          });
        } catch (error) {
          const code = (error as { code?: string }).code;
          if (code === "HANGAR_ERR_BLOB_MISSING") {
            report.missing++;
            continue;
          }
          throw error;
        }
        report.scanned++;
        for (const { repoPk, commitPk } of await hub.catalog.scanResults.reposWithHeadBlob(blob.sha256)) {
          heads.set(repoPk, commitPk);
        }
      }
      for (const [repoPk, commitPk] of heads) await refreshRepoScanStatus(hub, repoPk, commitPk);
    }
    await this.refreshMovedHeads(refreshAll, sequence);
    return report;
  }

  /**
   * Heads that moved to files scanned before (a revert, a copy of a shared model) get no new verdict: their
   * repos' status is refreshed from the change feed since the last pass, or, on the first pass, for all.
   */
  private async refreshMovedHeads(refreshAll: boolean, sequence: number): Promise<void> {
    const hub = this.hub;
    // Before a first full refresh, the change feed since 0 is every write ever made: refresh all instead.
    if (refreshAll || this.seenSequence === 0) {
      for (let after = 0; ; ) {
        const heads = await hub.catalog.scanResults.repoHeads(after, 500);
        if (heads.length === 0) break;
        for (const head of heads) await refreshRepoScanStatus(hub, head.repoPk, head.commitPk);
        after = heads[heads.length - 1]!.repoPk;
      }
    } else if (sequence > this.seenSequence) {
      const changes = await hub.catalog.searchFeed.changesBetween(this.seenSequence, sequence);
      const repoPks = [...new Set(changes.map((change) => change.repoPk))];
      for (const repoPk of repoPks) {
        const head = await hub.catalog.scanResults.headOf(repoPk);
        if (head) await refreshRepoScanStatus(hub, repoPk, head.commitPk);
      }
    }
    this.seenSequence = sequence;
  }

  /** With a block policy (`HANGAR_SCAN_BLOCK`), refuses a commit putting a file of a blocked verdict. */
  beforeCommit(hub: HubScope, files: readonly AddedFile[]): Promise<void> {
    return refuseBlockedFiles(hub, files, this.hub.config.scanBlock ?? []);
  }

  /** Stops the loop after the blob being scanned. */
  async close(): Promise<void> {
    this.closed = true;
    this.wake?.();
    await this.loop;
    await this.passing?.catch(() => undefined);
  }
}
