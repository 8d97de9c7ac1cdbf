// The learner's experience, checked where learners met defects that no other test caught: an
// answer that vanished after "Check answer", a Back that re-opened graded work, options always in
// the same order, focus that jumped to the wrong place, hover looks stuck on touch screens, a
// Likert scale that wrapped, words broken mid-word in the results. Each test failed before its fix.
//
// It plays a test module with every question type (tests/e2e/fixtures/every-question), compiled
// here with the `hearth` binary, on a phone-sized screen.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import fs from 'node:fs';
import os from 'node:os';
import { execFileSync } from 'node:child_process';
import { ROOT, DIST, serve, browser, watchErrors, axe } from './harness.mjs';
import { walks, perform } from './play.mjs';
import { hearthServe } from './lms.mjs';

const HEARTH = path.join(process.env.CARGO_TARGET_DIR ?? path.join(ROOT, 'target'), 'debug/hearth');
const FIXTURE = 'tests/e2e/fixtures/every-question';
const ID = 't.every-question';
const SHOTS = path.join(ROOT, 'target/e2e-screenshots');
let server, chrome;

before(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  execFileSync(HEARTH, ['compile', '--out-dir', path.join(DIST, 'modules'), FIXTURE], { cwd: ROOT });
  server = await serve();
  chrome = await browser();
});
after(async () => {
  await chrome?.close();
  await server?.close();
});

async function open(seed = 0, lang = '') {
  const page = await chrome.context.newPage();
  const errors = watchErrors(page);
  await page.goto(`${server.url}/play.html?module=${ID}&seed=${seed}${lang ? `&lang=${lang}` : ''}`);
  await page.evaluate(() => localStorage.clear());
  await page.reload();
  await page.locator('[data-action="start"]').click();
  return { page, errors };
}

/** From the start to the quiz: past the warning, through the locked decision. */
async function toQuiz(page) {
  await page.locator('[data-action="continue"]').click();
  await page.locator('[data-action="acknowledge"]').click();
  await page.locator('[data-action="continue"]').click();
  await page.locator('[data-choice="c.b"]').click();
  await page.locator('[data-action="continue"]').click();
  await page.locator('.h-question').waitFor();
}

const next = (page) => page.locator('[data-action="continue"]').click();

/** Answers the question on screen with anything well-formed, checks it, and moves on. */
async function answerAnything(page) {
  const selects = page.locator('[data-pair]');
  if (await selects.count()) {
    for (const s of await selects.all()) await s.selectOption({ index: 1 });
  } else if (await page.locator('[data-item]').count() === 0) {
    const pick = page.locator('.h-question input[type="radio"], .h-question input[type="checkbox"]').first();
    if (await pick.count()) await pick.check();
    else await page.locator('[data-answer]').fill('1');
  }
  await page.locator('[data-action="answer"]').click();
  await next(page);
}

