/**
 * A registry of extension values (commands' menus, panels, viewers, settings, status items…).
 * Core features add to the same registries plugins do (style.md rule 10); views read `all()`
 * inside a signal effect, so they follow additions and removals.
 */
import { type ReadonlySignal, signal } from "@preact/signals-core";

export interface Disposable {
  dispose(): void;
}

/** An item with a unique id; lower `rank` sorts first (default 100). */
export interface Ranked {
  readonly id: string;
  readonly rank?: number;
}

export class Registry<T extends Ranked> {
  private readonly items = new Map<string, T>();
  private readonly _version = signal(0);

  constructor(readonly name: string) {}

  /** Bumps whenever an item is added or removed. */
  get version(): ReadonlySignal<number> {
    return this._version;
  }

  /** Adds `item`; a second item with the same id is an error (dispose the first). */
  add(item: T): Disposable {
    if (this.items.has(item.id)) {
      throw new Error(`${this.name}: "${item.id}" is already registered`);
    }
    this.items.set(item.id, item);
    this._version.value += 1;
    return {
      dispose: () => {
        if (this.items.get(item.id) === item) {
          this.items.delete(item.id);
          this._version.value += 1;
        }
      },
    };
  }

  get(id: string): T | undefined {
    void this._version.value;
    return this.items.get(id);
  }

  has(id: string): boolean {
    return this.items.has(id);
  }

  /** Every item, by rank then id. */
  all(): T[] {
    void this._version.value;
    return [...this.items.values()].sort(
      (a, b) => (a.rank ?? 100) - (b.rank ?? 100) || a.id.localeCompare(b.id),
    );
  }
}
