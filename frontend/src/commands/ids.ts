/**
 * Command ids, named like JupyterLab's where the action is the same (so users' muscle memory
 * and saved shortcuts carry over). Every user action is one of these commands.
 */
export const CommandIds = {
  // application / shell
  palette: "apputils:activate-command-palette",
  toggleLeft: "application:toggle-left-area",
  showFileBrowser: "filebrowser:activate",
  showRunning: "running:activate",
  showToc: "toc:activate",
  tocRunSection: "toc:run-cells",
  closeTab: "application:close",
  closeAll: "application:close-all",
  closeOthers: "application:close-other-tabs",
  nextTab: "application:activate-next-tab",
  prevTab: "application:activate-previous-tab",
  splitRight: "application:split-right",
  splitDown: "application:split-down",
  simpleMode: "application:toggle-mode",
  resetLayout: "application:reset-layout",
  logout: "application:logout",
  hubControlPanel: "hub:control-panel",
  // documents
  save: "docmanager:save",
  saveAll: "docmanager:save-all",
  revert: "docmanager:reload",
  openPath: "docmanager:open",
  openWith: "docmanager:open-with",
  // file browser
  newFile: "filebrowser:create-new-file",
  newMarkdown: "filebrowser:create-new-markdown-file",
  newPython: "filebrowser:create-new-python-file",
  newFolder: "filebrowser:create-new-directory",
  newNotebook: "notebook:create-new",
  open: "filebrowser:open",
  rename: "filebrowser:rename",
  del: "filebrowser:delete",
  cut: "filebrowser:cut",
  copy: "filebrowser:copy",
  paste: "filebrowser:paste",
  duplicate: "filebrowser:duplicate",
  download: "filebrowser:download",
  upload: "filebrowser:upload",
  refresh: "filebrowser:refresh",
  toggleHidden: "filebrowser:toggle-hidden-files",
  copyPath: "filebrowser:copy-path",
  goUp: "filebrowser:go-up",
  goToPath: "filebrowser:go-to-path",
  selectAll: "filebrowser:select-all",
  sortByName: "filebrowser:sort-name",
  sortByModified: "filebrowser:sort-modified",
  sortBySize: "filebrowser:sort-size",
  // editor
  find: "fileeditor:find",
  replace: "fileeditor:replace",
  goToLine: "fileeditor:go-to-line",
  undo: "fileeditor:undo",
  redo: "fileeditor:redo",
  markdownPreview: "fileeditor:markdown-preview",
  // settings
  openSettings: "settingeditor:open",
  openShortcuts: "shortcuts:open",
  setTheme: "apputils:change-theme",
  fontUp: "apputils:increase-font-size",
  fontDown: "apputils:decrease-font-size",
  // kernels and running (documents and kernels arrive with notebooks)
  runSelected: "runmenu:run",
  runAll: "runmenu:run-all",
  interruptKernel: "kernelmenu:interrupt",
  restartKernel: "kernelmenu:restart",
  // terminals
  newTerminal: "terminal:create-new",
  openTerminal: "terminal:open",
  terminalCopy: "terminal:copy",
  terminalPaste: "terminal:paste",
  terminalSelectAll: "terminal:select-all",
  terminalFind: "terminal:find",
  terminalShutdown: "terminal:shut-down",
  // code consoles
  newConsole: "console:create",
  consoleClear: "console:clear",
  consoleForEditor: "fileeditor:create-console",
  runInConsole: "fileeditor:run-code",
  // help
  about: "help:about",
} as const;

export type CommandId = (typeof CommandIds)[keyof typeof CommandIds];
