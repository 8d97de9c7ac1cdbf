// The player inside LMSs, in a real browser: SCORM 1.2 and 2004 with scorm-again as the LMS (the
// final cmi data asserted for every ending of every example), and cmi5 against the Hearth LRS
// running as a real process, with a small launcher in this file playing the LMS (registration,
// fetch URL, LMS.LaunchData) — once straight through, once going offline mid-scenario.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { serve, browser, watchErrors } from './harness.mjs';
import { walks, perform, shape } from './play.mjs';
import { expected, playIn, startLrs, untilTerminated, checkCmi5Session } from './lms.mjs';

let server, chrome;

before(async () => {
  server = await serve();
  chrome = await browser();
});
after(async () => {
  await chrome?.close();
  await server?.close();
});

for (const version of ['12', '2004']) {
  for (const dir of ['examples/tuesday-night', 'examples/first-week']) {
    test(`SCORM ${version}: ${dir} to every ending, the final cmi data in scorm-again`, async () => {
      for (const walk of walks(dir)) {
        const page = await chrome.context.newPage();
        const errors = watchErrors(page);
        await page.goto(`${server.url}/hosts/scorm.html?version=${version}&module=${walk.module}&seed=0`);
        await page.evaluate(() => localStorage.clear());
        await page.reload();
        const frame = page.frameLocator('iframe');
        await playIn(frame, walk);
        const cmi = await page.evaluate(() => window.lmsData());
        const { ending, interactions, competencies } = expected(walk);
        const percent = String(Math.round(ending.scaled * 100));
        const status = walk.passed ? 'passed' : 'failed';
        const what = `${walk.ending} (SCORM ${version})`;
        if (version === '12') {
          assert.equal(cmi.core.lesson_status, status, what);
          assert.equal(cmi.core.score.raw, percent, what);
          assert.equal(cmi.core.score.max, '100', what);
        } else {
          assert.equal(cmi.completion_status, 'completed', what);
          assert.equal(cmi.success_status, status, what);
          assert.ok(Math.abs(Number(cmi.score.scaled) - ending.scaled) < 1e-9, `${what}: scaled ${cmi.score.scaled}`);
          assert.equal(cmi.score.raw, percent, what);
        }
        // scorm-again's JSON keeps SCORM's collections as objects keyed by index.
        const list = Object.values(cmi.interactions);
        assert.equal(list.length, interactions, `${what}: one interaction per decision and answer`);
        const wrong = version === '12' ? 'wrong' : 'incorrect';
        for (const i of list) assert.ok(['correct', wrong, 'neutral'].includes(i.result), `${what}: ${i.id} ${i.result}`);
        assert.equal(Object.values(cmi.objectives).length, competencies, `${what}: one objective per competency`);
        assert.deepEqual(errors, [], what);
        await page.close();
      }
    });
  }
}

test('SCORM 1.2: pausing leaves suspend data that a new session resumes from', async () => {
  const [walk] = walks('examples/tuesday-night');
  const page = await chrome.context.newPage();
  await page.goto(`${server.url}/hosts/scorm.html?version=12&module=${walk.module}&seed=0`);
  await page.evaluate(() => { localStorage.clear(); sessionStorage.clear(); });
  await page.reload();
  const frame = page.frameLocator('iframe');
  await frame.locator('[data-action="start"]').click();
  for (const action of walk.actions.slice(0, 4)) await perform(frame, action);
  await frame.locator('[data-action="pause"]').first().click();
  const cmi = await page.evaluate(() => window.lmsData());
  assert.equal(cmi.core.exit, 'suspend');
  assert.match(cmi.suspend_data, /^h2\|/);
  assert.equal(cmi.core.lesson_status, 'incomplete');
  // The LMS starts the next session with what this one left; this device forgets its copy.
  await page.evaluate(() => {
    const c = window.lmsData();
    sessionStorage.setItem('scorm-host:12', JSON.stringify({ cmi: { suspend_data: c.suspend_data, core: { entry: 'resume' } } }));
    localStorage.clear();
  });
  await page.goto(`${server.url}/hosts/scorm.html?version=12&module=${walk.module}&seed=0&resume=1`);
  const again = page.frameLocator('iframe');
  await again.locator('[data-action="continue-saved"]').click();
  for (const action of walk.actions.slice(4)) await perform(again, action);
  await again.locator('.h-results').waitFor();
  assert.equal((await page.evaluate(() => window.lmsData())).core.lesson_status, walk.passed ? 'passed' : 'failed');
  await page.close();
});

