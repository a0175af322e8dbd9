import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import { runCli } from "../helpers/cli-in-process.ts";
import { makeTempDir } from "../helpers/test-hangar.ts";

const PROCESSES = 8;
const SOURCE = join(import.meta.dirname, "..", "..", "src");

/**
 * A process that loads Hangar, says "ready", and opens the home when told "go" on stdin: the parent tells
 * them all at once, so they open the new home's catalog together, as commands started together do (the
 * load time of the modules, which varies more than the open takes, is out of the race).
 */
function childSource(): string {
  const hangar = pathToFileURL(join(SOURCE, "hangar.ts")).href;
  const config = pathToFileURL(join(SOURCE, "core", "config.ts")).href;
  return `
import { createHangar } from ${JSON.stringify(hangar)};
import { defaultConfig } from ${JSON.stringify(config)};
process.stdout.write("ready\\n");
process.stdin.once("data", async () => {
  try {
    const hangar = await createHangar(defaultConfig(process.argv[2]));
    await hangar.close();
    process.stdout.write("opened\\n");
  } catch (error) {
    process.stdout.write(\`failed: \${error instanceof Error ? error.message : String(error)}\\n\`);
  }
  process.exit(0);
});
`;
}

function startOpener(script: string, home: string) {
  const child = spawn(process.execPath, ["--import", "tsx", script, home], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout });
  const nextLine = () => new Promise<string>((resolve) => lines.once("line", resolve));
  return { child, ready: nextLine(), nextLine };
}

describe("a new home opened by several processes at once", () => {
  it("opens in every one of them: the catalog's schema is created once", async () => {
    const temp = await makeTempDir("hangar-first-open-");
    try {
      const script = join(temp.path, "open-home.ts");
      await writeFile(script, childSource());
      const home = join(temp.path, "home");
      const openers = Array.from({ length: PROCESSES }, () => startOpener(script, home));
      for (const opener of openers) assert.equal(await opener.ready, "ready");
      const results = openers.map((opener) => opener.nextLine());
      for (const opener of openers) opener.child.stdin.end("go\n");
      // Before the fix, some failed with "table ... already exists" or "duplicate column name": each read the
      // schema version, then applied the migrations another process had applied meanwhile.
      assert.deepEqual(await Promise.all(results), Array(PROCESSES).fill("opened"));

      // The home works afterwards: a command writes to it and reads back.
      const added = await runCli(["user", "add", "ada", "--home", home, "--json"]);
      assert.equal(added.code, 0, added.stderr);
      const listed = await runCli(["user", "list", "--home", home, "--json"]);
      assert.deepEqual(
        (JSON.parse(listed.stdout) as Array<{ name: string }>).map((user) => user.name),
        ["ada"],
      );
    } finally {
      await temp.remove();
    }
  });
});
