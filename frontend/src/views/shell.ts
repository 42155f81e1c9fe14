/**
 * The shell: menu bar on top, a vertical tab bar of side panels on the left (file browser,
 * running, table of contents…) beside a resizable split with the dock area, and the status
 * bar at the bottom. The dock is Lumino's DockPanel: tabs can be dragged to split in any
 * direction, and splits resized; its layout is what the workspace stores.
 */
import { type ISignal, Signal as LuminoSignal } from "@lumino/signaling";
import {
  BoxLayout,
  BoxPanel,
  type DockLayout,
  DockPanel,
  FocusTracker,
  MenuBar,
  SplitPanel,
  StackedPanel,
  TabBar,
  Widget,
} from "@lumino/widgets";
import { type ReadonlySignal, signal } from "@preact/signals-core";

export type InsertMode = "tab-after" | "split-right" | "split-bottom" | "split-left" | "split-top";

export interface AddOptions {
  readonly mode?: InsertMode;
  /** Insert relative to this widget (default: the current one). */
  readonly ref?: Widget | null;
  readonly activate?: boolean;
}

export class Shell {
  readonly root: BoxPanel;
  readonly menuBar: MenuBar;
  readonly leftBar: TabBar<Widget>;
  readonly leftStack: StackedPanel;
  readonly dock: DockPanel;
  readonly split: SplitPanel;
  readonly statusBar: Widget;
  private readonly tracker = new FocusTracker<Widget>();
  private readonly _current = signal<Widget | null>(null);
  private readonly _mainWidgets = signal<readonly Widget[]>([]);
  private readonly _leftCollapsed = signal(false);
  private readonly _changed = new LuminoSignal<this, void>(this);
  private leftSize = 0.22;

  constructor() {
    this.root = new BoxPanel({ direction: "top-to-bottom", spacing: 0 });
    this.root.id = "carnet-shell";
    this.root.addClass("carnet-Shell");

    this.menuBar = new MenuBar();
    this.menuBar.id = "carnet-menubar";
    this.menuBar.addClass("carnet-MenuBar");

    this.leftBar = new TabBar<Widget>({
      orientation: "vertical",
      insertBehavior: "none",
      removeBehavior: "none",
      allowDeselect: true,
      tabsMovable: false,
    });
    this.leftBar.id = "carnet-left-tabs";
    this.leftBar.addClass("carnet-SideBar");
    this.leftBar.node.setAttribute("aria-label", "Side panels");

    this.leftStack = new StackedPanel();
    this.leftStack.id = "carnet-left-stack";
    this.leftStack.addClass("carnet-LeftStack");

    this.dock = new DockPanel({ mode: "multiple-document", tabsConstrained: false });
    this.dock.id = "carnet-main-dock";
    this.dock.addClass("carnet-Dock");
    this.dock.node.setAttribute("role", "main");

    this.split = new SplitPanel({ orientation: "horizontal", spacing: 1 });
    this.split.id = "carnet-main-split";
    this.split.addClass("carnet-MainSplit");
    this.split.addWidget(this.leftStack);
    this.split.addWidget(this.dock);
    SplitPanel.setStretch(this.leftStack, 0);
    SplitPanel.setStretch(this.dock, 1);

    const middle = new BoxPanel({ direction: "left-to-right", spacing: 0 });
    middle.id = "carnet-middle";
    middle.addWidget(this.leftBar);
    middle.addWidget(this.split);
    BoxLayout.setStretch(this.leftBar, 0);
    BoxLayout.setStretch(this.split, 1);

    this.statusBar = new Widget();
    this.statusBar.id = "carnet-statusbar";
    this.statusBar.addClass("carnet-StatusBar");
    this.statusBar.node.setAttribute("role", "contentinfo");

    this.root.addWidget(this.menuBar);
    this.root.addWidget(middle);
    this.root.addWidget(this.statusBar);
    BoxLayout.setStretch(this.menuBar, 0);
    BoxLayout.setStretch(middle, 1);
    BoxLayout.setStretch(this.statusBar, 0);

    this.leftBar.currentChanged.connect((_, args) => {
      const widget = args.currentTitle?.owner ?? null;
      if (widget === null) {
        this.setLeftCollapsed(true);
      } else {
        this.leftStack.widgets.forEach((w) => (w === widget ? w.show() : w.hide()));
        this.setLeftCollapsed(false);
        widget.activate();
      }
      this._changed.emit();
    });
    this.leftBar.tabActivateRequested.connect((_, args) => {
      args.title.owner.activate();
    });

    this.tracker.currentChanged.connect((_, args) => {
      this._current.value = args.newValue;
    });
    this.dock.layoutModified.connect(() => {
      this.syncMainWidgets();
      this._changed.emit();
    });
    this.split.handleMoved.connect(() => {
      const sizes = this.split.relativeSizes();
      if ((sizes[0] ?? 0) > 0.01) this.leftSize = sizes[0] ?? this.leftSize;
      this._changed.emit();
    });
  }

  /** Emitted when anything the workspace stores changes (layout, side panel). */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** The main-area widget that has (or last had) focus. */
  get current(): ReadonlySignal<Widget | null> {
    return this._current;
  }

