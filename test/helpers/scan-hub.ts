// Reading the scanner's verdicts through the Hub API, for the scan-hub tests.
import assert from "node:assert/strict";

export async function getJson<T>(url: string, token: string): Promise<T> {
  const response = await fetch(url, { headers: { Authorization: `Bearer ${token}` } });
  assert.equal(response.status, 200, `${url}: ${response.status}`);
  return (await response.json()) as T;
}

export interface SecurityRepoStatus {
  scansDone: boolean;
  filesWithIssues: Array<{ path: string; level: string; findings: string[] }>;
}
export interface TreeEntry {
  path: string;
  type: string;
  securityFileStatus?: {
    status: string;
    avScan: unknown;
    pickleImportScan: {
      highestSafetyLevel: string;
      imports: Array<{ module: string; name: string; safety: string }>;
    } | null;
  };
}

/** Waits until the repo's model info says every file is scanned (the scanner works in the background). */
export async function waitForScans(url: string, repo: string, token: string): Promise<SecurityRepoStatus> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const info = await getJson<{ securityRepoStatus: SecurityRepoStatus }>(
      `${url}/api/models/${repo}?expand[]=securityRepoStatus&expand[]=sha`,
      token,
    );
    if (info.securityRepoStatus.scansDone) return info.securityRepoStatus;
    assert.ok(Date.now() < deadline, `${repo} was not scanned within 30 s`);
    await new Promise((resume) => setTimeout(resume, 50));
  }
}

/** The slowest of the `whoami` answers a client got, asking again and again while `work` ran. */
export async function slowestAnswerDuring(
  url: string,
  token: string,
  work: () => Promise<unknown>,
): Promise<number> {
  let running = true;
  let slowest = 0;
  const probe = async () => {
    while (running) {
      const started = performance.now();
      const response = await fetch(`${url}/api/whoami-v2`, { headers: { Authorization: `Bearer ${token}` } });
      await response.arrayBuffer();
      slowest = Math.max(slowest, performance.now() - started);
      await new Promise((resume) => setTimeout(resume, 10));
    }
  };
  const probing = probe();
  try {
    await work();
  } finally {
    running = false;
    await probing;
  }
  return slowest;
}
