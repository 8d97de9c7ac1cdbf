// The player in a real browser: every example played to every ending by clicking, the learning
// events it emits checked against the engine's, axe-core on every screen type, a keyboard-only
// run, a right-to-left run, resume after reload, and a language switch that keeps progress.
//
// Run through `cargo xtask e2e` (it builds dist/ and the `hearth` binary first).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import fs from 'node:fs';
import { ROOT, serve, browser, watchErrors, axe } from './harness.mjs';
import { walks, pastWarning, perform, shape } from './play.mjs';

const SHOTS = path.join(ROOT, 'target/e2e-screenshots');
let server, chrome;

before(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  server = await serve();
  chrome = await browser();
});
after(async () => {
  await chrome?.close();
  await server?.close();
});

async function open(page, walk, extra = '') {
  await page.goto(`${server.url}/play.html?module=${walk.module}&lang=${walk.lang}&seed=0${extra}`);
  await page.evaluate(() => localStorage.clear());
  await page.reload();
  await page.locator('[data-action="start"], [data-action="continue-saved"]').first().waitFor();
}


async function play(page, walk, opts) {
  await open(page, walk);
  await page.locator('[data-action="start"]').click();
  for (const [i, action] of walk.actions.entries()) {
    try {
      await perform(page, action, opts);
    } catch (e) {
      const shown = await page.locator('.hearth').innerText().catch(() => '?');
      throw new Error(`${walk.ending}, step ${i} ${JSON.stringify(action)}: ${e.message.split('\n')[0]}\n--- page ---\n${shown.slice(0, 1500)}`);
    }
  }
  const results = page.locator('.h-results');
  await results.waitFor();
  assert.equal(await results.getAttribute('data-band'), walk.band, `${walk.ending}: band`);
  assert.equal(await results.getAttribute('data-passed'), String(walk.passed), `${walk.ending}: passed`);
  const events = await page.evaluate(() => window.hearthEvents);
  assert.deepEqual(shape(events), shape(walk.events), `${walk.ending}: the player's events are the engine's`);
}

/** Every example and every language it carries. */
const EXAMPLES = [['examples/tuesday-night', ['en', 'ar', 'tr']], ['examples/first-week', ['en', 'fa']]];

for (const [dir, langs] of EXAMPLES) {
  for (const lang of langs) {
    test(`${dir} in ${lang}: every ending by mouse, with the engine's events`, async () => {
      const page = await chrome.context.newPage();
      const errors = watchErrors(page);
      for (const walk of walks(dir, lang)) await play(page, walk);
      assert.deepEqual(errors, []);
      await page.close();
    });
  }
}

// Keyboard alone, in every example and language: to the ending whose path is longest (it passes
// the most screens).
for (const [dir, langs] of EXAMPLES) {
  for (const lang of langs) {
    test(`keyboard only: ${dir} in ${lang}, to its longest ending`, async () => {
      const page = await chrome.context.newPage();
      const walk = walks(dir, lang).reduce((a, b) => (b.actions.length > a.actions.length ? b : a));
      await open(page, walk);
      await page.locator('[data-action="start"]').focus();
      await page.keyboard.press('Enter');
      for (const [i, action] of walk.actions.entries()) {
        await perform(page, action, { keyboard: true });
        // Focus lands on the new content, never on the page body.
        const focused = await page.evaluate(() => document.activeElement?.tagName);
        assert.notEqual(focused, 'BODY', `step ${i} ${JSON.stringify(action)}`);
      }
      assert.equal(await page.locator('.h-results').getAttribute('data-band'), walk.band);
      await page.close();
    });
  }
}

/// Walks to an ending, calling `check(label)` once on each screen type the walk passes.
async function eachScreen(page, walk, check) {
  const seen = new Set();
  const once = async (label) => {
    if (seen.has(label)) return;
    seen.add(label);
    await check(label);
  };
  await once('start');
  await page.locator('[data-action="start"]').click();
  for (const action of walk.actions) {
    if (await page.locator('[data-action="acknowledge"]').count()) await once('content warning');
    await pastWarning(page);
    const kind = await page.evaluate(() => {
      if (document.querySelector('.h-question')) return 'question';
      if (document.querySelector('[data-choice]')) return 'decision';
      if (document.querySelector('#h-note')) return 'reflection';
      if (document.querySelector('.h-feedback')) return 'feedback';
      return 'narrative';
    });
    await once(kind);
    await perform(page, action);
    if (action.action === 'answer') await once('question feedback');
  }
  await once('results');
  await page.locator('[data-action="restart"]').click();
  await page.locator('[data-action="pause"]').first().click();
  await once('paused');
  return seen;
}