test('after "Check answer" every question type shows the learner\'s answer, marked, and the right answer where the author allows it', async () => {
  const { page, errors } = await open();
  await toQuiz(page);
  // (question, what the learner does, then what the form must show)
  const rows = {
    'q.single': async () => {
      await page.locator('[data-option="o.school"]').check();
      await page.locator('[data-action="answer"]').click();
      assert.ok(await page.locator('[data-option="o.school"]').isChecked(), 'the learner\'s pick stays ticked');
      assert.equal(await page.locator('label:has([data-option="o.school"])').getAttribute('data-mark'), 'wrong');
      assert.equal(await page.locator('label:has([data-option="o.sw"])').getAttribute('data-mark'), 'answer');
      assert.match(await page.locator('label:has([data-option="o.sw"]) .h-mark').innerText(), /Right answer/);
    },
    'q.multi': async () => {
      await page.locator('[data-option="o.bruise"]').check();
      await page.locator('[data-option="o.shoes"]').check();
      await page.locator('[data-action="answer"]').click();
      assert.ok(await page.locator('[data-option="o.bruise"]').isChecked());
      assert.ok(await page.locator('[data-option="o.shoes"]').isChecked());
      assert.equal(await page.locator('label:has([data-option="o.bruise"])').getAttribute('data-mark'), 'right');
      assert.equal(await page.locator('label:has([data-option="o.shoes"])').getAttribute('data-mark'), 'wrong');
      assert.equal(await page.locator('label:has([data-option="o.sleep"])').getAttribute('data-mark'), 'answer');
    },
    'q.tf': async () => {
      await page.locator('[data-bool="true"]').check();
      await page.locator('[data-action="answer"]').click();
      assert.ok(await page.locator('[data-bool="true"]').isChecked());
      assert.equal(await page.locator('label:has([data-bool="true"])').getAttribute('data-mark'), 'wrong');
      assert.equal(await page.locator('label:has([data-bool="false"])').getAttribute('data-mark'), 'answer');
    },
    'q.order': async () => {
      const before = await page.locator('[data-item]').evaluateAll((els) => els.map((e) => e.dataset.item));
      // One move: the learner's order is the shuffled one with its last item moved up one place.
      await page.locator(`[data-item="${before[3]}"] [data-action="move-up"]`).click();
      const mine = [before[0], before[1], before[3], before[2]];
      await page.locator('[data-action="answer"]').click();
      await page.locator('.h-question .h-feedback').waitFor();
      const after = await page.locator('.h-order [data-item]').evaluateAll((els) => els.map((e) => e.dataset.item));
      assert.deepEqual(after, mine, 'the order stays as the learner left it');
      const marks = await page.locator('.h-order [data-item]').evaluateAll((els) => els.map((e) => e.dataset.mark));
      const right = ['i.listen', 'i.reassure', 'i.record', 'i.report'];
      assert.deepEqual(marks, mine.map((id, i) => (id === right[i] ? 'right' : 'wrong')));
      if (mine.some((id, i) => id !== right[i])) {
        assert.deepEqual(await page.locator('[data-right-answer] li').allInnerTexts(), ['Listen', 'Reassure', 'Record', 'Report']);
      }
    },
    'q.match': async () => {
      const pick = async (prompt, match) => {
        const select = page.locator(`[data-pair="${prompt}"]`);
        await select.selectOption(await select.locator(`option[data-match="${match}"]`).getAttribute('value'));
      };
      await pick('p.health', 'p.health');
      await pick('p.school', 'p.safety');
      await pick('p.safety', 'p.school');
      await page.locator('[data-action="answer"]').click();
      await page.locator('.h-question .h-feedback').waitFor();
      const chosen = (prompt) => page.locator(`[data-pair="${prompt}"]`).evaluate((s) => s.selectedOptions[0].dataset.match);
      assert.equal(await chosen('p.school'), 'p.safety', 'not "Choose a match"');
      assert.equal(await page.locator('div:has(> [data-pair="p.health"])').getAttribute('data-mark'), 'right');
      assert.equal(await page.locator('div:has(> [data-pair="p.school"])').getAttribute('data-mark'), 'wrong');
      assert.match(await page.locator('div:has(> [data-pair="p.school"]) [data-right-answer]').innerText(), /The teacher/);
    },
    'q.fill': async () => {
      await page.locator('[data-answer]').fill('The council');
      await page.locator('[data-action="answer"]').click();
      assert.equal(await page.locator('[data-answer]').inputValue(), 'The council');
      assert.match(await page.locator('[data-right-answer]').innerText(), /The agency/);
    },
    'q.num': async () => {
      await page.locator('[data-answer]').fill('48');
      await page.locator('[data-action="answer"]').click();
      assert.equal(await page.locator('[data-answer]').inputValue(), '48');
      assert.match(await page.locator('[data-right-answer]').innerText(), /24/);
    },
    'q.hidden': async () => {
      await page.locator('[data-option="o.form-b"]').check();
      await page.locator('[data-action="answer"]').click();
      await page.locator('.h-question .h-feedback').waitFor();
      assert.ok(await page.locator('[data-option="o.form-b"]').isChecked());
      assert.equal(await page.locator('[data-mark="answer"], [data-right-answer]').count(), 0, 'show_answer: false');
    },
    'q.likert': async () => {
      await page.locator('[data-scale="4"]').check();
      await page.locator('[data-action="answer"]').click();
      assert.ok(await page.locator('[data-scale="4"]').isChecked());
      assert.match(await page.locator('.h-question .h-feedback').innerText(), /saved/, 'no empty feedback box');
    },
    'q.free': async () => {
      await page.locator('[data-answer]').fill('You are safe here.');
      await page.locator('[data-action="answer"]').click();
      assert.equal(await page.locator('[data-answer]').inputValue(), 'You are safe here.');
      assert.match(await page.locator('.h-question .h-feedback').innerText(), /saved/);
    },
  };
  const seen = [];
  for (;;) {
    const id = await page.locator('.h-question fieldset legend').getAttribute('id');
    const q = id.replace('h-q-', '');
    seen.push(q);
    await rows[q]();
    // What a screen reader hears: the verdict and, where shown, the right answer.
    if (q === 'q.single') assert.match(await page.locator('.h-sr[role="status"]').innerText(), /Not quite.*Right answer: The social worker/s);
    await page.screenshot({ path: path.join(SHOTS, `checked-${q}.png`), fullPage: true });
    const v = await axe(page);
    assert.deepEqual(v, [], `${q}: ${JSON.stringify(v, null, 1)}`);
    await next(page);
    if (await page.locator('.h-results').count()) break;
    await page.locator('.h-question').waitFor();
  }
  assert.deepEqual(seen.sort(), Object.keys(rows).sort());
  assert.deepEqual(errors, []);
  await page.close();
});

