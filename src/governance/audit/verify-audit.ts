import { AUDIT_GENESIS_HASH, type AuditEntry, auditEntryHash } from "../../store/audit-table.ts";
import type { Catalog } from "../../store/catalog.ts";

/** What is wrong at the first place the chain breaks. */
export type AuditProblem = "altered" | "removed" | "reordered";

export interface AuditBreak {
  /** The position the problem is found at. */
  seq: number;
  problem: AuditProblem;
  /** One sentence naming the entry and what is wrong with it. */
  message: string;
}

export interface AuditVerification {
  ok: boolean;
  /** Entries read. */
  entries: number;
  /** The chain's last position and hash as the head row records them. */
  head: { seq: number; hash: string };
  /** The first break, when there is one. */
  firstBreak?: AuditBreak;
}

function describe(entry: AuditEntry): string {
  return `entry ${entry.seq} (${entry.action} on ${entry.target} at ${entry.time})`;
}

/**
 * Checks one entry against the one before it: its position follows (else entries were removed before it),
 * its content still gives its hash (else it was altered), and it names the hash before it (else it was
 * moved: reordered, or an entry before it was removed and positions were renumbered).
 */
export function checkAuditEntry(
  entry: AuditEntry,
  previous: { seq: number; hash: string },
): AuditBreak | undefined {
  if (entry.seq !== previous.seq + 1) {
    const missing = previous.seq + 1;
    return {
      seq: missing,
      problem: entry.seq > missing ? "removed" : "reordered",
      message:
        entry.seq > missing
          ? `entry ${missing} was removed: the chain goes from entry ${previous.seq} to entry ${entry.seq}`
          : `${describe(entry)} is out of place after entry ${previous.seq}`,
    };
  }
  if (auditEntryHash(entry) !== entry.hash) {
    return {
      seq: entry.seq,
      problem: "altered",
      message: `${describe(entry)} was altered: its content no longer gives its hash`,
    };
  }
  if (entry.prevHash !== previous.hash) {
    return {
      seq: entry.seq,
      problem: "reordered",
      message: `${describe(entry)} does not follow entry ${previous.seq}: it was moved, or the entry before it was replaced`,
    };
  }
  return undefined;
}

/**
 * Recomputes the whole chain from a consistent snapshot of the catalog and names the first entry that was
 * altered, removed or reordered; entries removed from the end are found against the head row.
 */
export async function verifyAuditChain(catalog: Catalog): Promise<AuditVerification> {
  return await catalog.transaction(
    async (tx) => {
      const head = await tx.audit.head();
      let previous = { seq: 0, hash: AUDIT_GENESIS_HASH };
      let entries = 0;
      for await (const page of tx.audit.pages()) {
        for (const entry of page) {
          entries++;
          const found = checkAuditEntry(entry, previous);
          if (found) return { ok: false, entries, head, firstBreak: found };
          previous = { seq: entry.seq, hash: entry.hash };
        }
      }
      if (head.seq !== previous.seq || head.hash !== previous.hash) {
        const firstBreak: AuditBreak =
          head.seq > previous.seq
            ? {
                seq: previous.seq + 1,
                problem: "removed",
                message: `entries ${previous.seq + 1} to ${head.seq} were removed from the end of the chain`,
              }
            : {
                seq: previous.seq,
                problem: "altered",
                message: `entry ${previous.seq} does not match the chain's head (entry ${head.seq})`,
              };
        return { ok: false, entries, head, firstBreak };
      }
      return { ok: true, entries, head };
    },
    { readOnly: true },
  );
}
