// Playing a module through the UI the way a learner does, shared by the browser tests: the
// engine's own walks (`hearth play --endings --json`) and one UI action per engine action.
import { execFileSync } from 'node:child_process';
import assert from 'node:assert/strict';
import path from 'node:path';
import { ROOT } from './harness.mjs';

const HEARTH = path.join(process.env.CARGO_TARGET_DIR ?? path.join(ROOT, 'target'), 'debug/hearth');

/** The engine's walks to every ending of a module, with the events each should emit. */
export function walks(dir, lang) {
  const args = ['play', dir, '--endings', '--json'];
  if (lang) args.push('--lang', lang);
  return JSON.parse(execFileSync(HEARTH, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 }));
}

/** Dismisses a content warning if one stands before the node. */
export async function pastWarning(page) {
  const ack = page.locator('[data-action="acknowledge"]');
  if (await ack.count()) await ack.click();
}

/** Performs one engine action through the UI, the way a learner would. */
export async function perform(page, action, { keyboard = false } = {}) {
  const press = async (locator) => {
    if (keyboard) {
      await locator.focus();
      await page.keyboard.press('Enter');
    } else {
      await locator.click();
    }
  };
  const tick = async (locator) => {
    if (keyboard) {
      await locator.focus();
      await page.keyboard.press('Space');
    } else {
      await locator.check();
    }
  };
  await pastWarning(page);
  switch (action.action) {
    case 'continue':
      return press(page.locator('[data-action="continue"]'));
    case 'choose':
      return press(page.locator(`[data-choice="${action.choice}"]`));
    case 'reflect':
      await page.locator('#h-note').fill(action.text);
      return press(page.locator('[data-action="reflect"]'));
    case 'answer': {
      const { type, value } = action.response;
      if (type === 'choice') await tick(page.locator(`[data-option="${value}"]`));
      if (type === 'choices') for (const id of value) await tick(page.locator(`[data-option="${id}"]`));
      if (type === 'bool') await tick(page.locator(`[data-bool="${value}"]`));
      if (type === 'scale') await tick(page.locator(`[data-scale="${value}"]`));
      if (type === 'text') await page.locator('[data-answer]').fill(value);
      if (type === 'numeric') await page.locator('[data-answer]').fill(String(value));
      if (type === 'order') {
        // Move each item up into its place, top to bottom, with the move-up buttons.
        for (let target = 0; target < value.length; target++) {
          for (;;) {
            const ids = await page.locator('[data-item]').evaluateAll((els) => els.map((e) => e.dataset.item));
            const at = ids.indexOf(value[target]);
            if (at <= target) break;
            await press(page.locator(`[data-item="${value[target]}"] [data-action="move-up"]`));
          }
        }
      }
      if (type === 'matches') {
        for (const [prompt, match] of value) {
          const select = page.locator(`[data-pair="${prompt}"]`);
          const optionValue = await select.locator(`option[data-match="${match}"]`).getAttribute('value');
          await select.selectOption(optionValue);
        }
      }
      await press(page.locator('[data-action="answer"]'));
      await page.locator('.h-question .h-feedback').waitFor();
      await answerStays(page, type, value);
      return;
    }
    default:
      throw new Error(`unknown action ${JSON.stringify(action)}`);
  }
}


/**
 * After "Check answer" the form still shows the learner's own answer (it used to come back empty:
 * radios unticked, the ordering back at its shuffled start, matches unchosen, text gone).
 */
export async function answerStays(page, type, value) {
  const ticked = (sel) => page.locator(sel).isChecked();
  const where = `${type} ${JSON.stringify(value)}`;
  if (type === 'choice') assert.ok(await ticked(`[data-option="${value}"]`), where);
  if (type === 'choices') for (const id of value) assert.ok(await ticked(`[data-option="${id}"]`), where);
  if (type === 'bool') assert.ok(await ticked(`[data-bool="${value}"]`), where);
  if (type === 'scale') assert.ok(await ticked(`[data-scale="${value}"]`), where);
  if (type === 'text') assert.equal(await page.locator('[data-answer]').inputValue(), value, where);
  if (type === 'numeric') assert.equal(await page.locator('[data-answer]').inputValue(), String(value), where);
  if (type === 'order') {
    const ids = await page.locator('[data-item]').evaluateAll((els) => els.map((e) => e.dataset.item));
    assert.deepEqual(ids, value, where);
  }
  if (type === 'matches') {
    for (const [prompt, match] of value) {
      const chosen = await page.locator(`[data-pair="${prompt}"]`).evaluate((s) => s.selectedOptions[0]?.dataset.match);
      assert.equal(chosen, match, where);
    }
  }
}

/** What must match between engine and player: everything but timings. */
export const shape = (events) => events.map(({ duration_ms, ...rest }) => rest);
