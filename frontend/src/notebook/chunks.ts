/**
 * Cells live in groups ("chunks") of about `CHUNK_SIZE`, each with `content-visibility: auto`.
 *
 * Every cell already skips its own layout and paint off screen, but the browser still lays
 * out, hit-tests and watches one box per cell: with 2,000 cells that is most of a frame on
 * every keystroke. With chunks it handles ~N/50 boxes plus the cells of the chunks in view
 * (keystroke -> next frame in a 2,000-cell notebook, Chromium: 27 ms -> 16 ms).
 *
 * Chunks are never rebalanced while cells are only inserted, removed or moved a few at a
 * time: a new cell joins its neighbour's chunk, so the other cells' nodes (and a focused
 * editor among them) stay where they are. Empty chunks go; a chunk that grew past twice the
 * size is split, keeping the focus where it was.
 */
import { el } from "../util/dom";

export const CHUNK_SIZE = 50;
const CHUNK_CLASS = "carnet-CellChunk";

export class CellChunks {
  constructor(private readonly root: HTMLElement) {}

  /** Puts the cell `nodes` into the chunks in this order, moving as few nodes as possible.
   * Nodes of cells that are gone must have been removed already. */
  arrange(nodes: readonly HTMLElement[]): void {
    const focused = document.activeElement;
    let previous: HTMLElement | null = null;
    for (const node of nodes) {
      const expected: Element | null = previous === null ? this.firstCell() : this.after(previous);
      if (expected !== node) this.insertAfter(node, previous);
      previous = node;
    }
    this.tidy();
    if (focused instanceof HTMLElement && focused.isConnected && document.activeElement !== focused) {
      focused.focus({ preventScroll: true });
    }
  }

  private chunks(): HTMLElement[] {
    return Array.from(this.root.children).filter((c): c is HTMLElement => c.classList.contains(CHUNK_CLASS));
  }

  private newChunk(before: Node | null): HTMLElement {
    const chunk = el("div", { className: CHUNK_CLASS });
    this.root.insertBefore(chunk, before);
    return chunk;
  }

  private firstCell(): Element | null {
    for (const chunk of this.chunks()) if (chunk.firstElementChild !== null) return chunk.firstElementChild;
    return null;
  }

  /** The cell after `node`, across chunk boundaries. */
  private after(node: HTMLElement): Element | null {
    if (node.nextElementSibling !== null) return node.nextElementSibling;
    let chunk = node.parentElement?.nextElementSibling ?? null;
    while (chunk !== null) {
      if (chunk.classList.contains(CHUNK_CLASS) && chunk.firstElementChild !== null) return chunk.firstElementChild;
      chunk = chunk.nextElementSibling;
    }
    return null;
  }

  private insertAfter(node: HTMLElement, previous: HTMLElement | null): void {
    if (previous === null) {
      const first = this.chunks()[0] ?? this.newChunk(null);
      first.insertBefore(node, first.firstChild);
      return;
    }
    const chunk = previous.parentElement;
    if (chunk === null) throw new Error("a placed cell has no chunk");
    if (previous.nextElementSibling === null && chunk.childElementCount >= CHUNK_SIZE) {
      // At the end of a full chunk (a notebook loading, cells appended): the next chunk.
      const next = chunk.nextElementSibling;
      const target =
        next instanceof HTMLElement && next.classList.contains(CHUNK_CLASS) && next.childElementCount < CHUNK_SIZE
          ? next
          : this.newChunk(next);
      target.insertBefore(node, target.firstChild);
      return;
    }
    chunk.insertBefore(node, previous.nextSibling);
  }

  private tidy(): void {
    for (const chunk of this.chunks()) {
      if (chunk.childElementCount === 0) {
        chunk.remove();
        continue;
      }
      let current: HTMLElement = chunk;
      while (current.childElementCount > 2 * CHUNK_SIZE) {
        const next = this.newChunk(current.nextSibling);
        next.append(...Array.from(current.children).slice(CHUNK_SIZE));
        current = next;
      }
    }
  }
}
