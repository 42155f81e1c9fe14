/**
 * What the notebook plugin (core/notebook.ts) calls on a notebook tab. A type-only module:
 * the plugin stays in the first-load bundle while the notebook's code is a lazy chunk.
 */
import type { ReadonlySignal } from "@preact/signals-core";
import type { CellJSON, CellType } from "./model";

export interface CellSource {
  readonly id: string;
  readonly type: CellType;
  readonly source: string;
}

export type NotebookMode = "command" | "edit";

export interface NotebookActions {
  readonly viewerId: "notebook";
  readonly mode: ReadonlySignal<NotebookMode>;
  readonly kernelStatus: ReadonlySignal<string>;
  /** Bumps shortly after any change to the cells (the history view compares again). */
  readonly contentVersion: ReadonlySignal<number>;
  /** Every cell's id, type and source (cheap: no outputs). */
  cellSources(): CellSource[];
  /** Replaces every cell (a version from the history) as one undoable operation (Z). */
  restoreCells(cells: readonly CellJSON[]): void;
  enterEdit(): void;
  enterCommand(): void;
  run(advance: "stay" | "next" | "insert"): Promise<void>;
  runAll(): Promise<void>;
  runAbove(): Promise<void>;
  runBelow(): Promise<void>;
  restartRunAll(): Promise<void>;
  insert(where: "above" | "below", type?: CellType): void;
  cut(): void;
  copy(): void;
  paste(where: "above" | "below"): void;
  deleteSelected(): void;
  undoCells(): void;
  redoCells(): void;
  setCellType(type: CellType): void;
  extendSelection(direction: -1 | 1): void;
  select(direction: -1 | 1): void;
  selectAll(): void;
  merge(): void;
  split(): void;
  moveSelected(direction: -1 | 1): void;
  interruptKernel(): Promise<void>;
  restartKernel(): Promise<void>;
  changeKernel(): Promise<void>;
  toggleLineNumbers(): void;
  toggleOutputs(): void;
  clearOutputs(all: boolean): void;
  revertToCheckpoint(): Promise<void>;
  openFind(replace: boolean): void;
  findStep(direction: -1 | 1): void;
  runSection(): Promise<void>;
  toggleHeading(): void;
  setAllHeadings(collapsed: boolean): void;
  /** Whether every code cell is trusted (nbformat's `check_cells`), live. */
  readonly trusted: ReadonlySignal<boolean>;
  /** "Trust Notebook": asks, then signs the notebook on the server (its outputs re-render). */
  trustNotebook(): Promise<void>;
  /** Downloads the notebook (as the server has it, saved or not) exported to `format`. */
  exportAs(format: string): Promise<void>;
}
