import { JobWorker } from "./job-worker.ts";
import type { jobs } from "./json-body-jobs.ts";

/** The worker thread that parses large JSON request bodies. */
export const jsonBodyWorker = new JobWorker<typeof jobs>({
  moduleUrl: new URL("./json-body-jobs.ts", import.meta.url).href,
  name: "hangar JSON bodies",
});
