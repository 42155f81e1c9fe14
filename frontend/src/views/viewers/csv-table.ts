/**
 * CSV/TSV as a virtualised table: only the rows in view (plus a margin) exist in the DOM,
 * rows are recycled as you scroll, so 100,000 rows scroll as smoothly as 100. Positions and
 * column widths are set through the CSSOM (custom properties, transforms), which the CSP
 * allows. The first row is the header.
 */
import { detectDelimiter, parseDelimited } from "../../model/csv";
import { el } from "../../util/dom";
import type { RendererFactory, TextRenderer } from "./text-viewer";

export const ROW_HEIGHT = 24;
const OVERSCAN = 8;
const CHAR_PX = 7.5;
const MIN_COL = 48;
const MAX_COL = 360;

class CsvTable implements TextRenderer {
  private rows: string[][] = [];
  private header: string[] = [];
  private columns = 0;
  private readonly grid: HTMLDivElement;
  private readonly meta: HTMLParagraphElement;
  private readonly head: HTMLDivElement;
  private readonly scroller: HTMLDivElement;
  private readonly spacer: HTMLDivElement;
  private readonly body: HTMLDivElement;
  private pool: HTMLDivElement[] = [];
  private frame = 0;
  private readonly resize: ResizeObserver;

  constructor(
    host: HTMLElement,
    private readonly path: () => string,
  ) {
    this.meta = el("p", { className: "carnet-Table-meta" });
    this.head = el("div", { className: "carnet-Table-head", role: "rowgroup" });
    this.body = el("div", { className: "carnet-Table-body", role: "rowgroup" });
    this.spacer = el("div", { className: "carnet-Table-spacer" }, this.body);
    this.scroller = el("div", { className: "carnet-Table-scroller", tabindex: "0" }, this.spacer);
    this.grid = el("div", { className: "carnet-Table", role: "grid" }, this.head, this.scroller);
    host.append(this.meta, this.grid);
    this.scroller.addEventListener("scroll", () => this.schedule(), { passive: true });
    this.resize = new ResizeObserver(() => this.schedule());
    this.resize.observe(this.scroller);
  }

  update(text: string): void {
    const all = parseDelimited(text, detectDelimiter(this.path(), text.slice(0, 4096)));
    this.header = all[0] ?? [];
    this.rows = all.slice(1);
    this.columns = all.reduce((n, r) => Math.max(n, r.length), 0);
    this.grid.setAttribute("aria-rowcount", String(this.rows.length + 1));
    this.grid.setAttribute("aria-colcount", String(this.columns));
    this.grid.setAttribute("aria-label", `Table with ${this.rows.length} rows`);
    this.meta.textContent = `${this.rows.length.toLocaleString()} rows × ${this.columns} columns`;
    this.layoutColumns();
    this.head.replaceChildren(this.makeRow(true));
    this.fill(this.head.firstElementChild as HTMLDivElement, this.header, 1, true);
    this.spacer.style.height = `${this.rows.length * ROW_HEIGHT}px`;
    for (const row of this.pool) row.dataset["index"] = "";
    this.draw();
  }

  private layoutColumns(): void {
    const sample = [this.header, ...this.rows.slice(0, 200)];
    const widths: number[] = [];
    for (let c = 0; c < this.columns; c += 1) {
      let chars = 3;
      for (const row of sample) chars = Math.max(chars, (row[c] ?? "").length);
      widths.push(Math.max(MIN_COL, Math.min(MAX_COL, Math.ceil(chars * CHAR_PX) + 16)));
    }
    const numberWidth = Math.max(40, String(this.rows.length).length * 8 + 16);
    const template = [`${numberWidth}px`, ...widths.map((w) => `${w}px`)].join(" ");
    const total = numberWidth + widths.reduce((a, b) => a + b, 0);
    this.grid.style.setProperty("--carnet-table-columns", template);
    this.grid.style.setProperty("--carnet-table-width", `${total}px`);
  }

  private makeRow(header: boolean): HTMLDivElement {
    const row = el("div", { className: "carnet-Table-row", role: "row" });
    const number = el("div", {
      className: "carnet-Table-cell carnet-Table-number",
      role: header ? "columnheader" : "rowheader",
    });
    row.append(number);
    for (let c = 0; c < this.columns; c += 1) {
      row.append(el("div", { className: "carnet-Table-cell", role: header ? "columnheader" : "gridcell" }));
    }
    return row;
  }

  private fill(row: HTMLDivElement, cells: readonly string[], ariaIndex: number, header: boolean): void {
    row.setAttribute("aria-rowindex", String(ariaIndex));
    const children = row.children;
    const number = children[0] as HTMLElement | undefined;
    if (number !== undefined) number.textContent = header ? "#" : String(ariaIndex - 1);
    for (let c = 0; c < this.columns; c += 1) {
      const cell = children[c + 1] as HTMLElement | undefined;
      if (cell === undefined) continue;
      const value = cells[c] ?? "";
      if (cell.textContent !== value) {
        cell.textContent = value;
        cell.title = value.length > 40 ? value : "";
      }
    }
  }

  private schedule(): void {
    if (this.frame !== 0) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  private draw(): void {
    const top = this.scroller.scrollTop;
    const height = this.scroller.clientHeight || 600;
    const first = Math.max(0, Math.floor(top / ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(this.rows.length, Math.ceil((top + height) / ROW_HEIGHT) + OVERSCAN);
    const needed = last - first;
    while (this.pool.length < needed) {
      const row = this.makeRow(false);
      this.pool.push(row);
      this.body.append(row);
    }
    this.pool.forEach((row, i) => {
      const index = first + i;
      if (i >= needed) {
        row.hidden = true;
        return;
      }
      row.hidden = false;
      if (row.dataset["index"] !== String(index)) {
        row.dataset["index"] = String(index);
        this.fill(row, this.rows[index] ?? [], index + 2, false);
      }
    });
    this.body.style.transform = `translateY(${first * ROW_HEIGHT}px)`;
    this.head.style.transform = `translateX(${-this.scroller.scrollLeft}px)`;
  }

  dispose(): void {
    cancelAnimationFrame(this.frame);
    this.resize.disconnect();
  }
}

export const createCsvTable: RendererFactory = (host, context) => new CsvTable(host, context.path);
