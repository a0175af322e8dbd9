import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { HubContext } from "../../hub/hub.ts";
import type { InferenceRuntime } from "../../inference/inference-runtime.ts";
import type { BatchFileRow } from "../../store/batch-files-table.ts";
import type { BatchResult, BatchRow, BatchStatus } from "../../store/batches-table.ts";
import { batchPrincipal } from "./batch-caller.ts";
import { newId } from "./batch-files.ts";
import type { BatchEstimate } from "./batch-jobs.ts";
import { type BatchLine, inputCharacters, readBatchLines, runBatchLine } from "./batch-rows.ts";

export interface BatchRunnerSettings {
  /** Lines of one job in flight at once (the inference queue batches them per model). */
  concurrency: number;
  /** Jobs one node runs at once. */
  maxJobs: number;
  /** How long a node's claim on a job lasts without renewal; a crashed node's jobs move on after it. */
  leaseMs: number;
  /** How often a node looks for jobs (new ones, or ones a crashed node left). */
  pollMs: number;
  /** Results are written to the catalog in transactions of up to this many lines... */
  flushRows: number;
  /** ...or this often. */
  flushMs: number;
}

export const DEFAULT_BATCH_RUNNER_SETTINGS: BatchRunnerSettings = {
  concurrency: 8,
  maxJobs: 2,
  leaseMs: 15_000,
  pollMs: 1_000,
  flushRows: 64,
  flushMs: 250,
};

/** The lease moved to another node (this one stalled past it): stop without recording anything more. */
class LeaseLost extends Error {}

type RunnerHub = HubContext & { inference: Pick<InferenceRuntime, "run" | "router"> };

/**
 * Runs batch jobs in the background (`hangar serve` starts it): claims jobs with a lease in the catalog so
 * two nodes never run the same one, validates the input, answers each line with the route's own service
 * code, and records every result in the catalog exactly once (keyed by job and line, in the transaction
 * that checks the lease). A restarted node resumes from those records; nothing lives only in memory but
 * the results of the last fraction of a second, which are answered again.
 */
export class BatchRunner {
  readonly node = `${hostname()}:${process.pid}:${randomBytes(4).toString("hex")}`;
  readonly settings: BatchRunnerSettings;
  private readonly active = new Map<string, { stop: AbortController; done: Promise<void> }>();
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private closed = false;

  constructor(
    private readonly hub: RunnerHub,
    settings: Partial<BatchRunnerSettings> = {},
  ) {
    this.settings = { ...DEFAULT_BATCH_RUNNER_SETTINGS, ...settings };
  }

  start(): void {
    if (this.loop || this.closed) return;
    this.loop = this.run();
  }

