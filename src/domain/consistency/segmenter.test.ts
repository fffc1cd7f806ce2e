import { describe, expect, it } from 'vitest';
import { stripRoleplayMarkup } from './segmenter';

describe('stripRoleplayMarkup', () => {
  it('removes action and emphasis marks and collapses whitespace', () => {
    expect(stripRoleplayMarkup('*She  smiles.*  _Really_ **now**')).toBe('She smiles. Really now');
  });
});
