/** The Contents API (`/api/contents/<path>`) and the raw-file URLs (`/files/<path>`). */
import { ApiError, type Connection, apiUrl, isRecord, requestJson } from "./client";

export type ContentsType = "directory" | "file" | "notebook";
export type ContentsFormat = "text" | "base64" | "json";

/** One entry of a directory listing (a Jupyter contents model without its content). */
export interface ContentsEntry {
  readonly name: string;
  /** API path: "/"-separated, relative to the server's root dir, no leading "/". */
  readonly path: string;
  readonly type: ContentsType;
  readonly lastModified: string;
  readonly created: string;
  readonly size: number | null;
  readonly mimetype: string | null;
  readonly writable: boolean;
}

/** A full contents model: an entry plus its content and, when asked for, its hash. */
export interface ContentsModel extends ContentsEntry {
  readonly content: unknown;
  readonly format: ContentsFormat | null;
  readonly hash: string | null;
}

/** Encodes an API path one segment at a time, so "/" stays a separator and "#?%" are safe. */
export function encodePath(path: string): string {
  return path
    .split("/")
    .filter((segment) => segment !== "")
    .map(encodeURIComponent)
    .join("/");
}

function contentsUrl(path: string, query: Record<string, string> = {}): string {
  const encoded = encodePath(path);
  const base = encoded === "" ? "api/contents" : `api/contents/${encoded}`;
  const params = new URLSearchParams(query).toString();
  return params === "" ? base : `${base}?${params}`;
}

/** The entries of directory `path` ("" is the root), in the server's order. */
export async function listDirectory(conn: Connection, path = ""): Promise<ContentsEntry[]> {
  const body = await requestJson(conn, contentsUrl(path, { content: "1" }));
  if (!isRecord(body) || body["type"] !== "directory" || !Array.isArray(body["content"])) {
    throw new ApiError(200, `GET /api/contents/${path}: not a directory listing`);
  }
  const entries: ContentsEntry[] = [];
  for (const item of body["content"] as unknown[]) {
    const entry = toEntry(item);
    if (entry !== null) {
      entries.push(entry);
    }
  }
  return entries;
}

export interface GetOptions {
  /** false asks for the model only (no content); default true. */
  readonly content?: boolean;
  readonly type?: ContentsType;
  readonly format?: "text" | "base64";
  /** Ask for `hash` (for the save-conflict check). */
  readonly hash?: boolean;
  readonly signal?: AbortSignal;
}

export async function getModel(
  conn: Connection,
  path: string,
  options: GetOptions = {},
): Promise<ContentsModel> {
  const query: Record<string, string> = { content: options.content === false ? "0" : "1" };
  if (options.type !== undefined) query["type"] = options.type;
  if (options.format !== undefined) query["format"] = options.format;
  if (options.hash === true) query["hash"] = "1";
  const body = await requestJson(
    conn,
    contentsUrl(path, query),
    options.signal === undefined ? {} : { signal: options.signal },
  );
  return toModel(body, path);
}

export interface SaveBody {
  readonly type: ContentsType;
  readonly format?: ContentsFormat;
  readonly content?: unknown;
  /** Chunked upload: 1 for the first piece, 2, 3, … then -1 for the last. */
  readonly chunk?: number;
}

/** PUT: save (or upload, or create a directory) at exactly `path`. */
export async function saveModel(
  conn: Connection,
  path: string,
  body: SaveBody,
  signal?: AbortSignal,
): Promise<ContentsModel> {
  const reply = await requestJson(conn, contentsUrl(path), {
    method: "PUT",
    body,
    ...(signal === undefined ? {} : { signal }),
  });
  return toModel(reply, path);
}

/** POST: a new untitled file/folder/notebook in `dir`; the server picks the name. */
export async function createUntitled(
  conn: Connection,
  dir: string,
  options: { type: ContentsType; ext?: string },
): Promise<ContentsModel> {
  const body: Record<string, string> = { type: options.type };
  if (options.ext !== undefined) body["ext"] = options.ext;
  return toModel(await requestJson(conn, contentsUrl(dir), { method: "POST", body }), dir);
}

/** POST `copy_from`: a copy of `from` inside `dir` ("a-Copy1.txt" when the name is taken). */
export async function copyInto(conn: Connection, from: string, dir: string): Promise<ContentsModel> {
  const reply = await requestJson(conn, contentsUrl(dir), {
    method: "POST",
    body: { copy_from: from },
  });
  return toModel(reply, dir);
}

/** PATCH: rename or move `from` to `to` (409 when `to` exists). */
export async function renamePath(conn: Connection, from: string, to: string): Promise<ContentsModel> {
  const reply = await requestJson(conn, contentsUrl(from), { method: "PATCH", body: { path: to } });
  return toModel(reply, to);
}

/** DELETE (the server moves it to the trash where it can). */
export async function deletePath(conn: Connection, path: string): Promise<void> {
  await requestJson(conn, contentsUrl(path), { method: "DELETE" });
}

/** Where the browser downloads or views a file's raw bytes. */
export function filesUrl(conn: Connection, path: string, download = false): string {
  const url = apiUrl(conn, `files/${encodePath(path)}`);
  return download ? `${url}?download=1` : url;
}

function toEntry(item: unknown): ContentsEntry | null {
  if (!isRecord(item)) {
    return null;
  }
  const { name, path, type } = item;
  if (typeof name !== "string" || typeof path !== "string") {
    return null;
  }
  if (type !== "directory" && type !== "file" && type !== "notebook") {
    return null;
  }
  return {
    name,
    path,
    type,
    lastModified: typeof item["last_modified"] === "string" ? item["last_modified"] : "",
    created: typeof item["created"] === "string" ? item["created"] : "",
    size: typeof item["size"] === "number" ? item["size"] : null,
    mimetype: typeof item["mimetype"] === "string" ? item["mimetype"] : null,
    writable: item["writable"] !== false,
  };
}

function toModel(body: unknown, path: string): ContentsModel {
  const entry = toEntry(body);
  if (entry === null || !isRecord(body)) {
    throw new ApiError(200, `/api/contents/${path}: the reply is not a contents model`);
  }
  const format = body["format"];
  return {
    ...entry,
    content: body["content"] ?? null,
    format: format === "text" || format === "base64" || format === "json" ? format : null,
    hash: typeof body["hash"] === "string" ? body["hash"] : null,
  };
}