  /** Every widget in the main area, in tab order. */
  get mainWidgets(): ReadonlySignal<readonly Widget[]> {
    return this._mainWidgets;
  }

  get leftCollapsed(): ReadonlySignal<boolean> {
    return this._leftCollapsed;
  }

  attach(host: HTMLElement): void {
    Widget.attach(this.root, host);
    window.addEventListener("resize", () => this.root.update());
    this.split.setRelativeSizes([this.leftSize, 1 - this.leftSize]);
  }

  addToMain(widget: Widget, options: AddOptions = {}): void {
    const ref = options.ref === undefined ? this.currentInDock() : options.ref;
    const mode = options.mode ?? "tab-after";
    this.dock.addWidget(widget, ref !== null && ref.parent !== null ? { mode, ref } : { mode });
    if (!this.tracker.has(widget)) this.tracker.add(widget);
    this.syncMainWidgets();
    if (options.activate !== false) this.dock.activateWidget(widget);
  }

  /** Replaces the dock's layout (restoring a workspace) and focuses `current`. */
  restoreMain(main: DockLayout.AreaConfig | null, current: Widget | null): void {
    this.dock.restoreLayout({ main });
    for (const w of this.dock.widgets()) {
      if (!this.tracker.has(w)) this.tracker.add(w);
    }
    this.syncMainWidgets();
    if (current !== null && current.parent !== null) this.dock.activateWidget(current);
  }

  activate(widget: Widget): void {
    this.dock.activateWidget(widget);
  }

  /** A side panel; its `title` labels the tab. */
  addToLeft(widget: Widget, rank = 100): void {
    widget.title.dataset = { ...widget.title.dataset, rank: String(rank) };
    const titles = [...this.leftBar.titles];
    const index = titles.findIndex((t) => Number(t.dataset["rank"] ?? 100) > rank);
    this.leftStack.addWidget(widget);
    widget.hide();
    this.leftBar.insertTab(index < 0 ? titles.length : index, widget.title);
    if (this.leftBar.currentTitle === null && !this._leftCollapsed.value) {
      this.leftBar.currentTitle = widget.title;
    } else if (this.leftBar.currentTitle === widget.title) {
      widget.show();
    }
  }

  /** Shows (and focuses) a side panel by widget id. */
  activateLeft(id: string): void {
    const title = this.leftBar.titles.find((t) => t.owner.id === id);
    if (title === undefined) return;
    this.leftBar.currentTitle = title;
    this.setLeftCollapsed(false);
    title.owner.show();
    title.owner.activate();
  }

  get leftCurrentId(): string | null {
    return this.leftBar.currentTitle?.owner.id ?? null;
  }

  get leftRelativeSize(): number {
    return this.leftSize;
  }

  setLeftSize(size: number): void {
    if (size > 0.02 && size < 0.9) this.leftSize = size;
    if (!this._leftCollapsed.value) this.split.setRelativeSizes([this.leftSize, 1 - this.leftSize]);
  }

  collapseLeft(): void {
    this.leftBar.currentTitle = null;
    this.setLeftCollapsed(true);
  }

  toggleLeft(): void {
    if (this._leftCollapsed.value) {
      const first = this.leftBar.titles[0];
      const id = this.lastLeft ?? first?.owner.id ?? null;
      if (id !== null) this.activateLeft(id);
    } else {
      this.collapseLeft();
    }
  }

  private lastLeft: string | null = null;

  private setLeftCollapsed(collapsed: boolean): void {
    if (collapsed) {
      if (!this.leftStack.isHidden) {
        const sizes = this.split.relativeSizes();
        if ((sizes[0] ?? 0) > 0.02) this.leftSize = sizes[0] ?? this.leftSize;
      }
      this.lastLeft = this.leftBar.currentTitle?.owner.id ?? this.lastLeft;
      this.leftStack.hide();
    } else if (this.leftStack.isHidden) {
      this.leftStack.show();
      this.split.setRelativeSizes([this.leftSize, 1 - this.leftSize]);
    }
    if (!collapsed) this.lastLeft = this.leftBar.currentTitle?.owner.id ?? this.lastLeft;
    this.root.node.classList.toggle("carnet-mod-left-collapsed", collapsed);
    this._leftCollapsed.value = collapsed;
  }

  /** The current widget if it is in the dock, else the first widget there. */
  currentInDock(): Widget | null {
    const current = this._current.value;
    if (current !== null && !current.isDisposed && current.parent !== null) return current;
    const first = this.dock.widgets().next();
    return first.done === true ? null : first.value;
  }

  /** Activates the tab `delta` steps from the current one, across all tab bars. */
  cycleTabs(delta: number): void {
    const widgets = this._mainWidgets.value;
    if (widgets.length === 0) return;
    const current = this.currentInDock();
    const index = current === null ? -1 : widgets.indexOf(current);
    const next = widgets[(index + delta + widgets.length) % widgets.length];
    if (next !== undefined) this.dock.activateWidget(next);
  }

  private syncMainWidgets(): void {
    const list = [...this.dock.widgets()];
    const prev = this._mainWidgets.value;
    if (list.length !== prev.length || list.some((w, i) => w !== prev[i])) {
      this._mainWidgets.value = list;
    }
    if (list.length === 0) {
      this._current.value = null;
    }
  }
}