  /** A job was created or cancelled here: look now rather than at the next poll. */
  notify(): void {
    this.wake?.();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wake?.();
    for (const job of this.active.values()) job.stop.abort(new Error("Hangar is shutting down"));
    await Promise.all([...this.active.values()].map((job) => job.done));
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.closed) {
      try {
        await this.claimJobs();
      } catch (error) {
        if (this.closed) return;
        process.emitWarning(`hangar batch: ${(error as Error).message}`);
      }
      await new Promise<void>((resume) => {
        const timer = setTimeout(resume, this.settings.pollMs);
        timer.unref();
        this.wake = () => {
          clearTimeout(timer);
          resume();
        };
      });
      this.wake = undefined;
    }
  }

  private async claimJobs(): Promise<void> {
    const free = this.settings.maxJobs - this.active.size;
    if (free <= 0) return;
    const now = Date.now();
    for (const id of await this.hub.catalog.batches.claimable(now, free + this.active.size)) {
      if (this.active.has(id) || this.active.size >= this.settings.maxJobs || this.closed) continue;
      if (!(await this.hub.catalog.batches.claim(id, this.node, now, now + this.settings.leaseMs))) continue;
      const stop = new AbortController();
      const done = this.runJob(id, stop).finally(() => {
        this.active.delete(id);
        this.notify();
      });
      this.active.set(id, { stop, done });
    }
  }

  private async runJob(id: string, stop: AbortController): Promise<void> {
    const batches = this.hub.catalog.batches;
    const renew = setInterval(
      () => {
        const now = Date.now();
        batches.claim(id, this.node, now, now + this.settings.leaseMs).then(
          (held) => {
            if (!held) stop.abort(new LeaseLost(`Batch ${id} is held by another node`));
          },
          () => {},
        );
      },
      Math.max(100, Math.floor(this.settings.leaseMs / 3)),
    );
    renew.unref();
    try {
      await this.advance(id, stop.signal);
    } catch (error) {
      if (!stop.signal.aborted) process.emitWarning(`hangar batch ${id}: ${(error as Error).message}`);
    } finally {
      clearInterval(renew);
      await batches.release(id, this.node).catch(() => {});
    }
  }

  /** Moves the job through its states until it is finished or this node must stop. */
  private async advance(id: string, signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const job = await this.hub.catalog.batches.get(id);
      if (!job) return;
      if (job.status === "validating") await this.validate(job);
      else if (job.status === "in_progress") await this.runLines(job, signal);
      else if (job.status === "finalizing") await this.finish(job, "completed", signal);
      else if (job.status === "cancelling") await this.finish(job, "cancelled", signal);
      else return;
    }
  }

  private async fail(job: BatchRow, code: string, message: string): Promise<void> {
    await this.hub.catalog.batches.update(
      job.id,
      {
        status: "failed",
        failedMs: Date.now(),
        errors: JSON.stringify({ object: "list", data: [{ code, message, line: null, param: null }] }),
      },
      ["validating", "in_progress"],
    );
  }

  private async readLines(job: BatchRow): Promise<BatchLine[] | undefined> {
    const file = await this.hub.catalog.batchFiles.get(job.inputFileId);
    if (!file) {
      await this.fail(job, "file_not_found", `The input file ${job.inputFileId} was deleted`);
      return undefined;
    }
    return [...readBatchLines(await this.hub.blobs.read(file.sha256), job.endpoint)];
  }

  /** Reads the input once: how many requests, how many malformed, and the estimate. */
  private async validate(job: BatchRow): Promise<void> {
    const lines = await this.readLines(job);
    if (!lines) return;
    if (lines.length === 0) return this.fail(job, "empty_file", "The input file has no requests");
    let characters = 0;
    let malformed = 0;
    for (const line of lines) {
      if (line.error) malformed++;
      else characters += inputCharacters(line.body);
    }
    const estimate: BatchEstimate = {
      requests: lines.length - malformed,
      malformed,
      input_characters: characters,
      unit: "characters",
    };
    await this.hub.catalog.batches.update(
      job.id,
      {
        status: "in_progress",
        inProgressMs: Date.now(),
        total: lines.length,
        estimate: JSON.stringify(estimate),
      },
      ["validating"],
    );
  }

  /** Answers every line without a result yet, `concurrency` at a time, recording results in transactions. */
  private async runLines(job: BatchRow, signal: AbortSignal): Promise<void> {
    const catalog = this.hub.catalog;
    const caller = await batchPrincipal(this.hub, job.owner, job.tokenId);
    if (!caller) {
      return this.fail(job, "token_revoked", "The token that created this batch was revoked");
    }
    const lines = await this.readLines(job);
    if (!lines) return;
    const done = await catalog.batches.doneLines(job.id);
    const pending = lines.filter((line) => !done.has(line.line));
    let next = 0;
    let stopReason: BatchStatus | undefined;
    let buffer: BatchResult[] = [];
    let writing: Promise<void> = Promise.resolve();
    const flush = (): Promise<void> => {
      const results = buffer;
      buffer = [];
      writing = writing.then(async () => {
        if (signal.aborted) return;
        const status = await catalog.transaction(async (tx) => {
          if (!(await tx.batches.holds(job.id, this.node, Date.now()))) throw new LeaseLost("lease lost");
          if (results.length > 0) await tx.batches.recordResults(job.id, results);
          return (await tx.batches.get(job.id))?.status;
        });
        if (status !== "in_progress") stopReason = status ?? "failed";
        else if (Date.now() > job.expiresMs) stopReason = "expired";
      });
      return writing;
    };
    // A write that fails (the lease moved on, the catalog is gone) stops the workers; the final flush rethrows.
    const timer = setInterval(() => {
      flush().catch(() => {
        stopReason ??= "failed";
      });
    }, this.settings.flushMs);
    timer.unref();
    const context = { runtime: this.hub.inference, caller, endpoint: job.endpoint, signal };
    const worker = async () => {
      while (next < pending.length && !stopReason && !signal.aborted) {
        const line = pending[next++]!;
        const result = await runBatchLine(context, line);
        buffer.push(result);
        if (buffer.length >= this.settings.flushRows) {
          await flush().catch((error) => {
            stopReason ??= "failed";
            throw error;
          });
        }
      }
    };
    try {
      await Promise.all(Array.from({ length: this.settings.concurrency }, worker));
      await flush();
    } finally {
      clearInterval(timer);
    }
    if (signal.aborted) return;
    if (stopReason === "expired") return this.finish(job, "expired", signal);
    if (stopReason) return;
    await catalog.batches.update(job.id, { status: "finalizing", finalizingMs: Date.now() }, ["in_progress"]);
  }

  /** Writes the output and error files from the recorded results, then sets the final status. */
  private async finish(job: BatchRow, final: "completed" | "cancelled" | "expired", signal: AbortSignal) {
    const catalog = this.hub.catalog;
    const files: { output?: string; error?: string } = {};
    const pending: BatchFileRow[] = [];
    for (const ok of [true, false]) {
      const parts: string[] = [];
      for await (const page of catalog.batches.records(job.id, ok)) parts.push(...page);
      if (parts.length === 0) continue;
      const stored = await this.hub.blobs.put(Buffer.from(`${parts.join("\n")}\n`), { gitOid: false });
      const row: BatchFileRow = {
        id: newId("file-"),
        owner: job.owner,
        filename: `${job.id}_${ok ? "output" : "error"}.jsonl`,
        purpose: "batch_output",
        bytes: stored.size,
        sha256: stored.sha256,
        createdMs: Date.now(),
        expiresMs: null,
      };
      pending.push(row);
      files[ok ? "output" : "error"] = row.id;
    }
    if (signal.aborted) return;
    const from: BatchStatus[] =
      final === "completed" ? ["finalizing"] : final === "cancelled" ? ["cancelling"] : ["in_progress"];
    const now = Date.now();
    await catalog.transaction(async (tx) => {
      if (!(await tx.batches.holds(job.id, this.node, now))) throw new LeaseLost("lease lost");
      const changed = await tx.batches.update(
        job.id,
        {
          status: final,
          outputFileId: files.output ?? null,
          errorFileId: files.error ?? null,
          ...(final === "completed"
            ? { completedMs: now }
            : final === "cancelled"
              ? { cancelledMs: now }
              : { expiredMs: now }),
        },
        from,
      );
      if (changed) for (const row of pending) await tx.batchFiles.insert(row);
    });
  }
}
