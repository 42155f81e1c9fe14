// JupyterLab's own client library (@jupyterlab/services) driving a running carnet.
//
// Run by tests/api/test_kernels_node.py, which starts carnet and passes CARNET_URL and
// CARNET_TOKEN. Every call below is what JupyterLab itself does when a user opens a
// notebook and works in it: no request is hand-made.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
  KernelManager,
  KernelSpecAPI,
  KernelSpecManager,
  ServerConnection,
  SessionAPI,
  SessionManager
} from '@jupyterlab/services';
import WebSocket from 'ws';

const baseUrl = process.env.CARNET_URL;
const token = process.env.CARNET_TOKEN;
assert.ok(baseUrl, 'CARNET_URL must be set');

const serverSettings = ServerConnection.makeSettings({
  baseUrl,
  wsUrl: baseUrl.replace(/^http/, 'ws'),
  token,
  appendToken: true,
  WebSocket,
  fetch: globalThis.fetch,
  Request: globalThis.Request,
  Headers: globalThis.Headers,
  init: {}
});

const TIMEOUT = { timeout: 120_000 };
const V1 = 'v1.kernel.websocket.jupyter.org';

let kernelManager;
let sessionManager;
let session;

before(async () => {
  kernelManager = new KernelManager({ serverSettings });
  sessionManager = new SessionManager({ kernelManager, serverSettings });
  await sessionManager.ready;
});

after(async () => {
  // A disposed lumino Poll leaves its last 10 s timer armed; stopping it first lets Node
  // exit at once instead of idling until the timers fire.
  for (const manager of [sessionManager, kernelManager]) {
    await manager?._pollModels?.stop();
    manager?.dispose();
  }
});

/** The bytes of a message buffer (a DataView or an ArrayBuffer). */
function bytes(buffer) {
  return ArrayBuffer.isView(buffer)
    ? Array.from(new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength))
    : Array.from(new Uint8Array(buffer));
}

/** Run code; collect IOPub messages by type and the reply. */
async function run(kernel, code, options = {}) {
  const future = kernel.requestExecute({ code, ...options });
  const iopub = [];
  future.onIOPub = msg => {
    iopub.push(msg);
  };
  const reply = await future.done;
  const ofType = type => iopub.filter(m => m.header.msg_type === type);
  const stream = name =>
    ofType('stream')
      .filter(m => m.content.name === name)
      .map(m => m.content.text)
      .join('');
  return { reply, iopub, ofType, stream };
}

