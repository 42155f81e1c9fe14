/**
 * The "Running" side panel: open documents (activate, close), and the server's kernels and
 * terminals (polled while the panel is visible; empty lists until those services exist).
 */
import type { Message } from "@lumino/messaging";
import { Widget } from "@lumino/widgets";
import "@preact/signals";
import { signal } from "@preact/signals-core";
import { render } from "preact";
import { ApiError, getStatus, isRecord, requestJson } from "../api";
import { CommandIds as C } from "../commands/ids";
import type { CarnetApp, CarnetPlugin } from "../plugins/api";

interface Session {
  readonly id: string;
  readonly label: string;
  readonly detail: string;
}

/** The sessions at `url`; null when the server has no such service (404: not asked again). */
async function list(app: CarnetApp, url: string, label: (item: Record<string, unknown>) => Session | null): Promise<Session[] | null> {
  try {
    const body = await requestJson(app.conn, url);
    return Array.isArray(body)
      ? (body as unknown[]).flatMap((item) => (isRecord(item) ? [label(item)].filter((s): s is Session => s !== null) : []))
      : [];
  } catch (error: unknown) {
    if (error instanceof ApiError && (error.status === 404 || error.status === 501)) return null;
    throw error;
  }
}

class RunningPanel extends Widget {
  private readonly kernels = signal<readonly Session[]>([]);
  private readonly terminals = signal<readonly Session[]>([]);
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(private readonly app: CarnetApp) {
    super();
    this.id = "running";
    this.addClass("carnet-SidePanel");
    this.title.label = "Running";
    this.title.caption = "Open documents, kernels and terminals";
    render(<this.View />, this.node);
  }

  private readonly View = (): preact.JSX.Element => {
    const docs = this.app.docs.documents.value;
    return (
      <div class="carnet-Running">
        <h2 class="carnet-SidePanel-title">Open documents</h2>
        <ul class="carnet-Running-list" aria-label="Open documents">
          {docs.length === 0 && <li class="carnet-Running-empty">No open documents.</li>}
          {docs.map((doc) => (
            <li key={doc.id} class="carnet-Running-item">
              <button type="button" class="carnet-Running-open" title={doc.path.value} onClick={() => this.app.shell.activate(doc)}>
                {doc.title.label}
                {doc.dirty.value ? " ●" : ""}
              </button>
              <button type="button" class="carnet-Running-close" aria-label={`Close ${doc.title.label}`} onClick={() => doc.close()}>
                ×
              </button>
            </li>
          ))}
        </ul>
        <h2 class="carnet-SidePanel-title">Kernels</h2>
        <SessionList items={this.kernels.value} empty="No kernels are running." />
        <h2 class="carnet-SidePanel-title">Terminals</h2>
        <SessionList items={this.terminals.value} empty="No terminals are running." />
      </div>
    );
  };

  private terminalsMissing = false;

  private async poll(): Promise<void> {
    if (document.hidden || !this.isVisible) return;
    try {
      // /api/status counts kernels: no need to ask for the list while there are none.
      const status = await getStatus(this.app.conn);
      this.kernels.value =
        status.kernels === 0
          ? []
          : ((await list(this.app, "api/kernels", (k) =>
              typeof k["id"] === "string"
                ? { id: k["id"], label: String(k["name"] ?? "kernel"), detail: String(k["execution_state"] ?? "") }
                : null,
            )) ?? []);
      if (!this.terminalsMissing) {
        const terminals = await list(this.app, "api/terminals", (t) =>
          typeof t["name"] === "string" ? { id: t["name"], label: `Terminal ${t["name"]}`, detail: "" } : null,
        );
        if (terminals === null) this.terminalsMissing = true;
        this.terminals.value = terminals ?? [];
      }
    } catch {
      // Shown as empty lists; the next poll tries again.
    }
  }

  protected override onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    void this.poll();
    this.timer = setInterval(() => void this.poll(), 10000);
  }

  protected override onBeforeHide(msg: Message): void {
    super.onBeforeHide(msg);
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  protected override onActivateRequest(msg: Message): void {
    super.onActivateRequest(msg);
    this.node.querySelector<HTMLElement>("button")?.focus();
  }
}

function SessionList(props: { items: readonly Session[]; empty: string }): preact.JSX.Element {
  return (
    <ul class="carnet-Running-list">
      {props.items.length === 0 && <li class="carnet-Running-empty">{props.empty}</li>}
      {props.items.map((s) => (
        <li key={s.id} class="carnet-Running-item">
          <span>{s.label}</span> <span class="carnet-Running-detail">{s.detail}</span>
        </li>
      ))}
    </ul>
  );
}

export const runningPlugin: CarnetPlugin = {
  id: "@carnet/running-extension:plugin",
  activate(app: CarnetApp) {
    app.panels.add({ id: "running", rank: 20, create: () => new RunningPanel(app) });
    app.commands.addCommand(C.showRunning, {
      label: "Running Documents and Kernels",
      execute: () => app.shell.activateLeft("running"),
    });
    app.menus.items.add({ id: "view:running", menu: "view", command: C.showRunning, group: 1, rank: 1 });
    app.palette.add({ id: "palette:running", command: C.showRunning, category: "Main Area" });
  },
};