/** The LMS's part of a cmi5 launch: LaunchData, a one-time fetch URL, the launch URL. */
async function cmi5Launch(lrs, walk) {
  const registration = randomUUID();
  const session = randomUUID();
  const actor = { objectType: 'Agent', account: { homePage: 'https://lms.example', name: 'learner-' + registration.slice(0, 8) } };
  const activityId = `https://lms.example/activities/${walk.module}`;
  const launchData = {
    contextTemplate: {
      contextActivities: { grouping: [{ id: 'https://lms.example/courses/foster-care', objectType: 'Activity' }] },
      extensions: { 'https://w3id.org/xapi/cmi5/context/extensions/sessionid': session },
    },
    launchMode: 'Normal',
    moveOn: 'CompletedAndPassed',
    masteryScore: 0.6,
    returnURL: 'https://lms.example/course',
  };
  const q = new URLSearchParams({ activityId, agent: JSON.stringify(actor), registration, stateId: 'LMS.LaunchData' });
  const put = await lrs.xapi(`activities/state?${q}`, {
    method: 'PUT', body: JSON.stringify(launchData), headers: { 'content-type': 'application/json' },
  });
  assert.ok(put.ok, `LaunchData: ${put.status}`);
  // The learner's language, the cmi5 way (§11): the AU reads it at startup.
  const prefs = new URLSearchParams({ agent: JSON.stringify(actor), profileId: 'cmi5LearnerPreferences' });
  const pr = await lrs.xapi(`agents/profile?${prefs}`, {
    method: 'PUT', body: JSON.stringify({ languagePreference: walk.lang, audioPreference: 'on' }),
    headers: { 'content-type': 'application/json' },
  });
  assert.ok(pr.ok, `preferences: ${pr.status}`);
  // The fetch URL: answers one POST with a launch token from the LRS, then cmi5's error 1.
  let used = false;
  const fetchServer = http.createServer(async (req, res) => {
    const cors = { 'access-control-allow-origin': '*', 'content-type': 'application/json' };
    if (req.method === 'OPTIONS') { res.writeHead(204, { ...cors, 'access-control-allow-methods': 'POST' }).end(); return; }
    if (used) { res.writeHead(200, cors).end(JSON.stringify({ 'error-code': '1', 'error-text': 'already used' })); return; }
    used = true;
    const r = await lrs.xapi('launch-token', {
      method: 'POST', body: JSON.stringify({ actor, registration, activityId }), headers: { 'content-type': 'application/json' },
    });
    res.writeHead(200, cors).end(JSON.stringify({ 'auth-token': (await r.json())['auth-token'] }));
  });
  await new Promise((r) => fetchServer.listen(0, '127.0.0.1', r));
  const fetchUrl = `http://127.0.0.1:${fetchServer.address().port}/fetch`;
  const params = new URLSearchParams({ endpoint: lrs.endpoint, fetch: fetchUrl, actor: JSON.stringify(actor), registration, activityId });
  const url = `${server.url}/play.html?module=${walk.module}&seed=0&format=cmi5&${params}`;
  return { url, registration, close: () => new Promise((r) => fetchServer.close(r)) };
}

test('cmi5: every ending of both examples, launched against the Hearth LRS, leaves its session in order', async () => {
  const lrs = await startLrs();
  try {
    const all5 = [...walks('examples/tuesday-night', 'ar'), ...walks('examples/first-week', 'fa')];
    const first = all5[0];
    for (const walk of all5) {
      const launch = await cmi5Launch(lrs, walk);
      const page = await chrome.context.newPage();
      const errors = watchErrors(page);
      if (process.env.HEARTH_DEBUG) page.on('console', (m) => console.log('console:', m.type(), m.text()));
      if (process.env.HEARTH_DEBUG) page.on('requestfailed', (r) => console.log('failed:', r.url(), r.failure()?.errorText));
      if (process.env.HEARTH_DEBUG) page.on('response', async (r) => { if (r.status() >= 400) console.log('400:', (await r.text().catch(() => '')).slice(0, 600), (r.request().postData() ?? '').slice(0, 1500)); });
      await page.goto(launch.url);
      await page.evaluate(() => localStorage.clear());
      await playIn(page, walk);
      await page.locator('[data-delivery="sent"]').waitFor();
      // "Return to the course" ends the session (`terminated`) and goes to the LMS's returnURL.
      await page.route('https://lms.example/**', (r) => r.fulfill({ contentType: 'text/html', body: '<title>Course</title>' }));
      await page.locator('[data-action="return"]').click();
      await page.waitForURL('https://lms.example/course');
      const all = await untilTerminated(lrs, launch.registration);
      await page.close();
      if (walk === first) {
        // The same launch URL in a new tab: the fetch URL has been used, and the learner is told.
        const again = await chrome.context.newPage();
        await again.goto(launch.url);
        const alert = await again.locator('[role="alert"]').textContent();
        assert.match(alert, /cmi5 launch did not work.*already used/, alert);
        await again.close();
      }
      checkCmi5Session(all, walk);
      assert.ok(all.every((s) => s.context.language === walk.lang), 'statements carry the learner language');
      const verdict = all.find((s) => /\/(passed|failed)$/.test(s.verb.id));
      const { ending } = expected(walk);
      // cmi5 §9.5.1: the score goes with the verdict unless the band alone failed a learner who
      // scored above the mastery score (0.6 in this launch).
      if (verdict.result.score) {
        assert.ok(Math.abs(verdict.result.score.scaled - ending.scaled) < 1e-9, `${walk.ending}: the score`);
      } else {
        assert.ok(!walk.passed && ending.scaled >= 0.6, `${walk.ending}: a score left out only when the band fails`);
      }
      assert.deepEqual(errors, []);
      await launch.close();
    }
  } finally {
    lrs.stop();
  }
});

