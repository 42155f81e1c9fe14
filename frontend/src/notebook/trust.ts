/**
 * Notebook trust as Jupyter computes it (nbformat's `check_cells`): a notebook is trusted when
 * every code cell is marked trusted (the server marks cells it runs, and every cell of a notebook
 * whose signature checks) or has no rich output (`execute_result`/`display_data` with data).
 */
import * as Y from "yjs";
import { type YCell, cellOutputs, cellType } from "./model";

const UNSAFE = new Set(["execute_result", "display_data"]);
const SAFE_KEYS = new Set(["output_type", "execution_count", "metadata"]);

function keysOf(item: unknown): string[] {
  if (item instanceof Y.Map) return Array.from(item.keys());
  return typeof item === "object" && item !== null ? Object.keys(item) : [];
}

function outputType(item: unknown): unknown {
  if (item instanceof Y.Map) return item.get("output_type");
  return typeof item === "object" && item !== null ? (item as Record<string, unknown>)["output_type"] : undefined;
}

/** Whether one code cell is trusted (marked, or nothing in it could run or style anything). */
export function cellTrusted(cell: YCell): boolean {
  const metadata = cell.get("metadata");
  const mark = metadata instanceof Y.Map ? metadata.get("trusted") : undefined;
  if (mark === true) return true;
  const outputs = cellOutputs(cell);
  if (outputs === null) return true;
  for (const item of outputs.toArray()) {
    if (UNSAFE.has(String(outputType(item))) && keysOf(item).some((k) => !SAFE_KEYS.has(k))) return false;
  }
  return true;
}

/** Whether the whole notebook is trusted. */
export function notebookTrusted(cells: Y.Array<YCell>): boolean {
  for (const cell of cells) {
    if (cellType(cell) === "code" && !cellTrusted(cell)) return false;
  }
  return true;
}
