/**
 * Viewers: what can show a file in a tab. Each viewer says which file types it can open and
 * whether it is the default for them; "Open With" lists every viewer that can open a path.
 * Notebooks will register here like the text editor does.
 */
import type { FileType } from "../model/filetypes";
import { Registry } from "../model/registry";
import type { DocumentWidget } from "./document";

export interface ViewerContext {
  readonly path: string;
  readonly fileType: FileType;
}

export interface Viewer {
  /** The factory name stored in layouts ("editor", "image", "csv", …). */
  readonly id: string;
  /** Shown in "Open With". */
  readonly label: string;
  /** Among defaults for a type, the lowest rank wins. */
  readonly rank?: number;
  canOpen(fileType: FileType, path: string): boolean;
  /** Opened by a double click (else only through "Open With"). */
  isDefaultFor(fileType: FileType, path: string): boolean;
  create(context: ViewerContext): DocumentWidget | Promise<DocumentWidget>;
}

export class ViewerRegistry extends Registry<Viewer> {
  constructor() {
    super("viewers");
  }

  /** Every viewer that can open `path`, defaults first. */
  candidates(fileType: FileType, path: string): Viewer[] {
    const all = this.all().filter((v) => v.canOpen(fileType, path));
    const isDefault = (v: Viewer): number => (v.isDefaultFor(fileType, path) ? 0 : 1);
    return all.sort((a, b) => isDefault(a) - isDefault(b));
  }

  defaultFor(fileType: FileType, path: string): Viewer | undefined {
    return this.candidates(fileType, path)[0];
  }
}
