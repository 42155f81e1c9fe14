/** The REST client's public surface: import from here, not from the modules behind it. */
export {
  ApiError,
  type Connection,
  type RequestOptions,
  apiUrl,
  isRecord,
  requestJson,
} from "./client";
export {
  type ContentsEntry,
  type ContentsFormat,
  type ContentsModel,
  type ContentsType,
  type GetOptions,
  type SaveBody,
  copyInto,
  createUntitled,
  deletePath,
  encodePath,
  filesUrl,
  getModel,
  listDirectory,
  renamePath,
  saveModel,
} from "./contents";
export { type KernelModel, listKernels, shutdownKernel } from "./kernels";
export { type KernelSpec, type KernelSpecs, listKernelSpecs } from "./kernelspecs";
export { type ServerStatus, getStatus, getVersion } from "./server";
export { type SessionModel, listSessions } from "./sessions";
export {
  type ServerMessage,
  parseServerMessage,
  setSizeMessage,
  stdinMessage,
} from "./terminado";
export {
  RECONNECT_DELAYS_MS,
  TerminalSocket,
  type TerminalSocketHandlers,
  type TerminalSocketState,
} from "./terminal-socket";
export {
  type TerminalModel,
  createTerminal,
  listTerminals,
  shutdownTerminal,
  terminalSocketUrl,
} from "./terminals";
export {
  CHUNK_SIZE,
  type ChunkSpec,
  LARGE_FILE_SIZE,
  blobToBase64,
  chunkPlan,
  uploadFile,
} from "./upload";
export {
  type Workspace,
  getWorkspace,
  listSettings,
  saveSettings,
  saveWorkspace,
} from "./workspaces";
export { XSRF_COOKIE, XSRF_HEADER, readCookie, xsrfHeaders } from "./xsrf";
