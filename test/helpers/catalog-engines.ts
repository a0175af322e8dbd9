import { join } from "node:path";
import { Catalog } from "../../src/store/catalog.ts";
import { createTestDatabase } from "./postgres.ts";
import { makeTempDir } from "./test-hangar.ts";

/** A catalog engine the contract tests run on: opens a fresh, empty catalog, and disposes of it. */
export interface CatalogEngine {
  name: string;
  open(): Promise<{ catalog: Catalog; location: string; dispose(): Promise<void> }>;
}

/** SQLite on a temp file and PostgreSQL on a database of its own: every catalog contract runs on both. */
export const CATALOG_ENGINES: CatalogEngine[] = [
  {
    name: "SQLite",
    async open() {
      const temp = await makeTempDir("hangar-contract-");
      const location = join(temp.path, "catalog.db");
      const catalog = await Catalog.open(location);
      const dispose = async () => {
        await catalog.close();
        await temp.remove();
      };
      return { catalog, location, dispose };
    },
  },
  {
    name: "PostgreSQL",
    async open() {
      const database = await createTestDatabase();
      const catalog = await Catalog.open(database.url);
      const dispose = async () => {
        await catalog.close();
        await database.drop();
      };
      return { catalog, location: database.url, dispose };
    },
  },
];
