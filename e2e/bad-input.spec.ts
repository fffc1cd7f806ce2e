import fs from 'node:fs';
import { expect, test } from './fixtures';
import { cardPath } from './pages/StudioPage';

const seraphina = fs.readFileSync(cardPath('default_Seraphina.png'));

/** A valid PNG with no card: the Seraphina image with its tEXt chunks removed. */
function pngWithoutCard(png: Buffer): Buffer {
  const out: Buffer[] = [png.subarray(0, 8)];
  let off = 8;
  while (off < png.length) {
    const len = png.readUInt32BE(off);
    const type = png.subarray(off + 4, off + 8).toString('latin1');
    const end = off + 12 + len;
    if (type !== 'tEXt' && type !== 'iTXt' && type !== 'zTXt') out.push(png.subarray(off, end));
    off = end;
  }
  return Buffer.concat(out);
}

const BAD_FILES = [
  { name: 'truncated.png', mimeType: 'image/png', buffer: seraphina.subarray(0, 5000), reason: /truncat|cut off|incomplete/i },
  { name: 'plain-image.png', mimeType: 'image/png', buffer: pngWithoutCard(seraphina), reason: /no character card|no card/i },
  { name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from('{"name": "Half'), reason: /JSON/i },
  { name: 'not-a-card.json', mimeType: 'application/json', buffer: Buffer.from('{"foo": 1, "bar": [1,2]}'), reason: /not a character card|not a card/i },
  { name: 'huge.json', mimeType: 'application/json', buffer: Buffer.alloc(21 * 1024 * 1024, 0x20), reason: /limit/i },
];

test.describe('bad input never changes the library', () => {
  for (const bad of BAD_FILES) {
    test(`${bad.name} gives a clear message`, async ({ studio }) => {
      await studio.open();
      const before = await studio.dumpLibrary();
      await studio.importFiles([{ name: bad.name, mimeType: bad.mimeType, buffer: bad.buffer }]);
      const error = studio.errors.filter({ hasText: bad.name });
      await expect(error).toBeVisible();
      await expect(error).toContainText(bad.reason);
      await expect(error).toContainText('Your library was not changed');
      expect(await studio.dumpLibrary()).toEqual(before);
    });
  }

  test('a mix of good and bad files imports the good ones and names the bad ones', async ({ studio }) => {
    await studio.open();
    await studio.importFiles([
      { name: 'default_FluxTheCat.png', mimeType: 'image/png', buffer: fs.readFileSync(cardPath('default_FluxTheCat.png')) },
      { name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from('nope') },
    ]);
    await expect(studio.errors.filter({ hasText: 'broken.json' })).toBeVisible();
    await expect(studio.characterButton('Flux the Cat')).toHaveCount(1);
  });
});
