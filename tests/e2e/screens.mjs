// Screenshots of every screen type for the docs (`cargo xtask screenshots`): examples/tuesday-night
// played to an ending in English and Arabic, on a phone and a desktop, plus the example theme.
// Writes docs/img/screens/<screen>-<lang>-<size>.jpg and the gallery page docs/screens.md.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, serve, browser } from './harness.mjs';
import { walks, perform, pastWarning } from './play.mjs';
import { hearthServe } from './lms.mjs';

const OUT = path.join(ROOT, 'docs/img/screens');
const SIZES = { phone: { width: 390, height: 844 }, desktop: { width: 1280, height: 800 } };
const LANGS = ['en', 'ar'];
/** Screen types, in the order a learner meets them, with what each shows. */
const SCREENS = {
  start: 'The start screen: title, description, Start',
  warning: 'A content warning before a scene',
  speaker: 'A scene with a speaker: name plate and speech',
  decision: 'A decision: the choices, shuffled per attempt',
  feedback: 'After a choice: the feedback and what it changed',
  settings: 'The settings, unfolded: language, text size, low-data mode',
  paused: 'Paused: progress kept, safe to leave',
  reflection: 'A reflection: a private note',
  question: 'A quiz question',
  checked: 'A checked answer: the learner\'s answer marked, the right one shown',
  ending: 'The ending first, then the score, the competency profile and the debrief',
};

fs.rmSync(OUT, { recursive: true, force: true });
fs.mkdirSync(OUT, { recursive: true });
const server = await serve();
const chrome = await browser();
const shots = [];

async function shot(page, screen, lang, size) {
  const file = `${screen}-${lang}-${size}.jpg`;
  // The pointer away from the page, so no option wears the hover look of the last click.
  await page.mouse.move(0, 0);
  // The whole page for the ending (it is long); the first screenful for the rest.
  await page.screenshot({ path: path.join(OUT, file), type: 'jpeg', quality: 80, fullPage: screen === 'ending' });
  shots.push({ screen, lang, size, file });
}

// The longest walk: it passes every kind of node the example has.
const walk = (lang) => walks('examples/tuesday-night', lang).sort((a, b) => b.actions.length - a.actions.length)[0];

for (const lang of LANGS) {
  const w = walk(lang);
  for (const [size, viewport] of Object.entries(SIZES)) {
    const page = await chrome.context.newPage();
    await page.setViewportSize(viewport);
    await page.emulateMedia({ reducedMotion: 'reduce' });
    await page.goto(`${server.url}/play.html?module=fc.tuesday-night&lang=${lang}&seed=0`);
    await page.evaluate(() => localStorage.clear());
    await page.reload();
    await page.locator('[data-action="start"]').waitFor();
    await shot(page, 'start', lang, size);
    await page.locator('[data-action="start"]').click();
    const seen = new Set();
    const once = async (screen, when) => {
      if (!seen.has(screen) && (await when())) {
        seen.add(screen);
        await shot(page, screen, lang, size);
        return true;
      }
      return false;
    };
    for (const action of w.actions) {
      await once('warning', async () => (await page.locator('[data-action="acknowledge"]').count()) > 0);
      await pastWarning(page);
      await once('speaker', async () => (await page.locator('.h-speaker').count()) > 0);
      if (await once('decision', async () => (await page.locator('[data-choice]').count()) > 0)) {
        await page.locator('[data-action="settings"]').click();
        await once('settings', async () => true);
        await page.locator('[data-action="settings"]').click();
        await page.locator('[data-action="pause"]').click();
        await once('paused', async () => true);
        await page.locator('[data-action="resume"]').click();
      }
      await once('reflection', async () => (await page.locator('#h-note').count()) > 0);
      await once('question', async () => (await page.locator('.h-question [data-action="answer"]').count()) > 0);
      await perform(page, action);
      await once('feedback', async () => (await page.locator('.h-deltas').count()) > 0);
      await once('checked', async () => (await page.locator('[data-mark]').count()) > 0);
    }
    await page.locator('.h-results').waitFor();
    await shot(page, 'ending', lang, size);
    await page.close();
  }
}

// The example theme (docs/theming.md), on a module that names it, through `hearth serve`.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-screens-'));
fs.cpSync(path.join(ROOT, 'examples/tuesday-night'), path.join(dir, 'tuesday-night'), { recursive: true });
fs.copyFileSync(path.join(ROOT, 'docs/themes/harbour.css'), path.join(dir, 'tuesday-night/harbour.css'));
fs.appendFileSync(path.join(dir, 'tuesday-night/module.yaml'), '\ntheme: harbour.css\n');
const srv = await hearthServe(dir);
const page = await chrome.context.newPage();
await page.setViewportSize(SIZES.phone);
await page.goto(`${srv.base}/launch/tuesday-night?seed=0`);
await page.waitForURL(/\/au\//);
await page.evaluate(() => localStorage.clear());
await page.locator('[data-action="start"]').click();
await page.locator('[data-action="continue"]').click();
await pastWarning(page);
await page.screenshot({ path: path.join(OUT, 'theme-harbour-en-phone.jpg'), type: 'jpeg', quality: 80 });
await page.close();
srv.stop();
fs.rmSync(dir, { recursive: true, force: true });

await chrome.close();
await server.close();

const missing = Object.keys(SCREENS).filter((s) => !shots.some((x) => x.screen === s));
if (missing.length) throw new Error(`no screenshot of: ${missing.join(', ')}`);
let md = '# Every screen, on a phone and a desktop, in English and Arabic\n\n';
md += 'Written by `cargo xtask screenshots` (tests/e2e/screens.mjs): `examples/tuesday-night` played\n';
md += 'to an ending in headless Chromium, phone 390 × 844 and desktop 1280 × 800 CSS pixels.\n';
md += 'The player\'s colours and logo can be a partner\'s own: [theming.md](theming.md).\n';
for (const [screen, caption] of Object.entries(SCREENS)) {
  md += `\n## ${caption}\n\n`;
  for (const size of Object.keys(SIZES)) {
    for (const lang of LANGS) {
      const s = shots.find((x) => x.screen === screen && x.lang === lang && x.size === size);
      if (s) md += `<img src="img/screens/${s.file}" alt="${caption} (${lang === 'ar' ? 'Arabic' : 'English'}, ${size})" width="${size === 'phone' ? 195 : 480}">\n`;
    }
  }
}
fs.writeFileSync(path.join(ROOT, 'docs/screens.md'), md);
console.log(`${shots.length + 1} screenshots in ${path.relative(ROOT, OUT)}/, gallery in docs/screens.md`);
