// The matcher moved to core so `hangar pull` (hub layer) and the client commands select files alike.
export { createPathFilter, globToRegExp, type PathFilter } from "../../core/glob.ts";
