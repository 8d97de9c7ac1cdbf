// `cargo xtask bench load`: how long a learner on a phone waits from Play to the first decision,
// on a first launch (cold: a new browser profile) and on a second one (warm: the same profile),
// and how many bytes go over the network. The table goes into docs/size.md.
//
// The phone: Chromium's CPU throttled 4× and the page's network at 1.6 Mbit/s down, 750 kbit/s up
// (CDP Emulation.setCPUThrottlingRate, Network.emulateNetworkConditions). The 150 ms round trip
// is added by a small proxy (Chromium's --proxy-server, passing the bytes through to `hearth
// serve` as they are) instead, 75 ms each way, because
// CDP's emulation applies to the page, not to its service worker's own fetches; the proxy also
// counts every byte the server sends (headers included), whoever asked for it.
//
// Environment: HEARTH (the binary), DIST (the player builds), RUNS (5), MODULE (first-week),
// TRACE=1 (each launch's requests, from the AU page's start).
import net from 'node:net';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import readline from 'node:readline';
import { chromium } from 'playwright-core';
import { ROOT, CHROMIUM_ARGS } from './harness.mjs';

const HEARTH = process.env.HEARTH ?? path.join(process.env.CARGO_TARGET_DIR ?? path.join(ROOT, 'target'), 'debug/hearth');
const DIST = process.env.DIST ?? path.join(ROOT, 'dist');
const RUNS = Number(process.env.RUNS ?? 5);
const MODULE = process.env.MODULE ?? 'first-week';
const ONE_WAY_MS = 75;

async function hearthServe() {
  const data = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-bench-load-'));
  const proc = spawn(HEARTH, ['serve', path.join(ROOT, 'examples'), '--listen', '127.0.0.1:0', '--data', data, '--player', DIST], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const lines = readline.createInterface({ input: proc.stderr });
  const base = await new Promise((resolve, reject) => {
    lines.on('line', (l) => { const m = l.match(/^Hearth is at http:\/\/([^/ ]+)/); if (m) resolve(m[1]); });
    proc.on('exit', (code) => reject(new Error(`hearth serve exited with ${code}`)));
  });
  return { base, stop: () => { proc.kill(); fs.rmSync(data, { recursive: true, force: true }); } };
}

/** A TCP proxy adding ONE_WAY_MS each way and counting the bytes the server sends. */
function proxy(target) {
  const [host, port] = target.split(':');
  const counter = { bytes: 0 };
  const delayed = (to, count) => (chunk) => {
    if (count) counter.bytes += chunk.length;
    setTimeout(() => { if (!to.destroyed) to.write(chunk); }, ONE_WAY_MS);
  };
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(port), host);
    client.on('data', delayed(upstream, false));
    upstream.on('data', delayed(client, true));
    const end = (s) => () => setTimeout(() => s.destroy(), ONE_WAY_MS + 5);
    client.on('close', end(upstream));
    upstream.on('close', end(client));
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    url: `http://127.0.0.1:${server.address().port}`, counter, close: () => server.close(),
  })));
}

/** Play on the catalogue → the first decision usable (past the start screen). */
async function launch(page, base, counter) {
  await page.goto(`${base}/`);
  const before = counter.bytes;
  const t0 = performance.now();
  await page.click(`section[data-module="${MODULE}"] button[type="submit"]`);
  const start = page.locator('[data-action="start"], [data-action="resume"], [data-action="continue-saved"]').first();
  await start.waitFor({ state: 'visible', timeout: 60000 });
  await start.click({ timeout: 60000 });
  await page.locator('[data-choice], [data-action="continue"]').first().waitFor({ state: 'visible', timeout: 60000 });
  const ms = performance.now() - t0;
  if (process.env.TRACE) {
    // Where the time went: each request of the AU page, from the page's start.
    const t = await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0];
      return [`page ${Math.round(nav.responseEnd)} (${nav.deliveryType || 'network'})`,
        ...performance.getEntriesByType('resource').map((e) =>
          `${Math.round(e.startTime)}–${Math.round(e.responseEnd)} ${e.transferSize}B ${e.name.replace(location.origin, '').slice(0, 70)}`)];
    });
    console.error(`  ${t.join('\n  ')}`);
  }
  // What is still arriving for this launch (the service worker's own copies, statements).
  await page.waitForTimeout(1500);
  return { ms, bytes: counter.bytes - before };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const srv = await hearthServe();
const px = await proxy(srv.base);
const results = { cold: [], warm: [] };
try {
  for (let run = 0; run < RUNS; run++) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-bench-profile-'));
    const context = await chromium.launchPersistentContext(dir, {
      executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', headless: true,
      // Every request through the proxy, also those to the absolute URLs the launch redirects to.
      args: [...CHROMIUM_ARGS, `--proxy-server=${px.url}`, '--proxy-bypass-list=<-loopback>'],
      viewport: { width: 412, height: 860 },
    });
    try {
      const page = context.pages()[0] ?? (await context.newPage());
      const cdp = await context.newCDPSession(page);
      await cdp.send('Network.enable');
      await cdp.send('Network.emulateNetworkConditions', {
        offline: false, latency: 0, downloadThroughput: 1.6e6 / 8, uploadThroughput: 750e3 / 8,
      });
      await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
      for (const kind of ['cold', 'warm']) {
        const r = await launch(page, `http://${srv.base}`, px.counter);
        results[kind].push(r);
        console.error(`run ${run + 1} ${kind}: ${Math.round(r.ms)} ms, ${r.bytes} bytes`);
      }
    } finally {
      await context.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
} finally {
  px.close();
  srv.stop();
}
console.log(`\n${MODULE}, median of ${RUNS} (4× CPU, 1.6 Mbit/s, 150 ms round trip): Play → first decision\n`);
console.log('| launch | median ms | min ms | max ms | bytes from the server (median) |');
console.log('| --- | --- | --- | --- | --- |');
for (const kind of ['cold', 'warm']) {
  const ms = results[kind].map((r) => r.ms);
  const bytes = results[kind].map((r) => r.bytes);
  console.log(`| ${kind} | ${Math.round(median(ms))} | ${Math.round(Math.min(...ms))} | ${Math.round(Math.max(...ms))} | ${median(bytes)} |`);
}
