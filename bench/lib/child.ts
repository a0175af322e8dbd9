import type { ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";

/** Whether the process of this pid no longer runs: it is gone, or a zombie waiting to be reaped (Linux). */
function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
  } catch {
    return false;
  }
}

/**
 * Sends SIGTERM to a child and waits for it to exit (SIGKILL after 5 s). The pid is also polled: in
 * bench:upload's PostgreSQL + S3 row the server's exit was never reported to this process (the server was
 * gone and reaped, and no `exit` event came), which left the benchmark waiting forever.
 */
export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const pid = child.pid;
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(killer);
      clearInterval(poll);
      child.off("exit", done);
      resolve();
    };
    const killer = setTimeout(() => child.kill("SIGKILL"), 5000);
    const poll = setInterval(() => {
      if (pid === undefined || processGone(pid)) done();
    }, 200);
    child.once("exit", done);
    child.kill("SIGTERM");
  });
}
