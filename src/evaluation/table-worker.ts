import { JobWorker } from "../core/job-worker.ts";
import type { jobs } from "./table-jobs.ts";

/** The worker thread that parses the dataset files evaluations read (CSV, TSV, JSON Lines, Parquet). */
export const tableWorker = new JobWorker<typeof jobs>({
  moduleUrl: new URL("./table-jobs.ts", import.meta.url).href,
  name: "hangar dataset tables",
  timeoutMs: 120_000,
});
