import { writeFileSync } from "node:fs";
import { importFiles, startTestHangar } from "./test/helpers/test-hangar.ts";
const hub = await startTestHangar();
const token = await hub.addUser("alice");
const big = "line of text\n".repeat(100_000);
await importFiles(hub.hangar, "alice/m", { "README.md": "# hi\n", "a/b/c.txt": "c\n", "big.txt": big, "w.bin": Buffer.from([0, 1, 2, 3]) });
writeFileSync("/tmp/scratch-hub.json", JSON.stringify({ url: hub.url, token }));
console.log(hub.url, token);
setInterval(() => {}, 1000);
