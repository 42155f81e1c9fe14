/**
 * JupyterLab's save protocol (jupyter-facts.md §1.3): before a PUT, fetch the file's model
 * with `hash=1`. If both hashes are known and differ, the file changed on disk; if there is
 * no hash, a modification time more than 500 ms after the one we loaded means the same. Then
 * the user chooses; nothing is overwritten silently.
 */

export interface DiskState {
  readonly hash: string | null;
  readonly lastModified: string;
}

export const LAST_MODIFIED_MARGIN_MS = 500;

export function changedOnDisk(
  known: DiskState,
  disk: DiskState,
  marginMs = LAST_MODIFIED_MARGIN_MS,
): boolean {
  if (known.hash !== null && disk.hash !== null) {
    return known.hash !== disk.hash;
  }
  const a = Date.parse(known.lastModified);
  const b = Date.parse(disk.lastModified);
  if (Number.isNaN(a) || Number.isNaN(b)) return false;
  return b - a > marginMs;
}

/** What the user can do when the file changed on disk; none of them loses text silently. */
export type ConflictChoice = "cancel" | "overwrite" | "reload" | "save-copy";
