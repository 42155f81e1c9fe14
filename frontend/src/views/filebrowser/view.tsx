/**
 * The file browser's view: toolbar, breadcrumbs, a sortable list (an ARIA listbox with
 * multi-select and full keyboard use), upload progress, and drag and drop (files from the
 * desktop upload; entries dropped on a folder move into it).
 */
import "@preact/signals";
import type { ContentsEntry } from "../../api";
import { type SortKey, clickSelect, moveFocus } from "../../model/listing";
import { formatAge, formatDate, formatSize } from "../../util/format";
import { ancestors } from "../../util/paths";
import { useEffect, useRef } from "preact/hooks";
import type { FileBrowserController, UploadItem } from "./controller";

export const DRAG_MIME = "application/x-carnet-paths";

export interface ViewProps {
  readonly ctl: FileBrowserController;
  /** Runs a command by id (toolbar buttons are commands too). */
  readonly run: (command: string, args?: Record<string, unknown>) => void;
  readonly open: (entry: ContentsEntry) => void;
  readonly badge: (entry: ContentsEntry) => string;
  readonly setSort: (key: SortKey) => void;
  readonly fileInput: (node: HTMLInputElement | null) => void;
  readonly commandIds: {
    readonly newFile: string;
    readonly newFolder: string;
    readonly newNotebook: string;
    readonly upload: string;
    readonly refresh: string;
    readonly toggleHidden: string;
  };
}

export function FileBrowserView(props: ViewProps): preact.JSX.Element {
  const { ctl, run, commandIds: ids } = props;
  const dropDepth = useRef(0);
  const root = useRef<HTMLDivElement>(null);
  const onDragEnter = (e: DragEvent): void => {
    if (!hasFiles(e) && !hasPaths(e)) return;
    dropDepth.current += 1;
    root.current?.classList.add("carnet-mod-dropTarget");
  };
  const onDragLeave = (): void => {
    dropDepth.current = Math.max(0, dropDepth.current - 1);
    if (dropDepth.current === 0) root.current?.classList.remove("carnet-mod-dropTarget");
  };
  const onDragOver = (e: DragEvent): void => {
    if (hasFiles(e) || hasPaths(e)) {
      e.preventDefault();
      if (e.dataTransfer) e.dataTransfer.dropEffect = hasFiles(e) ? "copy" : "move";
    }
  };
  const onDrop = (e: DragEvent): void => {
    dropDepth.current = 0;
    root.current?.classList.remove("carnet-mod-dropTarget");
    if (e.defaultPrevented) return; // a folder row took it
    e.preventDefault();
    void dropInto(ctl, e, ctl.path.value);
  };
  return (
    <div
      ref={root}
      class="carnet-FileBrowser-body"
      onDragEnter={onDragEnter}
      onDragLeave={onDragLeave}
      onDragOver={onDragOver}
      onDrop={onDrop}
    >
      <div class="carnet-Toolbar" role="toolbar" aria-label="File browser actions">
        <ToolButton label="New File" glyph="+" onClick={() => run(ids.newFile)} />
        <ToolButton label="New Folder" glyph="▭+" onClick={() => run(ids.newFolder)} />
        <ToolButton label="New Notebook" glyph="NB+" onClick={() => run(ids.newNotebook)} />
        <ToolButton label="Upload Files" glyph="⇪" onClick={() => run(ids.upload)} />
        <ToolButton label="Refresh File List" glyph="⟳" onClick={() => run(ids.refresh)} />
        <ToolButton
          label={ctl.showHidden.value ? "Hide Hidden Files" : "Show Hidden Files"}
          glyph=".*"
          pressed={ctl.showHidden.value}
          onClick={() => run(ids.toggleHidden)}
        />
        <input
          ref={props.fileInput}
          type="file"
          multiple
          class="carnet-FileBrowser-input"
          aria-hidden="true"
          tabIndex={-1}
          onChange={(e) => {
            const files = [...(e.currentTarget.files ?? [])];
            e.currentTarget.value = "";
            if (files.length > 0) void ctl.upload(files);
          }}
        />
      </div>
      <Breadcrumbs ctl={ctl} />
      {ctl.error.value !== null && (
        <p class="carnet-FileBrowser-error" role="alert">
          {ctl.error.value}
        </p>
      )}
      <Header ctl={ctl} setSort={props.setSort} />
      <FileList {...props} />
      <Uploads ctl={ctl} />
    </div>
  );
}

