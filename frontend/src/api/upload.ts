/**
 * Uploads through the Contents API, the way JupyterLab does, so servers that accept Lab's
 * uploads accept ours: files up to 15 MiB go in one PUT; larger ones in 1 MiB base64 pieces
 * numbered `chunk` 1, 2, … with the last one -1 (the server appends them in order).
 */
import type { Connection } from "./client";
import { type ContentsModel, saveModel } from "./contents";

export const LARGE_FILE_SIZE = 15 * 1024 * 1024;
export const CHUNK_SIZE = 1024 * 1024;

export interface ChunkSpec {
  readonly start: number;
  readonly end: number;
  /** The `chunk` field of the PUT. */
  readonly chunk: number;
}

/** The pieces of a file of `size` bytes; empty when it goes in one request. */
export function chunkPlan(size: number, chunkSize = CHUNK_SIZE): ChunkSpec[] {
  if (size <= LARGE_FILE_SIZE) {
    return [];
  }
  const plan: ChunkSpec[] = [];
  for (let start = 0; start < size; start += chunkSize) {
    const end = Math.min(start + chunkSize, size);
    plan.push({ start, end, chunk: end >= size ? -1 : end / chunkSize });
  }
  return plan;
}

/** Base64 of a blob, through the browser's own encoder (FileReader) rather than a JS loop. */
export function blobToBase64(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => {
      const url = String(reader.result);
      resolve(url.slice(url.indexOf(",") + 1));
    };
    reader.onerror = () => reject(reader.error ?? new Error("could not read the file"));
    reader.readAsDataURL(blob);
  });
}

/** Uploads `file` to `path`, calling `onProgress(bytesDone, total)` as pieces land. */
export async function uploadFile(
  conn: Connection,
  path: string,
  file: Blob,
  onProgress: (done: number, total: number) => void = () => {},
  signal?: AbortSignal,
): Promise<ContentsModel> {
  const plan = chunkPlan(file.size);
  onProgress(0, file.size);
  if (plan.length === 0) {
    let model: ContentsModel | null = null;
    if (path.toLowerCase().endsWith(".ipynb")) {
      model = await uploadNotebook(conn, path, file, signal);
    }
    model ??= await saveModel(
      conn,
      path,
      { type: "file", format: "base64", content: await blobToBase64(file) },
      signal,
    );
    onProgress(file.size, file.size);
    return model;
  }
  let model: ContentsModel | null = null;
  for (const piece of plan) {
    const content = await blobToBase64(file.slice(piece.start, piece.end));
    model = await saveModel(
      conn,
      path,
      { type: "file", format: "base64", content, chunk: piece.chunk },
      signal,
    );
    onProgress(piece.end, file.size);
  }
  if (model === null) throw new Error("nothing was uploaded");
  return model;
}

/** A valid notebook goes up as JSON (so the server validates and signs it); else null. */
async function uploadNotebook(
  conn: Connection,
  path: string,
  file: Blob,
  signal?: AbortSignal,
): Promise<ContentsModel | null> {
  let content: unknown;
  try {
    content = JSON.parse(await file.text());
  } catch {
    return null;
  }
  if (typeof content !== "object" || content === null || Array.isArray(content)) {
    return null;
  }
  return saveModel(conn, path, { type: "notebook", format: "json", content }, signal);
}
