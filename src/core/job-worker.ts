import { Worker } from "node:worker_threads";
import { ERROR_CODES, type ErrorCode, HangarError } from "./errors.ts";

/** A module's jobs: plain functions of one structured-cloneable input. */
// biome-ignore lint/suspicious/noExplicitAny: each job declares its own input type
export type JobTable = Record<string, (input: any) => unknown>;

export interface JobWorkerOptions {
  /** The module (a file URL) whose `jobs` export runs on the worker. */
  moduleUrl: string;
  /** Named in errors and thread names. */
  name: string;
  /** A job running longer is stopped with its worker (the next job gets a new one). Default 30 s. */
  timeoutMs?: number;
  /** Heap of the worker: an input that would need more stops the worker, not the server. Default 1 GiB. */
  maxHeapMb?: number;
  /** Jobs waiting at most; more are refused (429) rather than held in memory. Default 64. */
  maxQueue?: number;
}

interface JobError {
  message: string;
  code?: unknown;
  status?: unknown;
  details?: unknown;
}

interface Pending {
  job: string;
  input: unknown;
  transfer: ArrayBuffer[];
  resolve: (output: unknown) => void;
  reject: (error: Error) => void;
}

/**
 * The worker loads the jobs module with Node's own loader, or through tsx when the module is TypeScript
 * (a checkout runs its sources through tsx, which does not reach worker threads by itself).
 */
const BOOTSTRAP = `
const { parentPort, workerData } = require("node:worker_threads");
async function load() {
  try {
    return await import(workerData.moduleUrl);
  } catch (error) {
    if (!error || error.code !== "ERR_UNKNOWN_FILE_EXTENSION" || !workerData.tsxApiUrl) throw error;
    const { tsImport } = await import(workerData.tsxApiUrl);
    return tsImport(workerData.moduleUrl, workerData.moduleUrl);
  }
}
const loading = load();
loading.then(() => parentPort.postMessage({ ready: true }), () => {});
parentPort.on("message", async ({ id, job, input }) => {
  try {
    const { jobs } = await loading;
    const run = jobs && Object.prototype.hasOwnProperty.call(jobs, job) ? jobs[job] : undefined;
    if (typeof run !== "function") throw new Error("no job named " + job);
    parentPort.postMessage({ id, output: await run(input) });
  } catch (error) {
    const failure = error && typeof error === "object" ? error : { message: String(error) };
    parentPort.postMessage({
      id,
      error: { message: String(failure.message), code: failure.code, status: failure.status, details: failure.details },
    });
  }
});
`;

function tsxApiUrl(): string | null {
  try {
    return import.meta.resolve("tsx/esm/api");
  } catch {
    return null;
  }
}

/** A Hangar error thrown by a job comes back as itself (code, status, details); anything else as an Error. */
function rebuildError(error: JobError): Error {
  const code = typeof error.code === "string" && error.code in ERROR_CODES ? (error.code as ErrorCode) : null;
  if (!code) return new Error(error.message);
  return new HangarError(code, error.message, {
    ...(typeof error.status === "number" ? { status: error.status } : {}),
    ...(error.details && typeof error.details === "object"
      ? { details: error.details as Record<string, unknown> }
      : {}),
  });
}

/**
 * Runs CPU-heavy parsing of untrusted input (YAML cards, model headers, large JSON bodies, dataset tables) on
 * a worker thread, so the event loop keeps answering other requests meanwhile. One job runs at a time, in
 * the order asked; a job over its time or memory stops the worker, which the next job replaces. The worker
 * starts on first use and never keeps the process alive by itself.
 */
export class JobWorker<Jobs extends JobTable> {
  private worker: Worker | undefined;
  /** Whether the worker has loaded its jobs module: a job's time starts then, not while it loads. */
  private workerReady = false;
  private readonly queue: Pending[] = [];
  private running: (Pending & { timer: NodeJS.Timeout | undefined }) | undefined;
  private readonly timeoutMs: number;

