/**
 * Server-owned documents (contract §2): save, revert, and execution of notebook cells by id.
 * The server reads the code from its own copy of the document and writes outputs, counts and
 * run states back into it, so these calls return as soon as the work is queued. Also the
 * session and kernel calls a notebook needs (find-or-create its session, restart, status).
 */
import { type Connection, isRecord, requestJson } from "./client";

const doc = (fileId: string, action: string): string => `api/documents/${encodeURIComponent(fileId)}/${action}`;

export interface ExecuteCell {
  readonly id: string;
  /** fnv1a32 of the source the user saw (util/hash.ts). */
  readonly source_hash: string;
}

/** Queues cells; resolves to the ids the server queued. 409 `source_mismatch`/`no_kernel`. */
export async function executeCells(
  conn: Connection,
  fileId: string,
  cells: readonly ExecuteCell[],
  stopOnError = true,
): Promise<string[]> {
  const body = await requestJson(conn, doc(fileId, "execute"), {
    method: "POST",
    body: { cells, stop_on_error: stopOnError },
  });
  const queued = isRecord(body) && Array.isArray(body["queued"]) ? body["queued"] : [];
  return queued.filter((id): id is string => typeof id === "string");
}

export async function interruptExecution(conn: Connection, fileId: string): Promise<void> {
  await requestJson(conn, doc(fileId, "interrupt"), { method: "POST" });
}

/** Answers an `input()` prompt; 409 when another view answered first. */
export async function answerInput(conn: Connection, fileId: string, requestId: string, value: string): Promise<void> {
  await requestJson(conn, doc(fileId, "input"), { method: "POST", body: { request_id: requestId, value } });
}

export interface SaveReply {
  readonly lastModified: string;
  readonly checkpointId: string | null;
  /** Set when nothing was written: the file changed on disk while the document had edits. */
  readonly conflict: { readonly message: string } | null;
}

/** Saves now and makes a checkpoint; `overwrite` writes even over a conflicting disk change. */
export async function saveDocument(conn: Connection, fileId: string, overwrite = false): Promise<SaveReply> {
  const body = await requestJson(conn, doc(fileId, "save"), {
    method: "POST",
    ...(overwrite ? { body: { overwrite: true } } : {}),
  });
  const rec = isRecord(body) ? body : {};
  const checkpoint = isRecord(rec["checkpoint"]) ? rec["checkpoint"] : {};
  const conflict = isRecord(rec["conflict"]) ? rec["conflict"] : null;
  return {
    lastModified: typeof rec["last_modified"] === "string" ? rec["last_modified"] : "",
    checkpointId: typeof checkpoint["id"] === "string" ? checkpoint["id"] : null,
    conflict:
      conflict === null
        ? null
        : { message: typeof conflict["message"] === "string" ? conflict["message"] : "The file changed on disk." },
  };
}

/** Restores a checkpoint (the latest when none is named) into the document and the file. */
export async function revertDocument(conn: Connection, fileId: string, checkpointId?: string): Promise<void> {
  await requestJson(conn, doc(fileId, "revert"), {
    method: "POST",
    body: checkpointId === undefined ? {} : { checkpoint_id: checkpointId },
  });
}

export interface NotebookSession {
  readonly id: string;
  readonly kernelId: string | null;
  readonly kernelName: string;
}

function toSession(body: unknown): NotebookSession {
  const rec = isRecord(body) ? body : {};
  const kernel = isRecord(rec["kernel"]) ? rec["kernel"] : {};
  return {
    id: typeof rec["id"] === "string" ? rec["id"] : "",
    kernelId: typeof kernel["id"] === "string" ? kernel["id"] : null,
    kernelName: typeof kernel["name"] === "string" ? kernel["name"] : "",
  };
}

/** The session of `path`: the existing one, or a new one with a kernel of `kernelName`. */
export async function ensureSession(
  conn: Connection,
  path: string,
  kernelName: string | null,
): Promise<NotebookSession> {
  const name = path.split("/").pop() ?? path;
  const body = await requestJson(conn, "api/sessions", {
    method: "POST",
    body: { path, type: "notebook", name, kernel: kernelName === null ? {} : { name: kernelName } },
  });
  return toSession(body);
}

/** Follows a rename of the notebook (the kernel's session keeps its new path). */
export async function renameSession(conn: Connection, sessionId: string, path: string): Promise<void> {
  const name = path.split("/").pop() ?? path;
  await requestJson(conn, `api/sessions/${encodeURIComponent(sessionId)}`, {
    method: "PATCH",
    body: { path, name },
  });
}

/** Gives the session a new kernel of another kind (the kernel picker). */
export async function changeSessionKernel(
  conn: Connection,
  sessionId: string,
  kernelName: string,
): Promise<NotebookSession> {
  const body = await requestJson(conn, `api/sessions/${encodeURIComponent(sessionId)}`, {
    method: "PATCH",
    body: { kernel: { name: kernelName } },
  });
  return toSession(body);
}

/**
 * The kernel's execution state ("idle", "busy", "starting"…), or null when it is gone. Reads
 * the kernel list rather than `api/kernels/{id}`, so a kernel shut down meanwhile is no 404.
 */
export async function kernelState(conn: Connection, kernelId: string): Promise<string | null> {
  const body = await requestJson(conn, "api/kernels");
  if (!Array.isArray(body)) return null;
  for (const item of body as unknown[]) {
    if (isRecord(item) && item["id"] === kernelId) {
      return typeof item["execution_state"] === "string" ? item["execution_state"] : "unknown";
    }
  }
  return null;
}

export async function restartKernel(conn: Connection, kernelId: string): Promise<void> {
  await requestJson(conn, `api/kernels/${encodeURIComponent(kernelId)}/restart`, { method: "POST" });
}