function ToolButton(props: {
  label: string;
  glyph: string;
  onClick: () => void;
  pressed?: boolean;
}): preact.JSX.Element {
  return (
    <button
      type="button"
      class="carnet-ToolButton"
      title={props.label}
      aria-label={props.label}
      aria-pressed={props.pressed}
      onClick={props.onClick}
    >
      <span aria-hidden="true">{props.glyph}</span>
    </button>
  );
}

function Breadcrumbs(props: { ctl: FileBrowserController }): preact.JSX.Element {
  const { ctl } = props;
  const crumbs = ancestors(ctl.path.value);
  return (
    <nav class="carnet-Breadcrumbs" aria-label="Current folder">
      {crumbs.map((c, i) => (
        <span key={c.path} class="carnet-Breadcrumb">
          {i > 0 && (
            <span class="carnet-Breadcrumb-sep" aria-hidden="true">
              /
            </span>
          )}
          <button
            type="button"
            class="carnet-Breadcrumb-link"
            data-path={c.path}
            aria-current={i === crumbs.length - 1 ? "location" : undefined}
            title={c.path === "" ? "Root folder" : c.path}
            onClick={() => void ctl.cd(c.path)}
            onDragOver={(e) => {
              if (hasPaths(e) || hasFiles(e)) e.preventDefault();
            }}
            onDrop={(e) => {
              e.preventDefault();
              void dropInto(ctl, e, c.path);
            }}
          >
            {c.path === "" ? "⌂" : c.name}
          </button>
        </span>
      ))}
    </nav>
  );
}

function Header(props: {
  ctl: FileBrowserController;
  setSort: (key: SortKey) => void;
}): preact.JSX.Element {
  const sort = props.ctl.sort.value;
  const cell = (key: SortKey, label: string): preact.JSX.Element => {
    const active = sort.key === key;
    return (
      <button
        type="button"
        class={`carnet-FileList-sort carnet-col-${key}${active ? " carnet-mod-active" : ""}`}
        aria-label={`Sort by ${label.toLowerCase()}`}
        aria-pressed={active}
        data-sort={key}
        onClick={() => props.setSort(key)}
      >
        {label}
        {active && <span aria-hidden="true">{sort.ascending ? " ▲" : " ▼"}</span>}
      </button>
    );
  };
  return (
    <div class="carnet-FileList-header">
      {cell("name", "Name")}
      {cell("modified", "Modified")}
      {cell("size", "Size")}
    </div>
  );
}

