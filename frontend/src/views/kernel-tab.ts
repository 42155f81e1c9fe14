/**
 * A main-area tab backed by a kernel (a notebook, a code console). The Run and Kernel menus
 * and the status bar's kernel item act on the current tab through this surface, so the
 * plugin that brings notebooks implements it on its widgets and adds nothing to the shell.
 */
import type { Widget } from "@lumino/widgets";
import type { ReadonlySignal } from "@preact/signals-core";

export interface KernelTab {
  /** Shown in the status bar: "Python 3 | Idle", "No Kernel"… */
  readonly kernelStatus: ReadonlySignal<string>;
  runSelected?(): unknown;
  runAll?(): unknown;
  interruptKernel?(): unknown;
  restartKernel?(): unknown;
}

export type KernelAction = "runSelected" | "runAll" | "interruptKernel" | "restartKernel";

export function isKernelTab(widget: Widget | null | undefined): widget is Widget & KernelTab {
  return widget != null && !widget.isDisposed && "kernelStatus" in widget;
}
