/**
 * Small per-user UI state that is not layout (the file browser's folder, a panel's filter…):
 * keyed JSON values that travel inside the workspace document next to the layout, as in
 * JupyterLab's state database. Plugins read what they saved at start-up and set it as it
 * changes; the layout plugin saves it with the workspace.
 */
import { type ReadonlySignal, signal } from "@preact/signals-core";

export class StateDB {
  private readonly _values = signal<Readonly<Record<string, unknown>>>({});

  /** Every value; changes whenever one does. */
  get values(): ReadonlySignal<Readonly<Record<string, unknown>>> {
    return this._values;
  }

  get(key: string): unknown {
    return this._values.peek()[key];
  }

  /** Sets one value. Reads with `peek`, so an effect that calls `set` does not depend on the store. */
  set(key: string, value: unknown): void {
    const current = this._values.peek();
    if (JSON.stringify(current[key]) === JSON.stringify(value)) return;
    this._values.value = { ...current, [key]: value };
  }

  /** Replaces every value (at start-up, from the saved workspace). */
  load(values: Readonly<Record<string, unknown>>): void {
    this._values.value = { ...values };
  }
}
