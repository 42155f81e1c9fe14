/**
 * The notebook history (`GET api/history/<path>`): every saved version of a notebook, kept by
 * the server in the Jupyter data dir. The list is newest first; one version carries the
 * notebook's nbformat JSON.
 */
import { type Connection, isRecord, requestJson } from "./client";
import { encodePath } from "./contents";

export interface HistoryVersion {
  readonly id: number;
  /** ISO 8601, UTC. */
  readonly time: string;
  /** Bytes of the saved file. */
  readonly size: number;
}

export interface HistoryVersionContent extends HistoryVersion {
  /** The notebook as nbformat v4 JSON (sources as strings). */
  readonly content: Record<string, unknown>;
}

function toVersion(value: unknown): HistoryVersion | null {
  if (!isRecord(value) || typeof value["id"] !== "number") return null;
  return {
    id: value["id"],
    time: typeof value["time"] === "string" ? value["time"] : "",
    size: typeof value["size"] === "number" ? value["size"] : 0,
  };
}

const url = (path: string): string => `api/history/${encodePath(path)}`;

export async function listHistory(conn: Connection, path: string): Promise<HistoryVersion[]> {
  const body = await requestJson(conn, url(path));
  const versions = isRecord(body) && Array.isArray(body["versions"]) ? body["versions"] : [];
  return versions.map(toVersion).filter((v): v is HistoryVersion => v !== null);
}

export async function getHistoryVersion(conn: Connection, path: string, id: number): Promise<HistoryVersionContent> {
  const body = await requestJson(conn, `${url(path)}?version=${id}`);
  const version = toVersion(body);
  if (version === null || !isRecord(body) || !isRecord(body["content"])) {
    throw new Error(`The server sent no notebook for version ${id}`);
  }
  return { ...version, content: body["content"] };
}
