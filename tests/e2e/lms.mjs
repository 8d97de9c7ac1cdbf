// What the LMS tests share: playing a walk inside a host, the Hearth LRS as a process, reading a
// registration's statements back, and what a cmi5 session must contain.
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import readline from 'node:readline';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, DIST } from './harness.mjs';
import { perform } from './play.mjs';

export const HEARTH = path.join(process.env.CARGO_TARGET_DIR ?? path.join(ROOT, 'target'), 'debug/hearth');

/** What the engine's walk says the LMS must end up with. */
export function expected(walk) {
  const ending = walk.events.find((e) => e.type === 'ending_reached');
  const interactions = walk.events.filter(
    (e) => e.type === 'choice_made' || (e.type === 'question_answered' && e.final_answer),
  ).length;
  const competencies = walk.events.filter((e) => e.type === 'competency_scored').length;
  return { ending, interactions, competencies };
}

/** Plays `walk` in the player inside `frame` (a FrameLocator or Page), to the results screen. */
export async function playIn(frame, walk) {
  await frame.locator('[data-action="start"]').click();
  for (const action of walk.actions) await perform(frame, action);
  await frame.locator('.h-results').waitFor();
}

/** `hearth serve DIR` on a free port; resolves to { base, data, stop }. */
export async function hearthServe(dir) {
  const data = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-serve-'));
  const proc = spawn(HEARTH, ['serve', dir, '--listen', '127.0.0.1:0', '--data', data, '--player', DIST], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const lines = readline.createInterface({ input: proc.stderr });
  const base = await new Promise((resolve, reject) => {
    lines.on('line', (l) => { const m = l.match(/^Hearth is at (http:\/\/[^/ ]+)/); if (m) resolve(m[1]); });
    proc.on('exit', (code) => reject(new Error(`hearth serve exited with ${code}`)));
  });
  return { base, data, stop: () => { proc.kill(); fs.rmSync(data, { recursive: true, force: true }); } };
}

/** The Hearth LRS as a real process on a temporary SQLite file, with a tenant and credentials. */
export async function startLrs() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-lrs-'));
  const db = `sqlite:${path.join(dir, 'lrs.db')}`;
  const run = (...args) => execFileSync(HEARTH, ['lrs', '--database', db, ...args], { encoding: 'utf8' });
  run('tenant', 'add', 'lms');
  const cred = (scope) => {
    const out = run('credential', 'add', '--tenant', 'lms', '--scope', scope);
    return { key: out.match(/key:?\s+(\S+)/i)[1], secret: out.match(/secret:?\s+(\S+)/i)[1] };
  };
  const admin = cred('all');
  const port = 20000 + Math.floor(Math.random() * 20000);
  const proc = spawn(HEARTH, ['lrs', '--database', db, 'serve', '--listen', `127.0.0.1:${port}`], { stdio: 'ignore' });
  const endpoint = `http://127.0.0.1:${port}/xapi/`;
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health`)).ok) break;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  const auth = 'Basic ' + Buffer.from(`${admin.key}:${admin.secret}`).toString('base64');
  const xapi = (p, init = {}) =>
    fetch(endpoint + p, { ...init, headers: { authorization: auth, 'x-experience-api-version': '1.0.3', ...init.headers } });
  return { endpoint, xapi, auth, cli: run, stop: () => { proc.kill(); fs.rmSync(dir, { recursive: true, force: true }); } };
}

/** Every statement of a registration, following `more`. */
export async function statementsOf(lrs, registration) {
  let r = await (await lrs.xapi(`statements?registration=${registration}&limit=500&ascending=true`)).json();
  const all = [...r.statements];
  while (r.more) {
    r = await (await fetch(new URL(r.more, lrs.endpoint), { headers: { authorization: lrs.auth, 'x-experience-api-version': '1.0.3' } })).json();
    all.push(...r.statements);
  }
  return all;
}

/** Waits until the registration has a `terminated` statement (sent as the page goes). */
export async function untilTerminated(lrs, registration) {
  for (let i = 0; i < 100; i++) {
    const all = await statementsOf(lrs, registration);
    if (all.some((s) => s.verb.id.endsWith('/terminated'))) return all;
    await new Promise((r) => setTimeout(r, 100));
  }
  const all = await statementsOf(lrs, registration);
  throw new Error(`no terminated statement arrived; the LRS has: ${all.map((s) => s.verb.id.split('/').pop()).join(' ')}`);
}

export function checkCmi5Session(all, walk) {
  const verbs = all.map((s) => s.verb.id.split('/').pop());
  assert.equal(verbs[0], 'initialized', verbs.join(' '));
  assert.equal(verbs.at(-1), 'terminated', verbs.join(' '));
  assert.equal(verbs.filter((v) => v === 'completed').length, 1);
  assert.equal(verbs.filter((v) => v === (walk.passed ? 'passed' : 'failed')).length, 1, verbs.join(' '));
  // Each decision and each answer exactly once: nothing lost, nothing doubled.
  const answers = walk.events.filter((e) => e.type === 'choice_made' || e.type === 'question_answered').length;
  assert.equal(verbs.filter((v) => v === 'answered').length, answers, verbs.join(' '));
  assert.equal(new Set(all.map((s) => s.id)).size, all.length, 'statement ids are unique');
}

