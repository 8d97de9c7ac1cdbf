// Every golden statement of the LMS bridge (lms-bridge/tests/snapshots) through a second,
// independent validator: npm @learninglocker/xapi-validation (Learning Locker's, conformance
// tested). The Rust golden test already checks them with Hearth's own `xapi` crate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { ROOT } from './harness.mjs';

const validate = createRequire(import.meta.url)('@learninglocker/xapi-validation').default;
const DIR = path.join(ROOT, 'lms-bridge/tests/snapshots');

/** An insta snapshot: a YAML header between `---` lines, then the JSON. */
function statements(file) {
  const text = fs.readFileSync(path.join(DIR, file), 'utf8');
  const body = text.slice(text.indexOf('---', 3) + 3);
  return Object.entries(JSON.parse(body)).flatMap(([ending, list]) => list.map((s) => [ending, s]));
}

const files = fs.readdirSync(DIR).filter((f) => /^golden__(xapi|cmi5)-.*\.snap$/.test(f)).sort();

test('there are golden statement files to check', () => {
  assert.ok(files.length >= 7, files.join(', '));
});

for (const file of files) {
  test(`${file}: every statement passes @learninglocker/xapi-validation`, () => {
    const all = statements(file);
    assert.ok(all.length > 0);
    for (const [ending, s] of all) {
      const warnings = validate(s).map((w) => `${w.path.join('.')}: ${w.name} ${JSON.stringify(w.data)}`);
      assert.deepEqual(warnings, [], `${ending} ${s.verb.id} ${s.id}`);
    }
  });
}
