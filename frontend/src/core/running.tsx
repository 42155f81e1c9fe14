/**
 * The "Running" side panel: open documents (activate, close), then one section per running
 * provider (`app.running`): kernels here, terminals from the terminal plugin, each listed
 * with its state and shut down one by one or all at once. Providers are asked again when the
 * panel is shown and every few seconds while it is visible.
 */
import type { Message } from "@lumino/messaging";
import { Widget } from "@lumino/widgets";
import "@preact/signals";
import { signal } from "@preact/signals-core";
import { render } from "preact";
import {
  type KernelModel,
  type SessionModel,
  getStatus,
  listKernelSpecs,
  listKernels,
  listSessions,
  shutdownKernel,
} from "../api";
import { CommandIds as C } from "../commands/ids";
import type { CarnetApp, CarnetPlugin, RunningItem, RunningProvider } from "../plugins/api";
import { confirm } from "../views/dialogs";
import { describeError } from "../views/notify";

const POLL_MS = 5000;

class RunningPanel extends Widget {
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
        {this.app.running.all().map((provider) => (
          <ProviderSection key={provider.id} provider={provider} app={this.app} />
        ))}
      </div>
    );
  };

  private poll(): void {
    if (document.hidden || !this.isVisible) return;
    for (const provider of this.app.running.all()) {
      // A failed poll keeps the last list; the next one tries again.
      provider.refresh().catch(() => undefined);
    }
  }

  protected override onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this.poll();
    this.timer = setInterval(() => this.poll(), POLL_MS);
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

function ProviderSection(props: { provider: RunningProvider; app: CarnetApp }): preact.JSX.Element | null {
  const { provider, app } = props;
  const items = provider.items.value;
  if (items === null) return null;
  const kind = provider.label.toLowerCase();
  const run = (action: () => Promise<void>, what: string): void => {
    action()
      .catch((error: unknown) => app.notify(`Could not shut down ${what}: ${describeError(error)}`, "error"))
      .finally(() => void provider.refresh().catch(() => undefined));
  };
  const shutdownAll = async (): Promise<void> => {
    const ok = await confirm(
      `Shut Down All ${provider.label}?`,
      `Every running ${kind.replace(/s$/, "")} stops, with whatever it is doing.`,
      "Shut Down All",
      true,
    );
    if (ok) run(() => provider.shutdownAll(), `all ${kind}`);
  };
  return (
    <section class="carnet-Running-section" data-running={provider.id} aria-label={provider.label}>
      <div class="carnet-Running-header">
        <h2 class="carnet-SidePanel-title">{provider.label}</h2>
        {items.length > 0 && (
          <button type="button" class="carnet-Button carnet-mod-small" onClick={() => void shutdownAll()}>
            Shut Down All
          </button>
        )}
      </div>
      <ul class="carnet-Running-list" aria-label={provider.label}>
        {items.length === 0 && <li class="carnet-Running-empty">{provider.empty}</li>}
        {items.map((item) => (
          <RunningRow key={item.id} item={item} provider={provider} onShutdown={() => run(() => provider.shutdown(item.id), item.label)} />
        ))}
      </ul>
    </section>
  );
}

function RunningRow(props: { item: RunningItem; provider: RunningProvider; onShutdown: () => void }): preact.JSX.Element {
  const { item, provider } = props;
  const open = provider.open;
  return (
    <li class="carnet-Running-item" data-id={item.id} title={item.caption}>
      {open === undefined ? (
        <span class="carnet-Running-label">{item.label}</span>
      ) : (
        <button type="button" class="carnet-Running-open" onClick={() => open(item.id)}>
          {item.label}
        </button>
      )}
      {item.detail !== undefined && item.detail !== "" && <span class="carnet-Running-detail">{item.detail}</span>}
      <button type="button" class="carnet-Running-close" aria-label={`Shut down ${item.label}`} title="Shut down" onClick={props.onShutdown}>
        ×
      </button>
    </li>
  );
}

/**
 * The server's kernels (`/api/kernels`), named by their document (`/api/sessions`) or their
 * kernelspec's display name. Asks only when `/api/status` counts some.
 */
function kernelsProvider(app: CarnetApp): RunningProvider {
  const items = signal<readonly RunningItem[] | null>([]);
  let displayNames: Promise<Map<string, string>> | null = null;
  const toItem = (k: KernelModel, names: Map<string, string>, sessions: readonly SessionModel[]): RunningItem => {
    const kernelName = names.get(k.name) ?? (k.name === "" ? "Kernel" : k.name);
    const session = sessions.find((s) => s.kernelId === k.id);
    const label = session === undefined || session.path === "" ? kernelName : (session.path.split("/").pop() ?? session.path);
    return {
      id: k.id,
      label,
      detail: k.executionState,
      caption: `${kernelName} kernel ${k.id}${session === undefined ? "" : ` for ${session.path}`}`,
    };
  };
  const refresh = async (): Promise<void> => {
    // /api/status counts kernels: no need to ask for the list (or a missing service) while there are none.
    const status = await getStatus(app.conn);
    if (status.kernels === 0) {
      items.value = [];
      return;
    }
    displayNames ??= listKernelSpecs(app.conn)
      .then((specs) => new Map(specs.specs.map((s) => [s.name, s.displayName])))
      .catch(() => new Map<string, string>());
    const [kernels, sessions, names] = await Promise.all([
      listKernels(app.conn),
      listSessions(app.conn).catch(() => []),
      displayNames,
    ]);
    items.value = kernels === null ? [] : kernels.map((k) => toItem(k, names, sessions));
  };
  const shutdown = async (id: string): Promise<void> => {
    await shutdownKernel(app.conn, id);
    items.value = (items.peek() ?? []).filter((i) => i.id !== id);
  };
  return {
    id: "kernels",
    label: "Kernels",
    empty: "No kernels are running.",
    rank: 10,
    items,
    refresh,
    shutdown,
    shutdownAll: async () => {
      await Promise.all((items.peek() ?? []).map((i) => shutdown(i.id)));
    },
  };
}

export const runningPlugin: CarnetPlugin = {
  id: "@carnet/running-extension:plugin",
  activate(app: CarnetApp) {
    app.panels.add({ id: "running", rank: 20, create: () => new RunningPanel(app) });
    app.running.add(kernelsProvider(app));
    app.commands.addCommand(C.showRunning, {
      label: "Running Terminals and Kernels",
      execute: () => app.shell.activateLeft("running"),
    });
    app.menus.items.add({ id: "view:running", menu: "view", command: C.showRunning, group: 1, rank: 1 });
    app.palette.add({ id: "palette:running", command: C.showRunning, category: "Main Area" });
  },
};