test('Back never re-opens graded work: not from a locked choice, its feedback, or a checked answer', async () => {
  const { page } = await open();
  const back = page.locator('[data-action="back"]');
  await page.locator('[data-action="continue"]').click();
  await page.locator('[data-action="acknowledge"]').click();
  await page.locator('[data-action="continue"]').click();
  assert.equal(await back.count(), 1, 'nothing chosen yet: Back is offered');
  await page.locator('[data-choice="c.a"]').click();
  await page.locator('.h-feedback').waitFor();
  assert.equal(await back.count(), 0, 'the feedback of a `backtrack: false` choice');
  await next(page);
  await page.locator('[data-option="o.school"]').waitFor();
  assert.equal(await back.count(), 0, 'back into the locked decision');
  await page.locator('[data-option="o.school"]').check();
  await page.locator('[data-action="answer"]').click();
  await page.locator('.h-question .h-feedback').waitFor();
  assert.equal(await back.count(), 0, 'after a wrong answer with no attempts left');
  // The engine agrees: its walks never go back past these either.
  await page.close();
});

test('decisions and options are shuffled per attempt, the pinned one stays last, `shuffle: false` keeps the authored order', async () => {
  const firsts = new Set();
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    const { page } = await open(seed);
    await page.locator('[data-action="continue"]').click();
    await page.locator('[data-action="acknowledge"]').click();
    await page.locator('[data-action="continue"]').click();
    const order = await page.locator('[data-choice]').evaluateAll((els) => els.map((e) => e.dataset.choice));
    assert.equal(order.at(-1), 'c.none', 'pinned');
    firsts.add(order[0]);
    // A reload keeps the order: it comes from the attempt's seed, not from chance at render.
    await page.reload();
    await page.locator('[data-action="continue-saved"]').click();
    assert.deepEqual(await page.locator('[data-choice]').evaluateAll((els) => els.map((e) => e.dataset.choice)), order);
    await page.close();
  }
  assert.ok(firsts.size > 1, `the first choice is not always the same: ${[...firsts]}`);
});

