import { JobWorker } from "../../core/job-worker.ts";
import type { jobs } from "./metadata-jobs.ts";

/** The worker thread that parses cards and model headers at commit time and for validate-yaml. */
export const metadataWorker = new JobWorker<typeof jobs>({
  moduleUrl: new URL("./metadata-jobs.ts", import.meta.url).href,
  name: "hangar metadata",
});
