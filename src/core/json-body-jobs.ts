import { parseJsonBody } from "./json-schema.ts";

/** What the JSON body worker runs: large request bodies, parsed and checked away from the event loop. */
export const jobs = { parseJsonBody };
