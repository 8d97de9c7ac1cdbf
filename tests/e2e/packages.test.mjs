// The packages `hearth build` writes, each played in its host in Chromium: the SCORM 1.2 and 2004
// zips unpacked under a page where scorm-again is the LMS, the xAPI package launched with a
// launch link against the Hearth LRS, the cmi5 zip launched by `hearth serve` (its small LMS and
// its embedded LRS), and the plain embed in a plain page — also where the server sends `.wasm`
// with the wrong content type, as some LMSs do.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, DIST, MOUNTS, serve, browser, watchErrors } from './harness.mjs';
import { walks } from './play.mjs';
import { HEARTH, expected, playIn, startLrs, untilTerminated, checkCmi5Session, hearthServe } from './lms.mjs';

const EXAMPLES = ['examples/tuesday-night', 'examples/first-week'];
let tmp, unpacked, server, chrome;

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-packages-'));
  const out = path.join(tmp, 'zips');
  execFileSync(HEARTH, ['build', ...EXAMPLES, '--format', 'all', '--out', out, '--player', DIST], { cwd: ROOT });
  // Unpacked as an LMS does: each zip into a folder of its own name.
  unpacked = path.join(tmp, 'www');
  for (const zip of fs.readdirSync(out)) {
    execFileSync('python3', ['-m', 'zipfile', '-e', path.join(out, zip), path.join(unpacked, zip.replace(/\.zip$/, ''))]);
  }
  server = await serve(unpacked, MOUNTS);
  chrome = await browser();
});
after(async () => {
  await chrome?.close();
  await server?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

for (const version of ['12', '2004']) {
  test(`SCORM ${version} packages: each example played to an ending inside scorm-again`, async () => {
    for (const dir of EXAMPLES) {
      const walk = walks(dir)[0];
      const pkg = `${walk.module}-scorm${version}`;
      const page = await chrome.context.newPage();
      const errors = watchErrors(page);
      await page.goto(`${server.url}/hosts/scorm.html?version=${version}&src=/${pkg}/index.html%3Fseed%3D0`);
      await page.evaluate(() => localStorage.clear());
      await page.reload();
      await playIn(page.frameLocator('iframe'), walk);
      const cmi = await page.evaluate(() => window.lmsData());
      const { ending, interactions } = expected(walk);
      const status = walk.passed ? 'passed' : 'failed';
      const percent = String(Math.round(ending.scaled * 100));
      if (version === '12') {
        assert.equal(cmi.core.lesson_status, status, pkg);
        assert.equal(cmi.core.score.raw, percent, pkg);
      } else {
        assert.equal(cmi.completion_status, 'completed', pkg);
        assert.equal(cmi.success_status, status, pkg);
        assert.equal(cmi.score.raw, percent, pkg);
      }
      assert.equal(Object.values(cmi.interactions).length, interactions, pkg);
      assert.deepEqual(errors, [], pkg);
      await page.close();
    }
  });
}

test('a SCORM package built with --lrs reports to scorm-again and, through a package key, to the Hearth LRS', async () => {
  const lrs = await startLrs();
  try {
    const home = 'https://lms.example';
    const made = lrs.cli('credential', 'add', '--tenant', 'lms', '--scope', 'package', '--origin', server.url,
      '--home-page', home, '--activity-prefix', 'urn:hearth:module:');
    const key = made.match(/package key:\s+(\S+)/)[1];
    const zips = path.join(tmp, 'with-lrs');
    execFileSync(HEARTH, ['build', 'examples/first-week', '--format', 'scorm12,scorm2004', '--out', zips, '--player', DIST,
      '--lrs', lrs.endpoint, '--lrs-key', key, '--lrs-home', home], { cwd: ROOT });
    const walk = walks('examples/first-week')[0];
    for (const version of ['12', '2004']) {
      const pkg = `${walk.module}-scorm${version}-lrs`;
      execFileSync('python3', ['-m', 'zipfile', '-e', path.join(zips, `${walk.module}-scorm${version}.zip`), path.join(unpacked, pkg)]);
      const learner = `s-${version}`;
      const page = await chrome.context.newPage();
      const errors = watchErrors(page);
      await page.goto(`${server.url}/hosts/scorm.html?version=${version}&learner=${learner}&src=/${pkg}/index.html%3Fseed%3D0`);
      await page.evaluate(() => localStorage.clear());
      await page.reload();
      const frame = page.frameLocator('iframe');
      await playIn(frame, walk);
      await frame.locator('[data-delivery="sent"]').waitFor();
      const cmi = await page.evaluate(() => window.lmsData());
      const status = walk.passed ? 'passed' : 'failed';
      assert.equal(version === '12' ? cmi.core.lesson_status : cmi.success_status, status);
      await page.goto('about:blank');
      // The learner's statements, found by the account the SCORM learner id became.
      const agent = encodeURIComponent(JSON.stringify({ account: { homePage: home, name: learner } }));
      let all = [];
      for (let i = 0; i < 100 && !all.some((s) => s.verb.id.endsWith('/terminated')); i++) {
        all = (await (await lrs.xapi(`statements?agent=${agent}&ascending=true&limit=500`)).json()).statements;
        await new Promise((r) => setTimeout(r, 100));
      }
      const verbs = all.map((s) => s.verb.id.split('/').pop());
      assert.equal(verbs[0], 'initialized', verbs.join(' '));
      assert.equal(verbs.at(-1), 'terminated', verbs.join(' '));
      assert.equal(verbs.filter((v) => v === status).length, 1, verbs.join(' '));
      const answers = walk.events.filter((e) => e.type === 'choice_made' || e.type === 'question_answered').length;
      assert.equal(verbs.filter((v) => v === 'answered').length, answers, verbs.join(' '));
      assert.equal(new Set(all.map((s) => s.context.registration)).size, 1, 'one registration for the attempt');
      assert.ok(all.every((s) => s.actor.name === 'Learner, Test'));
      assert.deepEqual(errors, []);
      await page.close();
    }
  } finally {
    lrs.stop();
  }
});

test('the xAPI packages, launched with a launch link, leave every ending\'s statements in the Hearth LRS', async () => {
  const lrs = await startLrs();
  try {
    for (const walk of EXAMPLES.flatMap((d) => walks(d))) {
      const tincan = fs.readFileSync(path.join(unpacked, `${walk.module}-xapi`, 'tincan.xml'), 'utf8');
      const activityId = tincan.match(/<activity id="([^"]+)"/)[1];
      const registration = randomUUID();
      const actor = { objectType: 'Agent', account: { homePage: 'https://lms.example', name: 'learner-x' } };
      // What mod_tincanlaunch puts on the launch URL.
      const q = new URLSearchParams({
        endpoint: lrs.endpoint, auth: lrs.auth, actor: JSON.stringify(actor), registration, activity_id: activityId, seed: '0',
      });
      const page = await chrome.context.newPage();
      const errors = watchErrors(page);
      await page.goto(`${server.url}/${walk.module}-xapi/index.html?${q}`);
      await page.evaluate(() => localStorage.clear());
      await page.reload();
      await playIn(page, walk);
      await page.locator('[data-delivery="sent"]').waitFor();
      await page.goto('about:blank');
      const all = await untilTerminated(lrs, registration);
      await page.close();
      const verbs = all.map((s) => s.verb.id.split('/').pop());
      const what = `${walk.ending}: ${verbs.join(' ')}`;
      assert.equal(verbs[0], 'initialized', what);
      assert.equal(verbs.filter((v) => v === 'completed').length, 1, what);
      assert.equal(verbs.filter((v) => v === (walk.passed ? 'passed' : 'failed')).length, 1, what);
      const answers = walk.events.filter((e) => e.type === 'choice_made' || e.type === 'question_answered').length;
      assert.equal(verbs.filter((v) => v === 'answered').length, answers, what);
      assert.equal(new Set(all.map((s) => s.id)).size, all.length, 'nothing twice');
      assert.ok(all.every((s) => s.object.id === activityId || s.context?.contextActivities?.parent?.[0]?.id === activityId),
        'statements are about the activity tincan.xml names');
      assert.deepEqual(errors, [], walk.ending);
    }
  } finally {
    lrs.stop();
  }
});

test('the cmi5 zip, launched by hearth serve, leaves the session in its LRS and its results page', async () => {
  const dir = fs.mkdtempSync(path.join(tmp, 'cmi5-'));
  const walk = walks('examples/tuesday-night', 'tr')[0];
  fs.copyFileSync(path.join(tmp, 'zips', `${walk.module}-cmi5.zip`), path.join(dir, `${walk.module}-cmi5.zip`));
  const srv = await hearthServe(dir);
  try {
    const page = await chrome.context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${srv.base}/launch/${walk.module}-cmi5?lang=tr&seed=0`);
    await page.waitForURL(/\/au\//);
    const registration = new URL(page.url()).searchParams.get('registration');
    await page.evaluate(() => localStorage.clear());
    await playIn(page, walk);
    await page.locator('[data-delivery="sent"]').waitFor();
    await page.goto('about:blank');
    // The statements, read with the server's own credential from its data folder.
    const cred = JSON.parse(fs.readFileSync(path.join(srv.data, 'credential.json'), 'utf8'));
    const lrs = {
      endpoint: `${srv.base}/xapi/`,
      auth: 'Basic ' + Buffer.from(`${cred.key}:${cred.secret}`).toString('base64'),
    };
    lrs.xapi = (p) => fetch(lrs.endpoint + p, { headers: { authorization: lrs.auth, 'x-experience-api-version': '1.0.3' } });
    const all = await untilTerminated(lrs, registration);
    // The LMS's `launched` first, then the AU's session in cmi5 order.
    assert.equal(all[0].verb.id, 'http://adlnet.gov/expapi/verbs/launched');
    checkCmi5Session(all.slice(1), walk);
    assert.ok(all.slice(1).every((s) => s.context.language === 'tr'), 'the language picked in the catalogue');
    await page.goto(`${srv.base}/results/${walk.module}-cmi5`);
    const row = page.locator(`tr[data-registration="${registration}"]`);
    assert.equal(await row.locator('[data-outcome]').textContent(), walk.passed ? 'passed' : 'failed');
    assert.deepEqual(errors, []);
    await page.close();
  } finally {
    srv.stop();
  }
});

test('hearth serve previews a module folder: catalogue, launch, results', async () => {
  const srv = await hearthServe(path.join(ROOT, 'examples'));
  try {
    const walk = walks('examples/first-week')[0];
    const page = await chrome.context.newPage();
    const errors = watchErrors(page);
    // The catalogue's Play button lands on the AU …
    await page.goto(`${srv.base}/`);
    await page.locator('[data-module="first-week"] button[type="submit"]').click();
    await page.waitForURL(/\/au\/first-week\/index.html/);
    await page.locator('[data-action="start"]').waitFor();
    // … and a launch with a fixed draw plays to an ending.
    await page.goto(`${srv.base}/launch/first-week?seed=0`);
    await page.waitForURL(/\/au\//);
    await page.evaluate(() => localStorage.clear());
    await playIn(page, walk);
    await page.locator('[data-delivery="sent"]').waitFor();
    // "Return to the course" goes where hearth serve's LaunchData says: this attempt's results.
    await page.locator('[data-action="return"]').click();
    await page.waitForURL(/\/results\/first-week\/[0-9a-f-]+$/);
    for (let i = 0; i < 50 && !(await page.locator('[data-verb="terminated"]').count()); i++) {
      await new Promise((r) => setTimeout(r, 100));
      await page.reload();
    }
    assert.equal(await page.locator('[data-verb="terminated"]').count(), 1);
    await page.goto(`${srv.base}/results/first-week`);
    assert.equal(await page.locator('tbody tr').count(), 2);
    assert.deepEqual(await page.locator('tbody [data-outcome]').allTextContents(), [walk.passed ? 'passed' : 'failed', 'in progress']);
    assert.deepEqual(errors, []);
    await page.close();
  } finally {
    srv.stop();
  }
});

for (const [label, types] of [['served as application/wasm', {}], ['with .wasm served as application/octet-stream', { '.wasm': 'application/octet-stream' }]]) {
  test(`the plain embed plays in a plain page, ${label}`, async () => {
    const plain = await serve(unpacked, {}, types);
    try {
      for (const dir of EXAMPLES) {
        const walk = walks(dir)[0];
        const page = await chrome.context.newPage();
        const errors = watchErrors(page);
        await page.goto(`${plain.url}/${walk.module}-html/index.html?seed=0`);
        await page.evaluate(() => localStorage.clear());
        await page.reload();
        await playIn(page, walk);
        assert.deepEqual(errors, [], walk.module);
        await page.close();
      }
    } finally {
      await plain.close();
    }
  });
}
