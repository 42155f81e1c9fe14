/**
 * `/api/sessions` (jupyter_server's models): which document a kernel belongs to, so the
 * running panel can name kernels by their notebook. A server without sessions answers 404:
 * `listSessions` gives an empty list then.
 */
import { ApiError, type Connection, isRecord, requestJson } from "./client";

export interface SessionModel {
  readonly id: string;
  readonly path: string;
  readonly name: string;
  readonly type: string;
  readonly kernelId: string | null;
}

export async function listSessions(conn: Connection): Promise<SessionModel[]> {
  let body: unknown;
  try {
    body = await requestJson(conn, "api/sessions");
  } catch (error: unknown) {
    if (error instanceof ApiError && (error.status === 404 || error.status === 501)) return [];
    throw error;
  }
  if (!Array.isArray(body)) return [];
  return body.flatMap((item: unknown) => {
    if (!isRecord(item) || typeof item["id"] !== "string") return [];
    const text = (key: string): string => (typeof item[key] === "string" ? item[key] : "");
    const kernel = isRecord(item["kernel"]) && typeof item["kernel"]["id"] === "string" ? item["kernel"]["id"] : null;
    return [{ id: item["id"], path: text("path"), name: text("name"), type: text("type"), kernelId: kernel }];
  });
}
