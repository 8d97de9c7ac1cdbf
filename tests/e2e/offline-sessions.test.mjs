// What happens to a learner's record between launches, in a real browser against `hearth serve`
// (the LMS side of cmi5 and the Hearth LRS in one process): statements an earlier launch left on
// the device, cmi5 sessions across reloads and relaunches, a device whose localStorage is full or
// missing, and progress that follows the learner to another device through the LRS State API.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import readline from 'node:readline';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, DIST, browser, watchErrors } from './harness.mjs';
import { walks, perform } from './play.mjs';
import { HEARTH, statementsOf } from './lms.mjs';

const SLUG = 'tuesday-night';
const SESSION = 'https://w3id.org/xapi/cmi5/context/extensions/sessionid';
const PROGRESS = 'https://w3id.org/xapi/hearth/state/progress';
let data, srv, lrs, walk;

/** `hearth serve examples` on `listen`, its LRS in `data` (kept when it stops, as a real LMS's is). */
async function serveAt(listen) {
  const proc = spawn(HEARTH, ['serve', path.join(ROOT, 'examples'), '--listen', listen, '--data', data, '--player', DIST], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const lines = readline.createInterface({ input: proc.stderr });
  const base = await new Promise((resolve, reject) => {
    lines.on('line', (l) => { const m = l.match(/^Hearth is at (http:\/\/[^/ ]+)/); if (m) resolve(m[1]); });
    proc.on('exit', (code) => reject(new Error(`hearth serve exited with ${code}`)));
  });
  const stop = () => new Promise((r) => { proc.removeAllListeners('exit'); proc.on('exit', r); proc.kill(); });
  return { base, stop };
}

before(async () => {
  data = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-offline-'));
  srv = await serveAt('127.0.0.1:0');
  const cred = JSON.parse(fs.readFileSync(path.join(data, 'credential.json'), 'utf8'));
  const auth = 'Basic ' + Buffer.from(`${cred.key}:${cred.secret}`).toString('base64');
  lrs = { endpoint: `${srv.base}/xapi/`, auth };
  lrs.xapi = (p) => fetch(lrs.endpoint + p, { headers: { authorization: auth, 'x-experience-api-version': '1.0.3' } });
  walk = walks(`examples/${SLUG}`)[0];
});
after(async () => {
  await srv?.stop();
  fs.rmSync(data, { recursive: true, force: true });
});

/** A launch from the LMS (a new registration, or again in `registration`); the AU page open. */
async function launch(context, { learner, registration } = {}) {
  const page = await context.newPage();
  if (process.env.HEARTH_DEBUG) page.on('console', (m) => console.log('console:', m.type(), m.text().slice(0, 300)));
  const q = new URLSearchParams({ seed: '0' });
  if (learner) q.set('learner', learner);
  if (registration) q.set('registration', registration);
  await page.goto(`${srv.base}/launch/${SLUG}?${q}`);
  await page.waitForURL(/\/au\//);
  const url = new URL(page.url());
  return {
    page,
    registration: url.searchParams.get('registration'),
    actor: url.searchParams.get('actor'),
    activity: url.searchParams.get('activityId'),
  };
}

const verb = (s) => s.verb.id.split('/').pop();
const verbs = (all) => all.map(verb).join(' ');
const answers = (actions) => actions.filter((a) => a.action === 'choose' || a.action === 'answer').length;
const answered = (all) => all.filter((s) => verb(s) === 'answered').length;

/** Polls `f` until it returns something truthy (10 s at most). */
async function until(f, what) {
  let last;
  for (let i = 0; i < 100; i++) {
    last = await f();
    if (last) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out: ${what()}`);
}

/** The AU's statements of each session (the LMS's `launched` and `abandoned` left out). */
function bySession(all) {
  const sessions = new Map();
  for (const s of all) {
    if (['launched', 'abandoned'].includes(verb(s))) continue;
    const id = s.context.extensions?.[SESSION];
    assert.ok(id, `${verb(s)} carries the session id`);
    if (!sessions.has(id)) sessions.set(id, []);
    sessions.get(id).push(s);
  }
  return sessions;
}

/** What the results page of `hearth serve` says in "Session ended" for a registration. */
async function ended(context, registration) {
  const page = await context.newPage();
  await page.goto(`${srv.base}/results/${SLUG}`);
  const text = await page.locator(`tr[data-registration="${registration}"] td`).nth(6).textContent();
  await page.close();
  return text;
}

test('offline, the tab closed, a new launch from the LMS: the earlier launch\'s statements arrive', async () => {
  const chrome = await browser();
  try {
    const first = await launch(chrome.context, { learner: 'ana' });
    const page = first.page;
    await page.locator('[data-action="start"]').click();
    const half = Math.floor(walk.actions.length / 2);
    for (const action of walk.actions.slice(0, half)) await perform(page, action);
    await page.locator('[data-delivery="sent"]').waitFor();
    // The LRS is out of reach (the server is down) while the learner answers, and when the tab
    // is closed: nothing of that reaches it, not even the requests sent as the page goes.
    await srv.stop();
    for (const action of walk.actions.slice(half, half + 3)) await perform(page, action);
    await page.locator('[data-delivery="local"]').waitFor();
    await page.goto('about:blank');
    await page.close();
    srv = await serveAt(new URL(srv.base).host);
    // The LMS makes a new registration: the queue belongs to the device and the LRS, not to a launch.
    const second = await launch(chrome.context, { learner: 'ana' });
    assert.notEqual(second.registration, first.registration);
    const want = answers(walk.actions.slice(0, half + 3));
    const all = await until(
      async () => { const a = await statementsOf(lrs, first.registration); return answered(a) === want && a; },
      () => `the first registration never got its ${want} answers`,
    );
    assert.equal(new Set(all.map((s) => s.id)).size, all.length, 'no statement twice');
    await second.page.locator('[data-action="start"]').click();
    await second.page.locator('[data-delivery="sent"]').waitFor();
    assert.equal(verb((await statementsOf(lrs, second.registration)).at(-1)), 'initialized');
  } finally {
    await chrome.close();
  }
});

test('cmi5: a reload goes on in the same session; one terminated per session, and nothing after it', async () => {
  const chrome = await browser();
  try {
    const { page, registration } = await launch(chrome.context, { learner: 'ben' });
    const errors = watchErrors(page);
    await page.locator('[data-action="start"]').click();
    for (const action of walk.actions.slice(0, 3)) await perform(page, action);
    await page.locator('[data-delivery="sent"]').waitFor();
    await page.reload();
    await page.locator('[data-action="continue-saved"]').click();
    await perform(page, walk.actions[3]);
    await page.locator('[data-delivery="sent"]').waitFor();
    // The learner is still playing: the session has not ended, and the results page says so.
    const mid = await statementsOf(lrs, registration);
    assert.equal(mid.filter((s) => verb(s) === 'terminated').length, 0, verbs(mid));
    assert.equal(await ended(chrome.context, registration), 'not yet');
    for (const action of walk.actions.slice(4)) await perform(page, action);
    await page.locator('.h-results').waitFor();
    await page.locator('[data-delivery="sent"]').waitFor();
    const all = await until(
      async () => { const a = await statementsOf(lrs, registration); return a.some((s) => verb(s) === 'terminated') && a; },
      () => 'no terminated after the ending',
    );
    const sessions = bySession(all);
    assert.equal(sessions.size, 1, 'a reload is not a new session');
    for (const [, list] of sessions) {
      const v = list.map(verb);
      assert.equal(v[0], 'initialized', v.join(' '));
      assert.equal(v.filter((x) => x === 'initialized').length, 1, v.join(' '));
      assert.equal(v.filter((x) => x === 'terminated').length, 1, v.join(' '));
      assert.equal(v.at(-1), 'terminated', `nothing after terminated: ${v.join(' ')}`);
    }
    assert.equal(answered(all), answers(walk.actions));
    assert.equal(await ended(chrome.context, registration), 'yes');
    assert.deepEqual(errors, []);
  } finally {
    await chrome.close();
  }
});

test('cmi5: a relaunch is a new session that starts with initialized; the one left open is abandoned', async () => {
  const chrome = await browser();
  try {
    const first = await launch(chrome.context, { learner: 'cy' });
    await first.page.locator('[data-action="start"]').click();
    for (const action of walk.actions.slice(0, 3)) await perform(first.page, action);
    await first.page.locator('[data-delivery="sent"]').waitFor();
    await first.page.goto('about:blank');
    await first.page.close();
    const again = await launch(chrome.context, { registration: first.registration });
    assert.equal(again.registration, first.registration, 'launched again in the same registration');
    await again.page.locator('[data-action="continue-saved"]').click();
    for (const action of walk.actions.slice(3, 5)) await perform(again.page, action);
    await again.page.locator('[data-delivery="sent"]').waitFor();
    let all = await statementsOf(lrs, first.registration);
    const launches = all.filter((s) => verb(s) === 'launched').map((s) => s.context.extensions[SESSION]);
    assert.equal(new Set(launches).size, 2, 'two sessions launched');
    const [s1, s2] = launches;
    const abandoned = all.filter((s) => verb(s) === 'abandoned');
    assert.deepEqual(abandoned.map((s) => s.context.extensions[SESSION]), [s1], 'the first session abandoned, by the LMS');
    assert.match(abandoned[0].result.duration, /^PT/);
    const sessions = bySession(all);
    assert.ok(!sessions.get(s1).some((s) => verb(s) === 'terminated'), 'closing the tab does not terminate');
    const second = sessions.get(s2).map(verb);
    assert.equal(second[0], 'initialized', `the new session starts with initialized: ${second.join(' ')}`);
    assert.ok(second.includes('resumed'), second.join(' '));
    assert.equal(await ended(chrome.context, first.registration), 'not yet');
    for (const action of walk.actions.slice(5)) await perform(again.page, action);
    await again.page.locator('.h-results').waitFor();
    all = await until(
      async () => { const a = await statementsOf(lrs, first.registration); return a.some((s) => verb(s) === 'terminated') && a; },
      () => 'no terminated after the ending',
    );
    assert.equal(answered(all), answers(walk.actions), 'every answer once');
    assert.equal(new Set(all.map((s) => s.id)).size, all.length);
    assert.equal(await ended(chrome.context, first.registration), 'yes');
  } finally {
    await chrome.close();
  }
});

const BROKEN_STORAGE = {
  // Every write refused, as when the quota is used up.
  full: () => {
    Storage.prototype.setItem = function () { throw new DOMException('The quota has been exceeded.', 'QuotaExceededError'); };
  },
  // No localStorage at all (blocked by the browser's settings, or a sandboxed frame).
  missing: () => {
    Object.defineProperty(window, 'localStorage', { configurable: true, get() { throw new DOMException('The operation is insecure.', 'SecurityError'); } });
  },
};

for (const [name, script] of Object.entries(BROKEN_STORAGE)) {
  test(`localStorage ${name}: statements wait in memory, the learner is told, and every one arrives once`, async () => {
    const chrome = await browser();
    try {
      await chrome.context.addInitScript(script);
      const { page, registration } = await launch(chrome.context, { learner: `dee-${name}` });
      await page.locator('[data-action="start"]').click();
      for (const action of walk.actions.slice(0, 2)) await perform(page, action);
      await chrome.context.setOffline(true);
      for (const action of walk.actions.slice(2, 4)) await perform(page, action);
      // Not "saved on this device": it is not. The learner is told to keep the page open.
      await page.locator('[data-delivery="memory"]').waitFor();
      await chrome.context.setOffline(false);
      await page.locator('[data-delivery="sent"]').waitFor({ timeout: 10000 });
      for (const action of walk.actions.slice(4)) await perform(page, action);
      await page.locator('.h-results').waitFor();
      const all = await until(
        async () => { const a = await statementsOf(lrs, registration); return a.some((s) => verb(s) === 'terminated') && a; },
        async () => `no terminated; the LRS has ${verbs(await statementsOf(lrs, registration))}`,
      );
      assert.equal(answered(all), answers(walk.actions), verbs(all));
      assert.equal(all.filter((s) => verb(s) === 'completed').length, 1);
      assert.equal(new Set(all.map((s) => s.id)).size, all.length);
    } finally {
      await chrome.close();
    }
  });
}

test('cmi5: progress follows the learner to another device through the LRS State API', async () => {
  const phone = await browser();
  const pc = await browser();
  try {
    const first = await launch(pc.context, { learner: 'eve' });
    await first.page.locator('[data-action="start"]').click();
    for (const action of walk.actions.slice(0, 4)) await perform(first.page, action);
    const where = await first.page.locator('.h-progress').textContent();
    // The engine's saved state, as the device keeps it.
    const onDevice = await first.page.evaluate(() => Object.values(localStorage).find((v) => v.startsWith('h2|')));
    assert.ok(onDevice, 'progress kept on the device');
    // The same progress in the LRS (written through after each step).
    const q = new URLSearchParams({ activityId: first.activity, agent: first.actor, registration: first.registration, stateId: PROGRESS });
    await until(async () => {
      const r = await lrs.xapi(`activities/state?${q}`);
      return r.ok && (await r.json()).progress === onDevice;
    }, () => 'the progress document never matched the device');
    await pc.close();
    // Another device (its own localStorage), the same learner and registration.
    const again = await launch(phone.context, { registration: first.registration });
    await again.page.locator('[data-action="continue-saved"]').click();
    assert.equal(await again.page.locator('.h-progress').textContent(), where);
    for (const action of walk.actions.slice(4)) await perform(again.page, action);
    await again.page.locator('.h-results').waitFor();
    await again.page.locator('[data-delivery="sent"]').waitFor();
    const all = await statementsOf(lrs, first.registration);
    assert.equal(answered(all), answers(walk.actions), verbs(all));
  } finally {
    await phone.close();
    await pc.close().catch(() => {});
  }
});