test('offline mid-scenario, reloaded, back online: every statement reaches the LRS exactly once', async () => {
  const lrs = await startLrs();
  try {
    const walk = walks('examples/tuesday-night')[0];
    const launch = await cmi5Launch(lrs, walk);
    const page = await chrome.context.newPage();
    if (process.env.HEARTH_DEBUG) page.on('response', async (r) => { if (r.status() >= 400) console.log('ERR', r.status(), r.request().method(), (await r.text().catch(() => '')).slice(0, 300)); });
    if (process.env.HEARTH_DEBUG) page.on('console', (m) => console.log('console:', m.type(), m.text().slice(0, 200)));
    await page.goto(launch.url);
    await page.evaluate(() => localStorage.clear());
    await page.locator('[data-action="start"]').click();
    const half = Math.floor(walk.actions.length / 2);
    for (const action of walk.actions.slice(0, half)) await perform(page, action);
    await chrome.context.setOffline(true);
    for (const action of walk.actions.slice(half, half + 3)) await perform(page, action);
    await page.locator('[data-delivery="local"]').waitFor();
    await page.reload().catch(() => {}); // offline: the page itself cannot load
    await chrome.context.setOffline(false);
    await page.goto(launch.url);
    await page.locator('[data-action="continue-saved"]').click();
    for (const action of walk.actions.slice(half + 3)) await perform(page, action);
    await page.locator('.h-results').waitFor();
    await page.locator('[data-delivery="sent"]').waitFor();
    await page.goto('about:blank');
    const all = await untilTerminated(lrs, launch.registration);
    await page.close();
    const verbs = all.map((s) => s.verb.id.split('/').pop());
    assert.equal(verbs[0], 'initialized');
    const answers = walk.events.filter((e) => e.type === 'choice_made' || e.type === 'question_answered').length;
    assert.equal(verbs.filter((v) => v === 'answered').length, answers, verbs.join(' '));
    assert.equal(verbs.filter((v) => v === 'completed').length, 1);
    assert.equal(new Set(all.map((s) => s.id)).size, all.length, 'no statement twice');
    await launch.close();
  } finally {
    lrs.stop();
  }
});

test('postMessage: a host page receives every statement and event, only on its own origin', async () => {
  const walk = walks('examples/tuesday-night')[0];
  const actor = { objectType: 'Agent', account: { homePage: 'https://host.example', name: 'learner-pm' } };
  const q = new URLSearchParams({ module: walk.module, seed: '0', activity_id: 'https://host.example/m/tuesday', actor: JSON.stringify(actor) });
  const page = await chrome.context.newPage();
  const errors = watchErrors(page);
  await page.goto(`${server.url}/hosts/postmessage.html?${q}`);
  await page.evaluate(() => localStorage.clear());
  await page.reload();
  await playIn(page.frameLocator('iframe'), walk);
  // The player's page goes away (the host navigates): `terminated` is posted on the way out.
  await page.evaluate(() => { document.querySelector('iframe').src = 'about:blank'; });
  await page.waitForFunction(() => window.received.some((m) => m.statements.some((s) => s.verb.id.endsWith('/terminated'))));
  const received = await page.evaluate(() => window.received);
  const statements = received.flatMap((m) => m.statements);
  const events = received.flatMap((m) => m.events);
  assert.deepEqual(shape(events), shape(walk.events), 'the engine\'s events, in order');
  const verbs = statements.map((s) => s.verb.id.split('/').pop());
  assert.equal(verbs[0], 'initialized', verbs.join(' '));
  assert.equal(verbs.at(-1), 'terminated', verbs.join(' '));
  assert.equal(verbs.filter((v) => v === (walk.passed ? 'passed' : 'failed')).length, 1);
  assert.ok(statements.every((s) => s.actor.account.name === 'learner-pm' && s.context.registration));
  assert.equal(new Set(statements.map((s) => s.id)).size, statements.length);
  assert.deepEqual(errors, []);
  // Told to post to another origin, the player's messages never reach this page.
  await page.goto(`${server.url}/hosts/postmessage.html?${q}&target=${encodeURIComponent('https://elsewhere.example')}`);
  await page.frameLocator('iframe').locator('[data-action="start"]').click();
  await page.frameLocator('iframe').locator('.h-step').first().waitFor();
  await new Promise((r) => setTimeout(r, 500));
  assert.deepEqual(await page.evaluate(() => window.received), []);
  await page.close();
});
