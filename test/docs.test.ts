// Tables in docs/ that derive from code are generated from it (`npm run docs`); they must be
// current, and every row of the ISA table must appear in docs/isa.md.

import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { gasMarkdown, isaMarkdown } from '../isa/gendocs.js';
import { TABLE } from '../isa/table.js';

const doc = (name: string): string => readFileSync(new URL(`../docs/${name}`, import.meta.url), 'utf8');

test('docs/isa.md is generated from isa/table.ts and current', () => {
  expect(doc('isa.md')).toBe(isaMarkdown());
  for (const r of TABLE) expect(doc('isa.md')).toContain(`| \`${r.name}\` |`);
});

test('docs/gas.md is generated from isa/table.ts and current', () => {
  expect(doc('gas.md')).toBe(gasMarkdown());
});