function FileList(props: ViewProps): preact.JSX.Element {
  const { ctl } = props;
  const list = useRef<HTMLUListElement>(null);
  const typed = useRef({ text: "", at: 0 });
  const order = ctl.order.value;
  const sel = ctl.selection.value;
  const clip = ctl.clipboard.value;
  const cut = clip?.mode === "cut" ? new Set(clip.paths) : new Set<string>();
  const paths = order.map((e) => e.path);
  const focusIndex = sel.focus === null ? -1 : paths.indexOf(sel.focus);

  useEffect(() => {
    if (focusIndex < 0) return;
    list.current?.querySelector(`#${itemId(focusIndex)}`)?.scrollIntoView({ block: "nearest" });
  }, [focusIndex]);

  const onKeyDown = (e: KeyboardEvent): void => {
    if (e.defaultPrevented) return;
    const page = Math.max(1, Math.floor((list.current?.clientHeight ?? 240) / 24) - 1);
    const moves: Record<string, number> = {
      ArrowDown: 1,
      ArrowUp: -1,
      PageDown: page,
      PageUp: -page,
      Home: -1e9,
      End: 1e9,
    };
    const delta = moves[e.key];
    if (delta !== undefined) {
      e.preventDefault();
      ctl.selection.value = moveFocus(sel, paths, delta, e.shiftKey);
      return;
    }
    if (e.key === "Enter") {
      e.preventDefault();
      for (const entry of ctl.selected) props.open(entry);
      return;
    }
    if (e.key === " " && sel.focus !== null) {
      e.preventDefault();
      ctl.selection.value = clickSelect(sel, paths, sel.focus, "toggle");
      return;
    }
    if (e.key.length === 1 && !e.ctrlKey && !e.metaKey && !e.altKey) {
      const now = Date.now();
      const t = typed.current;
      t.text = now - t.at < 800 ? t.text + e.key.toLowerCase() : e.key.toLowerCase();
      t.at = now;
      const hit = order.find((entry) => entry.name.toLowerCase().startsWith(t.text));
      if (hit !== undefined) {
        e.preventDefault();
        ctl.selection.value = clickSelect(sel, paths, hit.path, "single");
      }
    }
  };

  return (
    <ul
      ref={list}
      class="carnet-FileList"
      role="listbox"
      aria-label="Files"
      aria-multiselectable="true"
      tabIndex={0}
      aria-activedescendant={focusIndex >= 0 ? itemId(focusIndex) : undefined}
      onKeyDown={onKeyDown}
      onMouseDown={(e) => {
        if (e.target === e.currentTarget && e.button === 0) {
          ctl.selection.value = { paths: new Set(), focus: sel.focus, anchor: sel.anchor };
        }
      }}
      onContextMenu={(e) => {
        if (e.target === e.currentTarget) {
          ctl.selection.value = { paths: new Set(), focus: null, anchor: null };
        }
      }}
    >
      {order.length === 0 && !ctl.loading.value && (
        <li class="carnet-FileList-empty" role="presentation">
          This folder is empty.
        </li>
      )}
      {order.map((entry, index) => (
        <FileItem
          key={entry.path}
          entry={entry}
          index={index}
          selected={sel.paths.has(entry.path)}
          focused={index === focusIndex}
          cut={cut.has(entry.path)}
          badge={props.badge(entry)}
          onClick={(e) => {
            const mode = e.shiftKey ? "range" : e.ctrlKey || e.metaKey ? "toggle" : "single";
            ctl.selection.value = clickSelect(sel, paths, entry.path, mode);
          }}
          onOpen={() => props.open(entry)}
          onContextMenu={() => {
            if (!sel.paths.has(entry.path)) {
              ctl.selection.value = clickSelect(sel, paths, entry.path, "single");
            }
          }}
          onDragStart={(e) => {
            const dragged = sel.paths.has(entry.path) ? [...sel.paths] : [entry.path];
            e.dataTransfer?.setData(DRAG_MIME, JSON.stringify(dragged));
            e.dataTransfer?.setData("text/plain", dragged.join("\n"));
          }}
          onDrop={(e) => {
            if (entry.type !== "directory") return;
            e.preventDefault();
            void dropInto(ctl, e, entry.path);
          }}
        />
      ))}
    </ul>
  );
}

