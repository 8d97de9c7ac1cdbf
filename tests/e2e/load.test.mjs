// The first load and the next ones (docs/size.md, "First load"): a second launch from
// `hearth serve` takes the player from the browser's cache, and once the service worker has
// what a launch loaded, a reload with the server gone still shows the player — for `hearth
// serve` and for the plain embed on an ordinary web server — instead of the browser's error page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, DIST, serve, browser } from './harness.mjs';
import { HEARTH, hearthServe } from './lms.mjs';

let chrome;
before(async () => { chrome = await browser(); });
after(async () => { await chrome?.close(); });

const START = '[data-action="start"], [data-action="resume"], [data-action="continue-saved"]';

/** Waits until the service worker controls the page and holds the player and the module. */
async function cached(page) {
  await page.waitForFunction(async () => {
    if (!navigator.serviceWorker.controller) return false;
    for (const name of await caches.keys()) {
      const urls = (await (await caches.open(name)).keys()).map((r) => r.url);
      if (urls.some((u) => u.includes('hearth-player_bg.wasm')) && urls.some((u) => u.endsWith('.bin'))) return true;
    }
    return false;
  }, null, { timeout: 20000 });
}

test('hearth serve: a second launch takes the player from the cache; a reload with the server gone shows the player', async () => {
  const srv = await hearthServe(path.join(ROOT, 'examples'));
  const page = await chrome.context.newPage();
  try {
    const launch = async () => {
      await page.goto(`${srv.base}/`);
      await page.click('section[data-module="first-week"] button[type="submit"]');
      await page.locator(START).first().waitFor({ state: 'visible', timeout: 20000 });
    };
    await launch();
    const first = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name));
    assert.ok(first.some((u) => /\/player\/[0-9a-f]{16}\/hearth-player_bg\.wasm/.test(u)), first.join('\n'));
    await cached(page);

    await launch();
    const player = await page.evaluate(() => performance.getEntriesByType('resource')
      .filter((e) => e.name.includes('/player/'))
      .map((e) => ({ url: e.name, transferSize: e.transferSize })));
    assert.ok(player.some((e) => e.url.includes('hearth-player_bg.wasm')), JSON.stringify(player));
    // Nothing of the player crossed the network: a transfer size of 0 is a cache or worker hit.
    for (const e of player) assert.equal(e.transferSize, 0, e.url);

    srv.stop();
    await page.reload().catch(() => {});
    assert.ok(!page.url().startsWith('chrome-error:'), page.url());
    // The player itself (it may say that the LMS cannot be reached: that is the player talking).
    await page.locator('hearth-player').locator('*').first().waitFor({ state: 'visible', timeout: 20000 });
    assert.equal(await page.locator('hearth-player').count(), 1);
  } finally {
    await page.close();
    srv.stop();
  }
});

test('the plain embed on a web server: a reload with the server gone still plays', async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-load-'));
  const zips = path.join(tmp, 'zips');
  execFileSync(HEARTH, ['build', 'examples/first-week', '--format', 'html', '--out', zips, '--player', DIST], { cwd: ROOT });
  const www = path.join(tmp, 'www');
  execFileSync('python3', ['-m', 'zipfile', '-e', path.join(zips, 'fc.first-week-html.zip'), path.join(www, 'embed')]);
  const server = await serve(www, {});
  const page = await chrome.context.newPage();
  try {
    await page.goto(`${server.url}/embed/index.html?seed=1`);
    await page.locator(START).first().click({ timeout: 20000 });
    const decision = page.locator('[data-choice], [data-action="continue"]').first();
    await decision.waitFor({ state: 'visible', timeout: 20000 });
    await cached(page);

    await server.close();
    await page.reload().catch(() => {});
    assert.ok(!page.url().startsWith('chrome-error:'), page.url());
    // Progress lives in the browser: the learner is offered to go on where they were.
    await page.locator(`${START}, [data-choice], [data-action="continue"]`).first().waitFor({ state: 'visible', timeout: 20000 });
  } finally {
    await page.close();
    await server.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
