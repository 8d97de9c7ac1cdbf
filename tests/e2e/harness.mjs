// Shared pieces of Hearth's browser tests: a static server for dist/, headless Chromium through
// playwright-core, axe-core, and helpers that read the player's event log.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const DIST = path.join(ROOT, 'dist');

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.webp': 'image/webp',
  '.mp3': 'audio/mpeg', '.mp4': 'video/mp4', '.vtt': 'text/vtt', '.ico': 'image/x-icon',
};

/** Test pages that play the LMS around the player (SCORM hosts), served under /hosts/. */
export const HOSTS = path.join(ROOT, 'tests/e2e/hosts');

export const MOUNTS = { '/hosts/': HOSTS, '/lms/': path.join(ROOT, 'tests/e2e/node_modules/scorm-again/dist') };

/**
 * Serves `dir` on 127.0.0.1 at a free port, plus `mounts` (URL prefix → folder). `types`
 * overrides content types by extension (an LMS that serves `.wasm` wrongly, say). Resolves to
 * { url, close }.
 */
export function serve(dir = DIST, mounts = MOUNTS, types = {}) {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    const mount = Object.keys(mounts).find((m) => url.pathname.startsWith(m));
    const root = mount ? mounts[mount] : dir;
    const rel = mount ? url.pathname.slice(mount.length) : url.pathname;
    let file = path.normalize(path.join(root, decodeURIComponent(rel)));
    if (!file.startsWith(root)) { res.writeHead(403).end(); return; }
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
    fs.readFile(file, (err, data) => {
      if (err) { res.writeHead(404).end('not found'); return; }
      const ext = path.extname(file);
      res.writeHead(200, { 'content-type': types[ext] ?? TYPES[ext] ?? 'application/octet-stream', 'cache-control': 'no-store' });
      res.end(data);
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    const { port } = server.address();
    resolve({ url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => { server.close(r); server.closeAllConnections(); }) });
  }));
}

export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--disable-quic', '--disable-dev-shm-usage',
];

/** A fresh persistent browser context (its own profile, so localStorage survives reloads). */
export async function browser() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-e2e-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS,
    viewport: { width: 420, height: 860 },
  });
  context.setDefaultTimeout(5000);
  return { context, close: async () => { await context.close(); fs.rmSync(dir, { recursive: true, force: true }); } };
}

/** Fails the test on any console error or page error. */
export function watchErrors(page) {
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  return errors;
}

/** Runs axe-core with the WCAG 2.x A/AA rules and returns the violations. */
export async function axe(page) {
  await page.addScriptTag({ path: path.join(ROOT, 'tests/e2e/node_modules/axe-core/axe.min.js') });
  return page.evaluate(async () => {
    const r = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')) }));
  });
}