test('focus: after a content warning it goes to the scene, not to Back; in ordering it follows the moved item', async () => {
  const { page } = await open();
  await page.locator('[data-action="continue"]').focus();
  await page.keyboard.press('Enter');
  await page.locator('[data-action="acknowledge"]').focus();
  await page.keyboard.press('Enter');
  const focused = await page.evaluate(() => document.activeElement?.dataset.action ?? document.activeElement?.id);
  assert.notEqual(focused, 'back', 'a second Enter would leave the scene');
  await page.keyboard.press('Enter');
  assert.equal(await page.locator('.h-text').innerText(), 'A hard scene.', 'still in the scene');
  // Ordering: move the first item down twice by keyboard; focus stays with that item.
  await page.locator('[data-action="continue"]').click();
  await page.locator('[data-choice="c.b"]').click();
  await next(page);
  await page.locator('.h-question').waitFor();
  while (!(await page.locator('[data-item]').count())) await answerAnything(page);
  const item = await page.locator('[data-item]').first().getAttribute('data-item');
  await page.locator(`[data-item="${item}"] [data-action="move-down"]`).focus();
  await page.keyboard.press('Enter');
  await page.keyboard.press('Enter');
  const at = await page.locator('[data-item]').evaluateAll((els) => els.map((e) => e.dataset.item));
  assert.equal(at[2], item, 'moved down twice');
  const holder = await page.evaluate(() => document.activeElement?.closest('[data-item]')?.dataset.item);
  assert.equal(holder, item, 'focus moved with the item');
  await page.close();
});

test('on a touch screen no hover look stays on the tapped place; the start screen has no focus ring', async () => {
  const { page } = await open();
  // Every hover rule applies only where a pointer can hover.
  const loose = await page.evaluate(() => {
    const out = [];
    const walk = (rules, hover) => {
      for (const r of rules) {
        if (r instanceof CSSMediaRule) walk(r.cssRules, hover || r.conditionText.includes('hover: hover'));
        else if (r.selectorText?.includes(':hover') && !hover) out.push(r.selectorText);
      }
    };
    for (const sheet of document.styleSheets) walk(sheet.cssRules, false);
    return out;
  });
  assert.deepEqual(loose, []);
  await page.goto(`${server.url}/play.html?module=${ID}&seed=0`);
  await page.locator('[data-action="start"], [data-action="continue-saved"]').first().waitFor();
  const ring = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.equal(ring, 'none', 'no red ring around the whole start screen');
  await page.close();
});

test('a Likert scale stays on one line on a phone; results words are not broken mid-word', async () => {
  const { page } = await open();
  await toQuiz(page);
  while (!(await page.locator('input[data-scale]').count())) await answerAnything(page);
  // At every text size, up to the largest (in the folded settings).
  await page.locator('[data-action="settings"]').click();
  for (let size = 0; size <= 3; size++) {
    const tops = await page.locator('input[data-scale]').evaluateAll((els) => els.map((e) => Math.round(e.getBoundingClientRect().top)));
    assert.equal(new Set(tops).size, 1, `text size ${size}: one line: ${tops}`);
    if (size < 3) await page.locator('.h-tools button').nth(1).click();
  }
  await page.screenshot({ path: path.join(SHOTS, 'likert-phone-largest-text.png'), fullPage: true });
  await page.close();
});

// The results table in Arabic: "Score" and every header on one line each, percentages written as
// the score line writes them (not "% 0").
test('results in Arabic: headers unbroken, percentages localised', async () => {
  const walk = walks('examples/tuesday-night', 'ar')[0];
  const page = await chrome.context.newPage();
  await page.goto(`${server.url}/play.html?module=${walk.module}&lang=ar&seed=0`);
  await page.evaluate(() => localStorage.clear());
  await page.reload();
  await page.locator('[data-action="start"]').click();
  for (const a of walk.actions) await perform(page, a);
  await page.locator('.h-results').waitFor();
  const broken = await page.locator('.h-results th, .h-chart .h-row > span').evaluateAll((els) =>
    els.filter((e) => {
      const r = document.createRange();
      r.selectNodeContents(e);
      // One line per word: a word broken across lines has more line boxes than words.
      const lines = new Set([...r.getClientRects()].map((x) => Math.round(x.top))).size;
      return lines > e.innerText.trim().split(/\s+/).length;
    }).map((e) => e.innerText));
  assert.deepEqual(broken, []);
  const cells = await page.locator('.h-results tbody td:last-child').allInnerTexts();
  for (const c of cells) assert.match(c, /^\d+٪$/, c);
  await page.screenshot({ path: path.join(SHOTS, 'results-ar-phone.png'), fullPage: true });
  await page.close();
});

