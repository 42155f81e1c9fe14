/**
 * Drag and drop of cells: a cell is dragged by its input prompt (with the other selected
 * cells when it is one of them) and dropped before or after another cell. The notebook does
 * the move (one Y transaction); this only tracks the gesture and shows where it would land.
 */
export interface DragHost {
  /** The ids to move when the cell `id` is dragged (the selection, if it holds the cell). */
  dragIds(id: string): string[];
  indexOfId(id: string): number;
  indexOfNode(node: HTMLElement): number;
  /** Moves [from, from+count) so that it starts at `to` (an index without the block). */
  move(from: number, count: number, to: number): void;
}

interface DropTarget {
  readonly index: number;
  readonly node: HTMLElement;
  readonly after: boolean;
}

export class CellDragAndDrop {
  private ids: string[] | null = null;
  private marker: { node: HTMLElement; cls: string } | null = null;

  constructor(
    private readonly container: HTMLElement,
    private readonly host: DragHost,
  ) {
    container.addEventListener("dragstart", this.onStart);
    container.addEventListener("dragover", this.onOver);
    container.addEventListener("dragleave", this.onLeave);
    container.addEventListener("drop", this.onDrop);
    container.addEventListener("dragend", this.onEnd);
  }

  private readonly onStart = (e: DragEvent): void => {
    const prompt = e.target instanceof Element ? e.target.closest(".carnet-Cell-inputPrompt") : null;
    const cellNode = prompt?.closest<HTMLElement>(".carnet-Cell");
    const id = cellNode?.dataset["cellId"];
    if (cellNode == null || id === undefined || e.dataTransfer === null) return;
    this.ids = this.host.dragIds(id);
    e.dataTransfer.effectAllowed = "move";
    e.dataTransfer.setData("application/x-carnet-cells", this.ids.join(","));
    cellNode.classList.add("carnet-mod-dragging");
  };

  private readonly onOver = (e: DragEvent): void => {
    if (this.ids === null) return;
    e.preventDefault();
    if (e.dataTransfer !== null) e.dataTransfer.dropEffect = "move";
    this.mark(this.target(e));
  };

  private readonly onLeave = (e: DragEvent): void => {
    if (e.relatedTarget instanceof Node && this.container.contains(e.relatedTarget)) return;
    this.mark(null);
  };

  private readonly onDrop = (e: DragEvent): void => {
    const ids = this.ids;
    if (ids === null) return;
    e.preventDefault();
    const target = this.target(e);
    this.onEnd();
    if (target === null) return;
    const indices = ids.map((id) => this.host.indexOfId(id)).filter((i) => i >= 0);
    if (indices.length === 0) return;
    const from = Math.min(...indices);
    const count = indices.length;
    // Dropped on itself: nothing moves.
    if (target.index >= from && target.index <= from + count) return;
    const to = target.index > from ? target.index - count : target.index;
    this.host.move(from, count, to);
  };

  private readonly onEnd = (): void => {
    this.ids = null;
    this.mark(null);
    for (const node of this.container.querySelectorAll(".carnet-mod-dragging")) {
      node.classList.remove("carnet-mod-dragging");
    }
  };

  /** Where a drop would go: before the cell at `index` (after the last: index = length). */
  private target(e: DragEvent): DropTarget | null {
    const node = e.target instanceof Element ? e.target.closest<HTMLElement>(".carnet-Cell") : null;
    if (node === null) return null;
    const index = this.host.indexOfNode(node);
    if (index < 0) return null;
    const rect = node.getBoundingClientRect();
    const after = e.clientY > rect.top + rect.height / 2;
    return { index: after ? index + 1 : index, node, after };
  }

  private mark(target: DropTarget | null): void {
    if (this.marker !== null) this.marker.node.classList.remove(this.marker.cls);
    this.marker = null;
    if (target === null) return;
    const cls = target.after ? "carnet-mod-dropAfter" : "carnet-mod-dropBefore";
    target.node.classList.add(cls);
    this.marker = { node: target.node, cls };
  }
}
