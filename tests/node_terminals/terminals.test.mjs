// carnet's terminals through JupyterLab's own client library, as JupyterLab uses it:
// TerminalManager.startNew -> websocket -> stdin/stdout -> shutdown.
// Run by tests/node_terminals/test_node_terminals.py with CARNET_BASE_URL and CARNET_TOKEN.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { PageConfig } from '@jupyterlab/coreutils';
import { ServerConnection, TerminalManager } from '@jupyterlab/services';
import WebSocket from 'ws';

const baseUrl = process.env.CARNET_BASE_URL;
const token = process.env.CARNET_TOKEN;
const WAIT_MS = 30000;

// JupyterLab reads this from the page; carnet's API answers 404 when terminals are off.
PageConfig.setOption('terminalsAvailable', 'true');

function settings() {
  assert.ok(baseUrl, 'CARNET_BASE_URL is not set');
  return ServerConnection.makeSettings({ baseUrl, token, WebSocket, appendToken: true });
}

// TerminalManager.dispose() leaves its model poll's 10 s timer pending, which keeps Node
// alive after the tests; stopping the poll first clears it (private, hence the guards).
async function dispose(manager) {
  await manager._pollModels?.stop?.();
  manager.dispose();
}

function waitFor(predicate, what) {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const timer = setInterval(() => {
      if (predicate()) {
        clearInterval(timer);
        resolve();
      } else if (Date.now() - started > WAIT_MS) {
        clearInterval(timer);
        reject(new Error(`timed out waiting for ${what}`));
      }
    }, 10);
  });
}

test('start a terminal, echo hi, resize, shut down', async () => {
  const manager = new TerminalManager({ serverSettings: settings() });
  await manager.ready;
  assert.equal(manager.isAvailable(), true);

  const session = await manager.startNew();
  let output = '';
  session.messageReceived.connect((_, message) => {
    if (message.type === 'stdout') {
      output += message.content[0];
    }
  });
  await waitFor(() => session.connectionStatus === 'connected', 'the connection');
  assert.ok(
    [...manager.running()].some(model => model.name === session.name),
    'the new terminal is listed'
  );

  session.send({ type: 'stdin', content: ["echo h''i\r"] });
  await waitFor(() => output.includes('hi\r\n'), 'hi');

  session.send({ type: 'set_size', content: [30, 97, 600, 800] });
  session.send({ type: 'stdin', content: ["tput cols; echo CO''LS\r"] });
  await waitFor(() => output.includes('97\r\nCOLS\r\n'), 'tput cols = 97');

  const name = session.name;
  await session.shutdown();
  await manager.refreshRunning();
  assert.ok(![...manager.running()].some(model => model.name === name), 'shut down');
  await dispose(manager);
});

test('reconnecting to a running terminal replays its output', async () => {
  const manager = new TerminalManager({ serverSettings: settings() });
  await manager.ready;
  const first = await manager.startNew();
  let seen = '';
  first.messageReceived.connect((_, m) => {
    if (m.type === 'stdout') seen += m.content[0];
  });
  await waitFor(() => first.connectionStatus === 'connected', 'the connection');
  first.send({ type: 'stdin', content: ["echo kept-''output\r"] });
  await waitFor(() => seen.includes('kept-output\r\n'), 'the first output');
  first.dispose(); // closes the socket, leaves the terminal running

  const again = manager.connectTo({ model: { name: first.name } });
  let replay = '';
  again.messageReceived.connect((_, m) => {
    if (m.type === 'stdout') replay += m.content[0];
  });
  await waitFor(() => replay.includes('kept-output\r\n'), 'the scrollback');
  await manager.shutdownAll();
  assert.equal([...manager.running()].length, 0);
  again.dispose();
  await dispose(manager);
});
