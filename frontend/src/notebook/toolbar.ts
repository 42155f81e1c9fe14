/** The notebook's toolbar: save, cell edits, run and kernel buttons, cell type, kernel picker. */
import { el } from "../util/dom";
import type { NotebookActions } from "./actions";

export interface NotebookToolbar {
  readonly node: HTMLElement;
  readonly typeSelect: HTMLSelectElement;
  readonly kernelButton: HTMLButtonElement;
  /** "Trusted" / "Not Trusted"; a click on an untrusted notebook offers to trust it. */
  readonly trustButton: HTMLButtonElement;
}

export function createToolbar(nb: NotebookActions & { save(): Promise<void> }): NotebookToolbar {
  const node = el("div", { className: "carnet-NotebookToolbar", role: "toolbar", "aria-label": "Notebook" });
  const button = (label: string, glyph: string, action: () => unknown, name: string): HTMLButtonElement => {
    const b = el("button", { type: "button", className: "carnet-NotebookToolbar-button", title: label }, glyph);
    b.setAttribute("aria-label", label);
    b.dataset["action"] = name;
    // Keep the keyboard focus (and so the mode and selection) in the notebook.
    b.addEventListener("mousedown", (e) => e.preventDefault());
    b.addEventListener("click", () => void action());
    return b;
  };
  const sep = (): HTMLElement => el("span", { className: "carnet-NotebookToolbar-sep" });
  const typeSelect = el("select", { className: "carnet-NotebookToolbar-type", "aria-label": "Cell type" });
  for (const [value, label] of [
    ["code", "Code"],
    ["markdown", "Markdown"],
    ["raw", "Raw"],
  ] as const) {
    typeSelect.append(el("option", { value }, label));
  }
  typeSelect.addEventListener("change", () => {
    const value = typeSelect.value;
    if (value === "code" || value === "markdown" || value === "raw") nb.setCellType(value);
  });
  const kernelButton = el("button", {
    type: "button",
    className: "carnet-NotebookToolbar-kernel",
    title: "Change the kernel",
  });
  kernelButton.addEventListener("click", () => void nb.changeKernel());
  const trustButton = el("button", { type: "button", className: "carnet-NotebookToolbar-trust" });
  trustButton.addEventListener("click", () => void nb.trustNotebook());
  node.append(
    button("Save and create checkpoint", "⬇", () => nb.save(), "save"),
    button("Insert a cell below", "+", () => nb.insert("below"), "insert"),
    button("Cut the selected cells", "✂", () => nb.cut(), "cut"),
    button("Copy the selected cells", "❐", () => nb.copy(), "copy"),
    button("Paste cells below", "❏", () => nb.paste("below"), "paste"),
    sep(),
    button("Run the selected cells and advance", "▶", () => nb.run("next"), "run"),
    button("Interrupt the kernel", "■", () => nb.interruptKernel(), "interrupt"),
    button("Restart the kernel", "↻", () => nb.restartKernel(), "restart"),
    button("Restart the kernel and run all cells", "↻▶", () => nb.restartRunAll(), "restart-run-all"),
    sep(),
    typeSelect,
    el("span", { className: "carnet-NotebookToolbar-spacer" }),
    trustButton,
    kernelButton,
  );
  return { node, typeSelect, kernelButton, trustButton };
}