for (const [dir, langs] of EXAMPLES) {
  for (const lang of langs) {
    test(`axe-core: no WCAG 2.2 AA violations on any screen type of ${dir} in ${lang}`, async () => {
      const page = await chrome.context.newPage();
      const walk = walks(dir, lang).reduce((a, b) => (b.actions.length > a.actions.length ? b : a));
      await open(page, walk);
      const seen = await eachScreen(page, walk, async (label) => {
        const v = await axe(page);
        assert.deepEqual(v, [], `${label}: ${JSON.stringify(v, null, 1)}`);
      });
      assert.ok(seen.size >= 7, [...seen].join(', '));
      await page.close();
    });
  }
}

// WCAG 1.4.10 (reflow) and 1.4.4: at 400 % zoom a 1280-pixel-wide window is 320 CSS pixels wide;
// every screen must fit it without scrolling sideways, in both directions of writing.
for (const lang of ['en', 'ar']) {
  test(`400 % zoom (320 CSS pixels) in ${lang}: every screen type reflows without sideways scrolling`, async () => {
    const page = await chrome.context.newPage();
    await page.setViewportSize({ width: 320, height: 256 });
    const walk = { ...walks('examples/tuesday-night').find((w) => w.ending === 'n.end-secure'), lang };
    await open(page, walk);
    await eachScreen(page, walk, async (label) => {
      const { scroll, width, wide } = await page.evaluate(() => ({
        scroll: document.documentElement.scrollWidth,
        width: window.innerWidth,
        // Any element of the player wider than the window, for the failure message.
        wide: [...document.querySelectorAll('.hearth *')]
          .filter((e) => e.getBoundingClientRect().width > window.innerWidth + 1)
          .map((e) => e.tagName + '.' + e.className)
          .slice(0, 5),
      }));
      assert.ok(scroll <= width, `${label}: content is ${scroll} px wide in a ${width} px window: ${wide}`);
    });
    await page.close();
  });
}

test('right to left: Arabic lays out right to left (screenshot)', async () => {
  const page = await chrome.context.newPage();
  const walk = walks('examples/tuesday-night', 'ar')[0];
  await open(page, walk);
  await page.locator('[data-action="start"]').click();
  await perform(page, walk.actions[0]);
  await pastWarning(page);
  const dir = await page.locator('.hearth').getAttribute('dir');
  assert.equal(dir, 'rtl');
  const lang = await page.locator('.hearth').getAttribute('lang');
  assert.equal(lang, 'ar');
  // The first choice button starts at the right edge of the player.
  const box = await page.locator('.hearth').boundingBox();
  const text = await page.locator('.h-text').first().boundingBox();
  assert.ok(text.x + text.width > box.x + box.width - 40, 'text hugs the right edge');
  await page.screenshot({ path: path.join(SHOTS, 'rtl-ar.png'), fullPage: true });
  await page.close();
});

test('reload mid-scenario resumes where the learner was', async () => {
  const page = await chrome.context.newPage();
  const walk = walks('examples/tuesday-night').find((w) => w.ending === 'n.end-secure');
  await open(page, walk);
  await page.locator('[data-action="start"]').click();
  for (const action of walk.actions.slice(0, 6)) await perform(page, action);
  const before = await page.locator('.h-step').innerText();
  await page.reload();
  await page.locator('[data-action="continue-saved"]').click();
  await pastWarning(page);
  assert.equal(await page.locator('.h-step').innerText(), before);
  for (const action of walk.actions.slice(6)) await perform(page, action);
  assert.equal(await page.locator('.h-results').getAttribute('data-band'), walk.band);
  const events = await page.evaluate(() => window.hearthEvents.map((e) => e.type));
  assert.ok(events.includes('resumed'));
  await page.close();
});

test('switching language mid-scenario keeps progress', async () => {
  const page = await chrome.context.newPage();
  const walk = walks('examples/tuesday-night').find((w) => w.ending === 'n.end-secure');
  await open(page, walk);
  await page.locator('[data-action="start"]').click();
  for (const action of walk.actions.slice(0, 5)) await perform(page, action);
  await pastWarning(page);
  const stepNumber = async () => (await page.locator('.h-progress').innerText()).replace(/\D/g, '');
  const step = await stepNumber();
  // The language is in the folded settings.
  await page.locator('[data-action="settings"]').click();
  await page.locator('[data-action="language"]').selectOption('tr');
  await page.locator('.hearth[lang="tr"]').waitFor();
  assert.equal(await stepNumber(), step, 'same step after the switch');
  for (const action of walk.actions.slice(5)) await perform(page, action);
  assert.equal(await page.locator('.h-results').getAttribute('data-band'), walk.band);
  const changed = await page.evaluate(() => window.hearthEvents.filter((e) => e.type === 'language_changed'));
  assert.deepEqual(changed, [{ type: 'language_changed', from: 'en', to: 'tr' }]);
  await page.close();
});