function FileItem(props: {
  entry: ContentsEntry;
  index: number;
  selected: boolean;
  focused: boolean;
  cut: boolean;
  badge: string;
  onClick: (e: MouseEvent) => void;
  onOpen: () => void;
  onContextMenu: () => void;
  onDragStart: (e: DragEvent) => void;
  onDrop: (e: DragEvent) => void;
}): preact.JSX.Element {
  const { entry } = props;
  const isDir = entry.type === "directory";
  const classes = [
    "carnet-FileItem",
    isDir ? "carnet-mod-dir" : "carnet-mod-file",
    props.selected ? "carnet-mod-selected" : "",
    props.focused ? "carnet-mod-focused" : "",
    props.cut ? "carnet-mod-cut" : "",
  ].join(" ");
  return (
    <li
      id={itemId(props.index)}
      class={classes}
      role="option"
      aria-selected={props.selected}
      data-path={entry.path}
      data-name={entry.name}
      data-type={entry.type}
      title={`${entry.name}\n${formatDate(entry.lastModified)}`}
      draggable
      onClick={props.onClick}
      onDblClick={props.onOpen}
      onContextMenu={props.onContextMenu}
      onDragStart={props.onDragStart}
      onDragOver={(e) => {
        if (isDir && (hasPaths(e) || hasFiles(e))) {
          e.preventDefault();
          e.currentTarget.classList.add("carnet-mod-dropTarget");
        }
      }}
      onDragLeave={(e) => e.currentTarget.classList.remove("carnet-mod-dropTarget")}
      onDrop={(e) => {
        e.currentTarget.classList.remove("carnet-mod-dropTarget");
        props.onDrop(e);
      }}
    >
      <span class="carnet-FileItem-icon" aria-hidden="true">
        {isDir ? "▸" : props.badge}
      </span>
      <span class="carnet-FileItem-name">{entry.name}</span>
      <span class="carnet-FileItem-modified">{formatAge(entry.lastModified)}</span>
      <span class="carnet-FileItem-size">{isDir ? "" : formatSize(entry.size)}</span>
    </li>
  );
}

function Uploads(props: { ctl: FileBrowserController }): preact.JSX.Element | null {
  const uploads = props.ctl.uploads.value;
  if (uploads.length === 0) return null;
  return (
    <ul class="carnet-Uploads" aria-label="Uploads">
      {uploads.map((u) => (
        <UploadRow key={u.id} item={u} onDismiss={() => props.ctl.dismissUpload(u.id)} />
      ))}
    </ul>
  );
}

function UploadRow(props: { item: UploadItem; onDismiss: () => void }): preact.JSX.Element {
  const { item } = props;
  const percent = item.total === 0 ? 100 : Math.round((item.done / item.total) * 100);
  return (
    <li class={`carnet-Upload carnet-mod-${item.state}`} data-upload={item.name}>
      <span class="carnet-Upload-name">{item.name}</span>
      <progress
        class="carnet-Upload-bar"
        max={100}
        value={percent}
        aria-label={`Uploading ${item.name}`}
        data-percent={String(percent)}
      />
      <span class="carnet-Upload-state">
        {item.state === "error" ? "failed" : item.state === "done" ? "done" : `${percent}%`}
      </span>
      <button type="button" class="carnet-Upload-close" aria-label="Dismiss" onClick={props.onDismiss}>
        ×
      </button>
    </li>
  );
}

function itemId(index: number): string {
  return `carnet-fb-item-${index}`;
}

function hasFiles(e: DragEvent): boolean {
  return e.dataTransfer?.types.includes("Files") ?? false;
}

function hasPaths(e: DragEvent): boolean {
  return e.dataTransfer?.types.includes(DRAG_MIME) ?? false;
}

async function dropInto(ctl: FileBrowserController, e: DragEvent, dir: string): Promise<void> {
  const transfer = e.dataTransfer;
  if (transfer === null) return;
  const raw = transfer.getData(DRAG_MIME);
  if (raw !== "") {
    let paths: unknown;
    try {
      paths = JSON.parse(raw);
    } catch {
      return;
    }
    if (Array.isArray(paths)) {
      await ctl.move(
        paths.filter((p): p is string => typeof p === "string"),
        dir,
      );
    }
    return;
  }
  const files = [...transfer.files];
  if (files.length > 0) await ctl.upload(files, dir);
}
