// Starting and stopping `gridgate sandbox` for the e2e scripts: a temp directory, four free
// loopback ports, the readiness line awaited with a deadline, the demo users read from the
// sandbox's demo-users.txt, SIGTERM at the end (its exit code checked by the caller).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function arg(name) {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
}

// A port below the kernel's ephemeral range (where every outgoing connection takes its local
// port, so one found by listening on port 0 may be gone before the sandbox binds it), at random,
// never the same twice in this script, and free now (tests/net/free_port.cc does the same).
const givenPorts = new Set();

function ephemeralLow() {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return low > 0 ? low : 32768;
  } catch {
    return 32768;
  }
}

function listensNow(port) {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

async function freePort() {
  const first = 10000;
  const low = ephemeralLow();
  for (let attempt = 0; attempt < 1000; ++attempt) {
    const port = low - first >= 1000 ? first + Math.floor(Math.random() * (low - first)) : 0;
    if (port !== 0 && (givenPorts.has(port) || !(await listensNow(port)))) continue;
    if (port === 0) break;
    givenPorts.add(port);
    return port;
  }
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function freePorts(n) {
  const ports = [];
  while (ports.length < n) ports.push(await freePort());
  return ports;
}

export async function startSandbox(gridgate, { timeoutMs = 60000 } = {}) {
  const root = mkdtempSync(join(tmpdir(), 'gridgate-sandbox-e2e-'));
  const dir = join(root, 'sb');
  const [pub, mtls, resource, demo] = await freePorts(4);
  const proc = spawn(gridgate, ['sandbox', '--dir', dir, '--ports', `${pub},${mtls},${resource},${demo}`], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  proc.stdout.on('data', (d) => (output += d));
  proc.stderr.on('data', (d) => (output += d));
  const exited = new Promise((resolve) => proc.once('exit', (code, signal) => resolve(code ?? signal)));
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`sandbox not ready in ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const poll = setInterval(() => {
      if (output.includes('gridgate sandbox: ready\n')) {
        clearTimeout(timer);
        clearInterval(poll);
        resolve();
      }
    }, 20);
    exited.then((code) => {
      clearTimeout(timer);
      clearInterval(poll);
      reject(new Error(`sandbox exited (${code}) before it was ready:\n${output}`));
    });
  });
  const users = {};
  for (const line of readFileSync(join(dir, 'demo-users.txt'), 'utf8').split('\n')) {
    const i = line.indexOf(' ');
    if (i > 0) users[line.slice(0, i)] = line.slice(i + 1);
  }
  const pki = join(dir, 'pki');
  return {
    dir,
    output: () => output,
    users,
    issuer: `https://localhost:${pub}`,
    mtls: `https://localhost:${mtls}`,
    resource: `https://localhost:${resource}`,
    demo: `https://localhost:${demo}`,
    redirectUri: `https://localhost:${demo}/callback`,
    files: {
      serverCa: join(pki, 'server-ca.pem'),
      signingCa: join(pki, 'signing-ca.pem'),
      demoBundle: join(pki, 'client-demo-bundle.pem'),
      demoKey: join(pki, 'client-demo-key.pem'),
      otherBundle: join(pki, 'client-other-bundle.pem'),
      otherKey: join(pki, 'client-other-key.pem'),
    },
    // SIGTERM; resolves with the exit code (0 is a clean stop).
    async stop() {
      proc.kill('SIGTERM');
      const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('timeout'), 20000))]);
      if (code === 'timeout') proc.kill('SIGKILL');
      rmSync(root, { recursive: true, force: true });
      return code;
    },
  };
}

// Checks in the style of authz_ui.mjs: each named, all run, the exit status says if any failed.
export function checker() {
  const results = [];
  return {
    async check(name, fn) {
      try {
        await fn();
        results.push([name, true]);
        console.log(`ok   ${name}`);
      } catch (e) {
        results.push([name, false]);
        console.log(`FAIL ${name}: ${e.stack ?? e}`);
      }
    },
    failed: () => results.filter(([, ok]) => !ok).length,
    count: () => results.length,
  };
}

export function assert(cond, message) {
  if (!cond) throw new Error(message);
}