// The page an LMS launches (here `hearth serve`, which launches the cmi5 package as an LMS would):
// a `<main>` landmark (axe's best-practice rules too), "Step 1" and "Sent" read as two things, and
// in dark mode no band of another colour below the player.
test('the launch page: a main landmark, progress and delivery apart, one background in dark mode', async () => {
  const srv = await hearthServe(path.join(ROOT, 'examples'));
  const page = await chrome.context.newPage();
  try {
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.goto(`${srv.base}/launch/first-week?seed=0`);
    await page.waitForURL(/\/au\//);
    await page.evaluate(() => localStorage.clear());
    await page.locator('[data-action="start"]').click();
    await page.locator('[data-delivery="sent"]').waitFor();
    const tree = await page.locator('.h-bar').ariaSnapshot();
    assert.match(tree, /paragraph: Step 1\n/, tree);
    assert.match(tree, /paragraph: Sent\n/, tree);
    await page.addScriptTag({ path: path.join(ROOT, 'tests/e2e/node_modules/axe-core/axe.min.js') });
    const v = await page.evaluate(async () => (await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa', 'wcag22aa', 'best-practice'] } })).violations.map((x) => x.id));
    assert.deepEqual(v, []);
    const [pageBg, playerBg] = await page.evaluate(() => [
      getComputedStyle(document.documentElement).backgroundColor,
      getComputedStyle(document.querySelector('.hearth')).backgroundColor,
    ]);
    assert.equal(pageBg, playerBg, 'the page around the player has its colour');
    await page.screenshot({ path: path.join(SHOTS, 'launch-dark-phone.png'), fullPage: true });
  } finally {
    await page.close();
    srv.stop();
  }
});

// The shipped player carries English; the player's words in another language are one small file
// beside it (`i18n/<lang>.txt`), fetched with the module and when the learner switches language.
test('the player fetches only the learner\'s language: Arabic at launch, Turkish on switching, none for English', async () => {
  const word = (lang, id) => fs.readFileSync(path.join(ROOT, `widgets/i18n/${lang}.ftl`), 'utf8')
    .match(new RegExp(`^${id} = (.*)$`, 'm'))[1];
  const page = await chrome.context.newPage();
  const errors = watchErrors(page);
  const fetched = [];
  page.on('request', (r) => { if (r.url().includes('/i18n/')) fetched.push(new URL(r.url()).pathname); });
  await page.goto(`${server.url}/play.html?module=fc.tuesday-night&lang=ar`);
  await page.evaluate(() => localStorage.clear());
  await page.reload();
  // The module opens with a content warning, so its start button says "I understand, continue".
  const start = page.locator('[data-action="start"]');
  assert.equal((await start.innerText()).trim(), word('ar', 'warning-continue'));
  assert.equal(await page.locator('.hearth').getAttribute('lang'), 'ar');
  assert.ok(fetched.length > 0 && fetched.every((p) => p === '/player/i18n/ar.txt'), fetched.join());

  await start.click();
  // The language is in the folded settings.
  await page.locator('[data-action="settings"]').click();
  await page.locator('[data-action="language"]').selectOption('tr');
  await page.locator('[data-action="pause"]', { hasText: word('tr', 'pause') }).waitFor();
  assert.equal(await page.locator('.hearth').getAttribute('lang'), 'tr');
  assert.equal(fetched.at(-1), '/player/i18n/tr.txt');

  fetched.length = 0;
  await page.goto(`${server.url}/play.html?module=fc.tuesday-night&lang=en`);
  await page.evaluate(() => localStorage.clear());
  await page.reload();
  assert.equal((await page.locator('[data-action="start"]').innerText()).trim(), word('en', 'warning-continue'));
  assert.deepEqual(fetched, [], 'English is in the player');
  assert.deepEqual(errors, []);
  await page.close();
});

// A design that reads as a course: on a 390 × 844 phone the bar took 175 px before any content,
// with no progress bar, the settings always open, speakers as grey text and the outcome under the
// ending's story.
test('a compact bar with a progress bar and folded settings; speakers on a name plate; consequences; the ending first', async () => {
  const page = await chrome.context.newPage();
  const errors = watchErrors(page);
  await page.setViewportSize({ width: 390, height: 844 });
  const walk = walks('examples/tuesday-night').find((w) => w.actions.some((a) => a.choice === 'c.listen'));
  await page.goto(`${server.url}/play.html?module=fc.tuesday-night&seed=0`);
  await page.evaluate(() => localStorage.clear());
  await page.reload();
  await page.locator('[data-action="start"]').click();

  const top = await page.locator('.h-step').evaluate((e) => Math.round(e.getBoundingClientRect().top));
  assert.ok(top <= 130, `the scene starts ${top} px down the screen`);
  assert.ok(await page.locator('[data-action="pause"]').isVisible(), 'the way out is always in sight');
  assert.equal(await page.locator('[data-action="language"]').isVisible(), false, 'settings are folded');
  await page.locator('[data-action="settings"]').click();
  assert.ok(await page.locator('[data-action="language"]').isVisible());
  await page.locator('[data-action="settings"]').click();
  const meter = async () => page.locator('progress').evaluate((p) => [p.value, p.max]);
  const [first, max] = await meter();
  assert.ok(first === 1 && max > 1, `progress ${first} of ${max}`);
  await page.screenshot({ path: path.join(SHOTS, 'design-start-phone.png') });

  let sawSpeaker = false;
  let sawDeltas = false;
  for (const action of walk.actions) {
    await perform(page, action);
    if (await page.locator('.h-speaker').count()) {
      sawSpeaker = true;
      // The example's characters have no portraits: the plate shows the name's first letter.
      const name = (await page.locator('.h-speaker').innerText()).replace(/^\S+\s*/, '');
      assert.equal(await page.locator('.h-speaker .h-avatar').innerText(), name[0], name);
      assert.equal(await page.locator('.h-text.h-said').count(), 1, 'what she says is set as speech');
    }
    if (action.choice === 'c.listen') {
      sawDeltas = true;
      const chips = await page.locator('.h-deltas li').evaluateAll((ls) => ls.map((l) => [l.dataset.delta, l.innerText]));
      assert.deepEqual(chips.map(([d]) => d), ['up', 'up'], JSON.stringify(chips));
      assert.ok(chips.some(([, t]) => /\+3$/.test(t)), JSON.stringify(chips));
      await page.screenshot({ path: path.join(SHOTS, 'design-feedback-phone.png') });
    }
    if (await page.locator('progress').count()) {
      const [value, most] = await meter();
      assert.ok(value >= 1 && value <= most, `progress ${value} of ${most}`);
    }
  }
  assert.ok(sawSpeaker && sawDeltas);
  // The ending: its outcome is the first heading of the screen, its story under it, then the score.
  const order = await page.locator('.h-step').evaluate((s) => [...s.querySelectorAll('h2, .h-text, .h-score')].map((e) => e.className || e.tagName));
  assert.deepEqual(order.slice(0, 3), ['h-band', 'h-text', 'h-score'], order.join());
  await page.screenshot({ path: path.join(SHOTS, 'design-ending-phone.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test('a speaker\'s portrait shows on their name plate, and not in low-data mode', async () => {
  const { page, errors } = await open();
  const avatar = page.locator('.h-speaker img.h-avatar');
  assert.match(await avatar.getAttribute('src'), /t\.every-question\/media\/sam\.svg$/);
  assert.ok(await avatar.evaluate((i) => i.complete && i.naturalWidth > 0), 'the portrait loads');
  assert.equal(await avatar.getAttribute('alt'), '', 'decorative: the name says who it is');
  await page.locator('[data-action="settings"]').click();
  await page.locator('.h-tools input[type="checkbox"]').check();
  assert.equal(await page.locator('.h-speaker .h-avatar').innerText(), 'S');
  assert.equal(await page.locator('.h-speaker img').count(), 0);
  assert.deepEqual(errors, []);
  await page.close();
});

// Two players on one page, each with its module from its own folder (a course page with two
// scenarios): each one's media come from beside its own module.
test('two players on one page each load their media from their own module\'s folder', async () => {
  const second = path.join(DIST, 'modules-second');
  execFileSync(HEARTH, ['compile', '--out-dir', second, FIXTURE], { cwd: ROOT });
  fs.writeFileSync(path.join(DIST, 'two-players.html'), `<!doctype html><html lang="en"><head><meta charset="utf-8">
<link rel="icon" href="data:,"><link rel="stylesheet" href="player/hearth-player.css"><title>Two players</title></head><body><main>
<hearth-player id="one" src="modules/${ID}.bin" seed="0"></hearth-player>
<hearth-player id="two" src="modules-second/${ID}.bin" seed="0"></hearth-player>
</main><script type="module" src="player/hearth-element.js"></script></body></html>`);
  const page = await chrome.context.newPage();
  const errors = watchErrors(page);
  await page.goto(`${server.url}/two-players.html`);
  // Earlier tests left progress of this module on the device (a Resume screen): start afresh.
  await page.evaluate(() => localStorage.clear());
  await page.reload();
  for (const id of ['one', 'two']) {
    await page.locator(`#${id} [data-action="start"]`).click();
  }
  for (const [id, folder] of [['one', 'modules'], ['two', 'modules-second']]) {
    const avatar = page.locator(`#${id} .h-speaker img.h-avatar`);
    const src = await avatar.getAttribute('src');
    assert.ok(src.endsWith(`/${folder}/${ID}/media/sam.svg`), `player ${id} takes its portrait from ${folder}/: ${src}`);
    assert.ok(await avatar.evaluate((i) => i.complete && i.naturalWidth > 0), `player ${id}'s portrait loads`);
  }
  assert.deepEqual(errors, []);
  await page.close();
  fs.rmSync(second, { recursive: true, force: true });
  fs.rmSync(path.join(DIST, 'two-players.html'));
});

// A partner's theme (docs/theming.md): named in module.yaml, linked by the package's launch page
// after the player's stylesheet; its colours and logo win, and the player stays accessible.
test('the example theme: a module that names it plays in its colours, with its logo, and passes axe', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-theme-'));
  const module = path.join(dir, 'themed');
  fs.cpSync(path.join(ROOT, FIXTURE), module, { recursive: true });
  fs.copyFileSync(path.join(ROOT, 'docs/themes/harbour.css'), path.join(module, 'harbour.css'));
  fs.appendFileSync(path.join(module, 'module.yaml'), 'theme: harbour.css\n');
  const srv = await hearthServe(dir);
  const page = await chrome.context.newPage();
  try {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${srv.base}/launch/themed?seed=0`);
    await page.waitForURL(/\/au\//);
    await page.evaluate(() => localStorage.clear());
    await page.locator('[data-action="start"]').click();
    const [accent, logo, start] = await page.evaluate(() => [
      getComputedStyle(document.querySelector('.hearth')).getPropertyValue('--h-accent').trim(),
      getComputedStyle(document.querySelector('.h-head'), '::before').backgroundImage,
      getComputedStyle(document.querySelector('[data-action="continue"]')).backgroundColor,
    ]);
    assert.equal(accent, '#0f6b5c');
    assert.match(logo, /^url\("data:image\/svg\+xml/);
    assert.equal(start, 'rgb(15, 107, 92)', 'the primary button in the partner\'s colour');
    assert.deepEqual(await axe(page), []);
    await page.screenshot({ path: path.join(SHOTS, 'theme-harbour-phone.png') });
  } finally {
    await page.close();
    srv.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