  constructor(private readonly options: JobWorkerOptions) {
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  /** Stops the worker now (jobs still waiting are refused); the next job starts a new one. */
  async terminate(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    for (const pending of this.queue.splice(0)) pending.reject(new Error(`${this.options.name}: stopped`));
    const current = this.running;
    if (current) {
      this.finish();
      current.reject(new Error(`${this.options.name}: stopped`));
    }
    await worker?.terminate();
  }

  /** Runs `job` on the worker; `transfer` lists buffers handed over instead of copied. */
  run<Name extends keyof Jobs & string>(
    job: Name,
    input: Parameters<Jobs[Name]>[0],
    transfer: ArrayBuffer[] = [],
  ): Promise<Awaited<ReturnType<Jobs[Name]>>> {
    if (this.queue.length >= (this.options.maxQueue ?? 64)) {
      return Promise.reject(
        new HangarError(
          "HANGAR_ERR_RATE_LIMITED",
          `${this.options.name}: too many requests are waiting; retry shortly`,
          {
            headers: { "Retry-After": "1" },
          },
        ),
      );
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ job, input, transfer, resolve: resolve as (output: unknown) => void, reject });
      this.next();
    });
  }

  private start(): Worker {
    const worker = new Worker(BOOTSTRAP, {
      eval: true,
      name: this.options.name,
      workerData: { moduleUrl: this.options.moduleUrl, tsxApiUrl: tsxApiUrl() },
      resourceLimits: { maxOldGenerationSizeMb: this.options.maxHeapMb ?? 1024 },
    });
    worker.unref();
    this.workerReady = false;
    worker.on("message", (reply: { ready?: boolean; output?: unknown; error?: JobError }) => {
      if (worker !== this.worker) return;
      if (reply.ready) {
        this.workerReady = true;
        this.arm(worker);
        return;
      }
      const current = this.running;
      if (!current) return;
      this.finish();
      if (reply.error) current.reject(rebuildError(reply.error));
      else current.resolve(reply.output);
    });
    const stopped = (reason: string) => {
      if (worker !== this.worker) return;
      this.worker = undefined;
      const current = this.running;
      if (current) {
        this.finish();
        current.reject(new Error(`${this.options.name}: ${reason}`));
      }
    };
    worker.on("error", (error) => stopped(error.message));
    worker.on("exit", (code) => stopped(`the worker stopped (exit code ${code})`));
    return worker;
  }

  /** Starts the running job's clock once its worker is ready; a stuck job is stopped with its worker. */
  private arm(worker: Worker): void {
    const current = this.running;
    if (!current || !this.workerReady || current.timer) return;
    current.timer = setTimeout(() => {
      if (this.running !== current || this.worker !== worker) return;
      this.worker = undefined;
      this.finish();
      current.reject(
        new HangarError(
          "HANGAR_ERR_TIMEOUT",
          `${this.options.name}: the ${current.job} job took longer than ${this.timeoutMs} ms and was stopped`,
        ),
      );
      void worker.terminate();
    }, this.timeoutMs);
    current.timer.unref();
  }

  private finish(): void {
    if (this.running) clearTimeout(this.running.timer);
    this.running = undefined;
    this.worker?.unref();
    queueMicrotask(() => this.next());
  }

  private next(): void {
    if (this.running) return;
    const pending = this.queue.shift();
    if (!pending) return;
    let worker: Worker;
    try {
      worker = this.worker ?? this.start();
    } catch (error) {
      pending.reject(error as Error);
      queueMicrotask(() => this.next());
      return;
    }
    this.worker = worker;
    this.running = { ...pending, timer: undefined };
    this.arm(worker);
    // While a job runs, the worker keeps the process alive, or its caller would never resume.
    worker.ref();
    try {
      worker.postMessage({ id: 0, job: pending.job, input: pending.input }, pending.transfer);
    } catch (error) {
      this.finish();
      pending.reject(error as Error);
    }
  }
}
