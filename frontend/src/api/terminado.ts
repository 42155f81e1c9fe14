/**
 * terminado's websocket protocol, as JSON arrays: the server sends `["setup", {}]` first, then
 * `["stdout", text]`, and `["disconnect", 1]` when the terminal's process has ended; the client
 * sends `["stdin", text]` and `["set_size", rows, cols, height_px, width_px]`. No I/O here.
 */

export type ServerMessage =
  | { readonly type: "setup" }
  | { readonly type: "stdout"; readonly text: string }
  | { readonly type: "disconnect" };

/** The message in one text frame; null for anything else (unknown types are ignored, as terminado does). */
export function parseServerMessage(frame: string): ServerMessage | null {
  let message: unknown;
  try {
    message = JSON.parse(frame);
  } catch {
    return null;
  }
  if (!Array.isArray(message) || typeof message[0] !== "string") return null;
  const [type, payload] = message as [string, unknown];
  if (type === "setup") return { type };
  if (type === "disconnect") return { type };
  if (type === "stdout" && typeof payload === "string") return { type, text: payload };
  return null;
}

export function stdinMessage(text: string): string {
  return JSON.stringify(["stdin", text]);
}

/** Sizes are clamped to what terminado accepts (1…10000 cells). */
export function setSizeMessage(rows: number, cols: number, height: number, width: number): string {
  const cells = (n: number): number => Math.min(10000, Math.max(1, Math.floor(n)));
  const px = (n: number): number => Math.max(0, Math.round(n));
  return JSON.stringify(["set_size", cells(rows), cells(cols), px(height), px(width)]);
}
