import { describe, expect, it } from 'vitest';
import { StopStringFilter } from './stopStrings';

describe('StopStringFilter', () => {
  it('passes text through when there are no stop strings', () => {
    const f = new StopStringFilter([]);
    expect(f.push('abc').emit).toBe('abc');
    expect(f.flush()).toBe('');
  });

  it('picks the earliest of several stop strings', () => {
    const f = new StopStringFilter(['</s>', '\n\n']);
    expect(f.push('x\n\ny</s>')).toEqual({ emit: 'x', stopped: true });
    expect(f.text).toBe('x');
  });

  it('holds back only the longest possible prefix', () => {
    const f = new StopStringFilter(['###']);
    expect(f.push('a#')).toEqual({ emit: 'a', stopped: false });
    expect(f.push('#')).toEqual({ emit: '', stopped: false });
    expect(f.push('b')).toEqual({ emit: '##b', stopped: false });
  });
});
