/**
 * Notebook trust (`api/trust/<path>`) and exports (`nbconvert/<format>/<path>`), Jupyter's
 * routes. An export is fetched (not navigated to), so a missing tool shows the server's
 * message instead of a downloaded error page.
 */
import { type Connection, apiUrl, errorFrom, isRecord, requestJson } from "./client";
import { encodePath } from "./contents";

/** Signs the notebook and marks the cells of its open document trusted. */
export async function trustNotebook(conn: Connection, path: string): Promise<void> {
  await requestJson(conn, `api/trust/${encodePath(path)}`, { method: "POST" });
}

/** Whether the notebook file's signature checks. */
export async function isTrusted(conn: Connection, path: string): Promise<boolean> {
  const body = await requestJson(conn, `api/trust/${encodePath(path)}`);
  return isRecord(body) && body["trusted"] === true;
}

export interface ExportedFile {
  readonly blob: Blob;
  readonly filename: string;
}

/** The file name of an attachment (`filename*=utf-8''…` or `filename="…"`). */
export function attachmentName(header: string | null, fallback: string): string {
  if (header === null) return fallback;
  const star = /filename\*=(?:utf-8|UTF-8)''([^;]+)/.exec(header);
  if (star?.[1] !== undefined) {
    try {
      return decodeURIComponent(star[1]);
    } catch {
      return fallback;
    }
  }
  const plain = /filename="([^"]+)"/.exec(header);
  return plain?.[1] ?? fallback;
}

/** The notebook exported by the server with nbconvert (`format`: an exporter name). */
export async function exportNotebook(conn: Connection, path: string, format: string): Promise<ExportedFile> {
  const url = apiUrl(conn, `nbconvert/${encodeURIComponent(format)}/${encodePath(path)}?download=true`);
  const response = await fetch(url, { credentials: "same-origin", cache: "no-store" });
  if (!response.ok) throw await errorFrom(response);
  const name = path.split("/").pop() ?? "notebook";
  return { blob: await response.blob(), filename: attachmentName(response.headers.get("Content-Disposition"), name) };
}

/** Gives `file` to the browser as a download. */
export function saveBlob(file: ExportedFile): void {
  const url = URL.createObjectURL(file.blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = file.filename;
  a.rel = "noopener";
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
