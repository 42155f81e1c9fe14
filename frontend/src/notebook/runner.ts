/**
 * Running cells means asking the server (`POST api/documents/{id}/execute`) with each cell's
 * id and the hash of the source this view shows; the server reads the code from its own copy.
 * Two 409s are expected and handled here: `source_mismatch` while this view's latest
 * keystrokes are still on their way to the server (retried shortly), and `no_kernel` when the
 * session went away (a new one is started once).
 */
import { ApiError, type Connection } from "../api";
import { executeCells } from "../api/documents";
import { fnv1a32 } from "../util/hash";

const MISMATCH_RETRIES = 20;
const MISMATCH_DELAY_MS = 100;

export interface RunnableCell {
  readonly id: string;
  text(): string;
}

export async function executeOnServer(
  conn: Connection,
  fileId: string,
  cells: readonly RunnableCell[],
  restartSession: () => Promise<void>,
): Promise<void> {
  let sessionRestarted = false;
  for (let attempt = 0; ; attempt += 1) {
    const body = cells.map((c) => ({ id: c.id, source_hash: fnv1a32(c.text()) }));
    try {
      await executeCells(conn, fileId, body);
      return;
    } catch (error: unknown) {
      if (!(error instanceof ApiError) || error.status !== 409) throw error;
      if (error.reason === "source_mismatch" && attempt < MISMATCH_RETRIES) {
        await new Promise((resolve) => setTimeout(resolve, MISMATCH_DELAY_MS));
        continue;
      }
      if (error.reason === "no_kernel" && !sessionRestarted) {
        sessionRestarted = true;
        await restartSession();
        continue;
      }
      throw error;
    }
  }
}
