/**
 * The cells' output areas: the shared `OutputArea` (outputs/), the one place the notebook
 * depends on it. Outputs of cells the server ran (their metadata says `trusted`) are trusted;
 * others (as loaded from the file) render sanitised.
 */
import type { Connection } from "../api";
import { OutputArea, type OutputJSON } from "../outputs";

export interface OutputAreaLike {
  readonly node: HTMLElement;
  setOutputs(outputs: readonly OutputJSON[]): void;
  dispose(): void;
}

export function createOutputArea(conn: Connection, trusted: boolean): OutputAreaLike {
  return new OutputArea({ conn, trusted });
}
