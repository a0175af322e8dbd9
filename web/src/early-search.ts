import { startEarlySearch } from "./search-request.ts";

// Imported first by the entry (`main.tsx`), so this runs before the modules of the rest of the app do.
startEarlySearch();
