import { describe, expect, it } from 'vitest';
import { CardParseError, parseCardFile } from '../domain/cards';
import { emptyCardData } from '../domain/character';
import { tinyPng } from '../domain/cards/testdata/tinyPng';
import { writeCardPng } from '../domain/cards/write';
import { cardImportWorker } from '../test/cardImportWorker';
import type { WorkerLike } from './workerHost';
import { CardImportClient, type CardImportProgress } from './CardImportClient';

const card = { ...emptyCardData(), name: 'Big Greeting', first_mes: '“'.repeat(50_000) + ' *waves*' };
const png = writeCardPng(tinyPng(), card);
const file = (bytes: Uint8Array, name = 'big.png') => new File([bytes.slice()], name, { type: 'image/png' });

/** A client whose worker runs the real handlers over a MessageChannel, counting spawns and terminations. */
function channelClient(minBytes = 0) {
  const log = { spawned: 0, terminated: 0 };
  const client = new CardImportClient({
    minBytes,
    createWorker: () => {
      log.spawned++;
      return cardImportWorker(() => log.terminated++).worker;
    },
  });
  return { client, log };
}

describe('CardImportClient', () => {
  it('parses a big file in the worker to exactly what the main-thread parser gives, then lets the worker go', async () => {
    const { client, log } = channelClient();
    const progress: CardImportProgress[] = [];
    const result = await client.parse(file(png), { onProgress: (p) => progress.push(p) });
    expect(result).toEqual(parseCardFile('big.png', png));
    expect(progress.map((p) => p.phase)).toEqual(['reading', 'parsing']);
    expect(log).toEqual({ spawned: 1, terminated: 1 });
  });

  it('keeps a parse failure’s reason across the worker', async () => {
    const { client } = channelClient();
    const error = await client.parse(file(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CardParseError);
    expect((error as CardParseError).reason).toBe('truncated-png');
  });

  it('parses small files here without starting a worker', async () => {
    const { client, log } = channelClient(png.length + 1);
    const result = await client.parse(file(png));
    expect(result.kind).toBe('card');
    expect(log.spawned).toBe(0);
  });

  it('falls back to the main thread when the worker crashes', async () => {
    const crashing: WorkerLike = {
      postMessage: () => queueMicrotask(() => listeners.forEach((l) => l(new Event('error')))),
      addEventListener: (type, l) => type === 'error' && listeners.push(l),
      removeEventListener: () => {},
      terminate: () => {},
    };
    const listeners: ((e: Event) => void)[] = [];
    const client = new CardImportClient({ minBytes: 0, createWorker: () => crashing });
    const result = await client.parse(file(png));
    expect(result).toEqual(parseCardFile('big.png', png));
  });
});