test('lists the kernelspecs', TIMEOUT, async () => {
  const specs = await KernelSpecAPI.getSpecs(serverSettings);
  assert.equal(specs.default, 'python3');
  assert.ok(specs.kernelspecs.python3);
  assert.ok(specs.kernelspecs.bash, 'bash_kernel is installed for this test');
  assert.equal(specs.kernelspecs.python3.language, 'python');
  assert.match(specs.kernelspecs.python3.resources['logo-64x64'], /kernelspecs\/python3\//);

  const manager = new KernelSpecManager({ serverSettings });
  await manager.ready;
  assert.equal(manager.specs.default, 'python3');
  manager.dispose();
});

test('starts a session for a notebook', TIMEOUT, async () => {
  session = await sessionManager.startNew({
    path: 'notebooks/demo.ipynb',
    type: 'notebook',
    name: 'demo.ipynb',
    kernel: { name: 'python3' }
  });
  assert.equal(session.path, 'notebooks/demo.ipynb');
  assert.equal(session.type, 'notebook');
  const kernel = session.kernel;
  assert.ok(kernel);
  assert.equal(kernel.name, 'python3');
  const info = await kernel.info;
  assert.equal(info.language_info.name, 'python');
  // carnet prefers the v1 wire protocol when the client offers it (JupyterLab does).
  assert.equal(kernel._selectedProtocol, V1);
  assert.equal(kernel.connectionStatus, 'connected');

  // Opening the same notebook again gives the same session (and 201, which the client wants).
  const again = await SessionAPI.startSession(
    {
      path: 'notebooks/demo.ipynb',
      type: 'notebook',
      name: 'demo.ipynb',
      kernel: { name: 'python3' }
    },
    serverSettings
  );
  assert.equal(again.id, session.id);
  const running = await SessionAPI.listRunning(serverSettings);
  assert.deepEqual(
    running.map(s => s.id),
    [session.id]
  );
});

test('executes and reads every kind of output', TIMEOUT, async () => {
  const kernel = session.kernel;
  const ok = await run(kernel, "import os\nprint('hello'); print(os.getcwd())\n6 * 7");
  assert.equal(ok.reply.content.status, 'ok');
  assert.ok(ok.stream('stdout').startsWith('hello\n'));
  assert.ok(ok.stream('stdout').trim().endsWith('notebooks'));
  assert.equal(ok.ofType('execute_result')[0].content.data['text/plain'], '42');

  const err = await run(kernel, '1 / 0');
  assert.equal(err.reply.content.status, 'error');
  assert.equal(err.ofType('error')[0].content.ename, 'ZeroDivisionError');

  const shown = await run(
    kernel,
    "from IPython.display import HTML, display\ndisplay(HTML('<b>bold</b>'))"
  );
  assert.equal(shown.ofType('display_data')[0].content.data['text/html'], '<b>bold</b>');

  const stderr = await run(kernel, "import sys; print('oops', file=sys.stderr)");
  assert.equal(stderr.stream('stderr'), 'oops\n');

  // Binary buffers travel too (widgets use them), via a comm the kernel opens.
  kernel.registerCommTarget('carnet-test', (comm, msg) => {
    comm.onMsg = reply => {
      received.push(reply);
    };
    opened.push(msg);
  });
  const opened = [];
  const received = [];
  await run(
    kernel,
    "from comm import create_comm\n" +
      "_c = create_comm(target_name='carnet-test', data={'hi': 1})\n" +
      "_c.send({'n': 2}, buffers=[b'\\x00\\x01\\x02'])"
  );
  assert.equal(opened.length, 1);
  assert.deepEqual(opened[0].content.data, { hi: 1 });
  assert.equal(received.length, 1);
  assert.deepEqual(received[0].content.data, { n: 2 });
  assert.deepEqual(bytes(received[0].buffers[0]), [0, 1, 2]);
});

test('completes and inspects', TIMEOUT, async () => {
  const kernel = session.kernel;
  // IPython's own completer answers at once; jedi would take seconds to warm up here.
  await run(kernel, 'carnet_value = 1\nget_ipython().Completer.use_jedi = False');
  const completion = await kernel.requestComplete({ code: 'carnet_va', cursor_pos: 9 });
  assert.equal(completion.content.status, 'ok');
  assert.ok(completion.content.matches.includes('carnet_value'));
  const inspection = await kernel.requestInspect({ code: 'len', cursor_pos: 3, detail_level: 0 });
  assert.equal(inspection.content.status, 'ok');
  assert.equal(inspection.content.found, true);
  assert.match(inspection.content.data['text/plain'], /Return the number of items/);
});

test('interrupts a sleep', TIMEOUT, async () => {
  const kernel = session.kernel;
  const future = kernel.requestExecute({
    code: "import time\nprint('zz', flush=True)\ntime.sleep(120)"
  });
  await new Promise(resolve => {
    future.onIOPub = msg => {
      if (msg.header.msg_type === 'stream') {
        resolve();
      }
    };
  });
  await kernel.interrupt();
  const reply = await future.done;
  assert.equal(reply.content.status, 'error');
  assert.equal(reply.content.ename, 'KeyboardInterrupt');
});

test('restarts', TIMEOUT, async () => {
  const kernel = session.kernel;
  await run(kernel, 'before_restart = 1');
  await kernel.restart();
  await kernel.info;
  const after = await run(kernel, "'before_restart' in dir()");
  assert.equal(after.ofType('execute_result')[0].content.data['text/plain'], 'False');
  assert.equal(after.reply.content.execution_count, 1);
  assert.equal(kernel.id, session.kernel.id);
});

test('shuts down', TIMEOUT, async () => {
  const kernelId = session.kernel.id;
  await session.shutdown();
  const sessions = await SessionAPI.listRunning(serverSettings);
  assert.deepEqual(sessions, []);
  const response = await ServerConnection.makeRequest(
    `${baseUrl}api/kernels/${kernelId}`,
    {},
    serverSettings
  );
  assert.equal(response.status, 404);
});
