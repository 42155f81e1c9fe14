/**
 * Under JupyterHub (`carnet singleuser`): File > Hub Control Panel, as in JupyterLab, from
 * `GET api/hub` (`{}` when carnet runs on its own: then nothing is added). Log Out already
 * leads to the hub's logout, since the server's /logout redirects there in that mode.
 */
import { isRecord, requestJson } from "../api";
import { CommandIds as C } from "../commands/ids";
import type { CarnetApp, CarnetPlugin } from "../plugins/api";

export interface HubInfo {
  readonly hubUser: string;
  readonly controlPanelUrl: string;
}

export function parseHubInfo(body: unknown): HubInfo | null {
  if (!isRecord(body)) return null;
  const panel = body["controlPanelUrl"];
  const user = body["hubUser"];
  if (typeof panel !== "string" || panel === "" || typeof user !== "string") return null;
  return { hubUser: user, controlPanelUrl: panel };
}

export const hubPlugin: CarnetPlugin = {
  id: "@carnet/hub-extension:menu",
  activate(app: CarnetApp) {
    // Not awaited: the page does not wait for this answer to become usable.
    requestJson(app.conn, "api/hub").then(
      (body) => {
        const info = parseHubInfo(body);
        if (info !== null) addHubCommands(app, info); // `{}`: carnet runs on its own
      },
      () => undefined, // a server without /api/hub: nothing to add
    );
  },
};

function addHubCommands(app: CarnetApp, info: HubInfo): void {
  const panel = info.controlPanelUrl;
  app.commands.addCommand(C.hubControlPanel, {
    label: "Hub Control Panel",
    caption: `JupyterHub: start, stop and manage the servers of ${info.hubUser}`,
    execute: () => {
      window.open(panel, "_blank", "noopener");
    },
  });
  app.menus.items.add({ id: "file:hub", menu: "file", command: C.hubControlPanel, group: 9, rank: -1 });
  app.palette.add({ id: `palette:${C.hubControlPanel}`, command: C.hubControlPanel, category: "Hub" });
}
