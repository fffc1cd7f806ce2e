/**
 * Three-way merge of a character edited in several places at once (two tabs,
 * the editor and a lorebook import). Each side is compared with the version
 * the editor started from (its *base*); only what a side changed is taken from
 * it, so two tabs editing different fields both keep theirs. The same field
 * changed differently on both sides is a conflict: storage keeps the stored
 * value, the editor keeps its own, and the user decides.
 *
 * A character is split into *units*, the granularity of merging and conflicts:
 * every card field (alternate greetings are one unit: they have no ids), the
 * avatar, each persona statement (by id), the statements' order, the
 * lorebook's settings, each lorebook entry (by id) and the entries' order.
 */
import type { Character, Lorebook, LorebookEntry, PersonaStatement } from './character';

/** A unit changed differently on both sides. `undefined` means deleted. */
export interface FieldConflict {
  /** Stable unit key (`card.description`, `statement:<id>`, `statements.order`, …). */
  key: string;
  /** What the user calls it: "Description", "Statement 3", "Lorebook entry “Harbour”". */
  label: string;
  mine: unknown;
  theirs: unknown;
  /** Both sides as text, for showing them next to each other. */
  mineText: string;
  theirsText: string;
}

export interface MergeResult {
  /** What storage should hold: theirs plus my changes; conflicting units stay theirs. */
  stored: Character;
  /** What the editor should show: theirs plus my changes; conflicting units stay mine. */
  draft: Character;
  /** The new base: theirs, except that conflicting units keep the old base, so they stay detectable. */
  base: Character;
  conflicts: FieldConflict[];
  /** True when `stored` differs from theirs: there is something of mine to write. */
  changed: boolean;
}

type Units = Map<string, unknown>;
type LoreMeta = Omit<Lorebook, 'entries'>;

const STATEMENT = 'statement:';
const LORE = 'lore:';
const STATEMENTS_ORDER = 'statements.order';
const LORE_ORDER = 'lorebook.order';
const LORE_META = 'lorebook';
const AVATAR = 'avatar';

/** Character keys with their own units; any other top-level key is a unit `top.<key>` (kept, never dropped). */
const STRUCTURED = new Set(['id', 'card', 'avatar', 'statements', 'createdAt', 'updatedAt']);

function toUnits(c: Character): Units {
  const units: Units = new Map();
  for (const [k, v] of Object.entries(c)) if (!STRUCTURED.has(k)) units.set(`top.${k}`, v);
  for (const [k, v] of Object.entries(c.card)) if (k !== 'character_book') units.set(`card.${k}`, v);
  units.set(AVATAR, c.avatar);
  for (const s of c.statements) units.set(STATEMENT + s.id, s);
  const book = c.card.character_book;
  if (book) {
    const { entries, ...meta } = book;
    units.set(LORE_META, meta);
    for (const e of entries) units.set(LORE + e.id, e);
  } else {
    units.set(LORE_META, null);
  }
  return units;
}

const statementOrder = (c: Character) => c.statements.map((s) => STATEMENT + s.id);
const loreOrder = (c: Character) => (c.card.character_book?.entries ?? []).map((e) => LORE + e.id);

/** Builds a character from units, items in `orders`' order; id and timestamps from `frame`. */
function fromUnits(frame: Character, units: Units, orders: { statements: string[]; lore: string[] }): Character {
  const card: Record<string, unknown> = {};
  for (const [k, v] of units) if (k.startsWith('card.') && v !== undefined) card[k.slice(5)] = v;
  const statements = orders.statements.map((k) => units.get(k)).filter((s): s is PersonaStatement => s !== undefined);
  const entries = orders.lore.map((k) => units.get(k)).filter((e): e is LorebookEntry => e !== undefined);
  const meta = units.get(LORE_META) as LoreMeta | null | undefined;
  // Entries added to a book another side removed still need a book to live in.
  card.character_book = meta ? { ...meta, entries } : entries.length > 0 ? { ...emptyMeta(), entries } : null;
  const extra: Record<string, unknown> = {};
  for (const [k, v] of units) if (k.startsWith('top.') && v !== undefined) extra[k.slice(4)] = v;
  return {
    ...extra,
    id: frame.id,
    card: card as unknown as Character['card'],
    avatar: (units.get(AVATAR) as Blob | null | undefined) ?? null,
    statements,
    createdAt: frame.createdAt,
    updatedAt: frame.updatedAt,
  };
}

function emptyMeta(): LoreMeta {
  return { name: '', description: '', scan_depth: null, token_budget: null, recursive_scanning: false, extensions: {} };
}

/**
 * Structural equality. Blobs are equal when they are the same object
 * (`identity`, for "did I change it?": the editor keeps the object it was
 * given) or have the same size and type (`shape`, for copies read back from
 * storage, which are new objects every time). Iterative, so a deeply nested
 * `extensions` object cannot overflow the stack.
 */
export function sameValue(a: unknown, b: unknown, blobs: 'identity' | 'shape' = 'shape'): boolean {
  const stack: [unknown, unknown][] = [[a, b]];
  while (stack.length > 0) {
    const [x, y] = stack.pop()!;
    if (Object.is(x, y)) continue;
    if (typeof x !== 'object' || typeof y !== 'object' || x === null || y === null) return false;
    if (typeof Blob !== 'undefined' && (x instanceof Blob || y instanceof Blob)) {
      if (blobs === 'identity' || !(x instanceof Blob) || !(y instanceof Blob)) return false;
      if (x.size !== y.size || x.type !== y.type) return false;
      continue;
    }
    if (Array.isArray(x) !== Array.isArray(y)) return false;
    const kx = Object.keys(x);
    const ky = Object.keys(y);
    if (kx.length !== ky.length) return false;
    for (const k of kx) {
      if (!Object.prototype.hasOwnProperty.call(y, k)) return false;
      stack.push([(x as Record<string, unknown>)[k], (y as Record<string, unknown>)[k]]);
    }
  }
  return true;
}

/** Items of `order` that are in `keep`, in order. */
const only = (order: string[], keep: Set<string>) => order.filter((k) => keep.has(k));

/**
 * `primary`'s order with the items only `secondary` has slotted in after their
 * nearest predecessor in `secondary` (so an entry the other tab appended stays
 * at the end, one it inserted stays near its neighbour). Only `present` items.
 */
function weave(primary: string[], secondary: string[], present: Set<string>): string[] {
  const out = only(primary, present);
  const placed = new Set(out);
  let anchor = -1; // index in `out` after which the next secondary-only item goes
  for (const k of secondary) {
    if (placed.has(k)) {
      anchor = out.indexOf(k);
      continue;
    }
    if (!present.has(k)) continue;
    out.splice(anchor + 1, 0, k);
    placed.add(k);
    anchor++;
  }
  // Present items neither side lists (a base item kept by a conflict) go last.
  for (const k of present) if (!placed.has(k)) out.push(k);
  return out;
}

interface OrderMerge {
  stored: string[];
  draft: string[];
  base: string[];
  conflict: boolean;
}

function mergeOrder(b: string[], m: string[], t: string[], present: { stored: Set<string>; draft: Set<string>; base: Set<string> }): OrderMerge {
  const common = new Set(b.filter((k) => m.includes(k) && t.includes(k)));
  const rb = only(b, common);
  const mineMoved = !sameValue(only(m, common), rb);
  const theirsMoved = !sameValue(only(t, common), rb);
  const conflict = mineMoved && theirsMoved && !sameValue(only(m, common), only(t, common));
  if (conflict) {
    return { stored: weave(t, m, present.stored), draft: weave(m, t, present.draft), base: weave(b, t, present.base), conflict };
  }
  const [primary, secondary] = mineMoved ? [m, t] : [t, m];
  return { stored: weave(primary, secondary, present.stored), draft: weave(primary, secondary, present.draft), base: weave(t, b, present.base), conflict };
}

/** Three-way merge of a character: see the module comment. */
export function mergeCharacter(base: Character, mine: Character, theirs: Character): MergeResult {
  const ub = toUnits(base);
  const um = toUnits(mine);
  const ut = toUnits(theirs);
  const stored: Units = new Map();
  const draft: Units = new Map();
  const nextBase: Units = new Map();
  const conflicts: FieldConflict[] = [];
  const keys = new Set([...ub.keys(), ...um.keys(), ...ut.keys()]);
  const set = (k: string, s: unknown, d: unknown, nb: unknown) => {
    if (s !== undefined) stored.set(k, s);
    if (d !== undefined) draft.set(k, d);
    if (nb !== undefined) nextBase.set(k, nb);
  };
  for (const k of keys) {
    const b = ub.get(k);
    const m = um.get(k);
    const t = ut.get(k);
    if (sameValue(b, m, 'identity')) set(k, t, t, t);
    else if (sameValue(b, t)) set(k, m, m, t);
    else if (sameValue(m, t)) set(k, m, m, m);
    else {
      set(k, t, m, b);
      conflicts.push(describe(k, m, t, mine, theirs));
    }
  }
  const present = (u: Units, prefix: string) => new Set([...u.keys()].filter((k) => k.startsWith(prefix)));
  const orders = (prefix: string, of: (c: Character) => string[], key: string, label: string) => {
    const o = mergeOrder(of(base), of(mine), of(theirs), { stored: present(stored, prefix), draft: present(draft, prefix), base: present(nextBase, prefix) });
    if (o.conflict) conflicts.push(describeOrder(key, label, o.draft, o.stored, draft, stored));
    return o;
  };
  const so = orders(STATEMENT, statementOrder, STATEMENTS_ORDER, 'Order of the statements');
  const lo = orders(LORE, loreOrder, LORE_ORDER, 'Order of the lorebook entries');
  const storedChar = fromUnits(theirs, stored, { statements: so.stored, lore: lo.stored });
  return {
    stored: storedChar,
    draft: fromUnits(theirs, draft, { statements: so.draft, lore: lo.draft }),
    base: fromUnits(theirs, nextBase, { statements: so.base, lore: lo.base }),
    conflicts,
    // Identity for blobs: an avatar I replaced is a new object, whatever its size.
    changed: !sameValue(storedChar, theirs, 'identity'),
  };
}

/**
 * The base after a save of `saved` returned `stored`: `base` plus those of
 * `saved`'s changes that `stored` now holds (a conflicting change did not get
 * there and stays unacknowledged). Merging the editor's current draft over
 * `stored` from this base takes in what others changed, keeps what was typed
 * while the save ran, and still finds every conflict.
 */
export function acknowledgeSaved(base: Character, saved: Character, stored: Character): Character {
  const ub = toUnits(base);
  const us = toUnits(saved);
  const ut = toUnits(stored);
  const out: Units = new Map();
  for (const k of new Set([...ub.keys(), ...us.keys()])) {
    const b = ub.get(k);
    const s = us.get(k);
    const v = !sameValue(b, s, 'identity') && sameValue(s, ut.get(k)) ? s : b;
    if (v !== undefined) out.set(k, v);
  }
  const order = (of: (c: Character) => string[], prefix: string) => {
    const [bo, so, to] = [of(base), of(saved), of(stored)];
    const common = new Set(so.filter((k) => to.includes(k) && bo.includes(k)));
    const moved = !sameValue(only(so, common), only(bo, common));
    const landed = sameValue(only(so, common), only(to, common));
    const present = new Set([...out.keys()].filter((k) => k.startsWith(prefix)));
    return moved && landed ? weave(so, bo, present) : weave(bo, so, present);
  };
  return fromUnits(base, out, { statements: order(statementOrder, STATEMENT), lore: order(loreOrder, LORE) });
}

/** True when the editor holds changes its base does not have. */
export function hasLocalChanges(base: Character, draft: Character): boolean {
  return mergeCharacter(base, draft, base).changed;
}

/**
 * Settles one conflict. `mine` keeps the editor's value (it will overwrite the
 * stored one on the next save); `theirs` takes the stored value into the
 * editor. Either way the base takes the stored value for that unit, so the
 * conflict is gone. Returns the new base and draft.
 */
export function resolveConflict(
  base: Character,
  draft: Character,
  theirs: Character,
  key: string,
  choice: 'mine' | 'theirs',
): { base: Character; draft: Character } {
  const take = (target: Character, from: Character): Character => {
    const units = toUnits(target);
    const source = toUnits(from);
    const orders = { statements: statementOrder(target), lore: loreOrder(target) };
    if (key === STATEMENTS_ORDER) orders.statements = weave(statementOrder(from), orders.statements, present(units, STATEMENT));
    else if (key === LORE_ORDER) orders.lore = weave(loreOrder(from), orders.lore, present(units, LORE));
    else {
      const v = source.get(key);
      if (v === undefined) units.delete(key);
      else units.set(key, v);
      if (key.startsWith(STATEMENT)) orders.statements = weave(orders.statements, statementOrder(from), present(units, STATEMENT));
      if (key.startsWith(LORE)) orders.lore = weave(orders.lore, loreOrder(from), present(units, LORE));
    }
    return fromUnits(target, units, orders);
  };
  const present = (u: Units, prefix: string) => new Set([...u.keys()].filter((k) => k.startsWith(prefix)));
  return { base: take(base, theirs), draft: choice === 'theirs' ? take(draft, theirs) : draft };
}

const CARD_LABELS: Record<string, string> = {
  name: 'Name',
  nickname: 'Nickname',
  description: 'Description',
  personality: 'Personality',
  scenario: 'Scenario',
  first_mes: 'First message',
  mes_example: 'Example dialogues',
  creator_notes: 'Creator notes',
  system_prompt: 'System prompt',
  post_history_instructions: 'Post-history instructions',
  alternate_greetings: 'Alternate greetings',
  tags: 'Tags',
  creator: 'Creator',
  character_version: 'Version',
};

/** Long values are cut for display: a conflict shows both sides, not two novels. */
const MAX_TEXT = 20_000;
const clip = (s: string) => (s.length > MAX_TEXT ? `${s.slice(0, MAX_TEXT)}…` : s);

function asText(key: string, v: unknown): string {
  if (v === undefined) return '(deleted)';
  if (key === AVATAR) return v instanceof Blob ? `An image (${Math.round(v.size / 1024)} KB)` : 'No image';
  if (typeof v === 'string') return clip(v);
  if (key === 'card.tags' && Array.isArray(v)) return v.join(', ');
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return clip(v.map((x, i) => `${i + 1}. ${x}`).join('\n\n'));
  if (key.startsWith(STATEMENT)) {
    const s = v as PersonaStatement;
    return s.enabled ? s.text : `${s.text} (disabled)`;
  }
  if (key.startsWith(LORE)) {
    const e = v as LorebookEntry;
    return clip(`Keys: ${e.keys.join(', ') || '—'}${e.enabled ? '' : ' (disabled)'}\n${e.content}`);
  }
  return clip(JSON.stringify(v, null, 1) ?? String(v));
}

function describe(key: string, mine: unknown, theirs: unknown, mineChar: Character, theirsChar: Character): FieldConflict {
  let label: string;
  if (key.startsWith('card.')) label = CARD_LABELS[key.slice(5)] ?? key.slice(5);
  else if (key === AVATAR) label = 'Avatar';
  else if (key === LORE_META) label = 'Lorebook settings';
  else if (key.startsWith(STATEMENT)) {
    const id = key.slice(STATEMENT.length);
    const i = mineChar.statements.findIndex((s) => s.id === id);
    const j = theirsChar.statements.findIndex((s) => s.id === id);
    label = `Statement ${(i >= 0 ? i : j) + 1}`;
  } else {
    const e = (mine ?? theirs) as LorebookEntry;
    label = `Lorebook entry “${e.name || e.comment || e.keys.join(', ') || e.id}”`;
  }
  return { key, label, mine, theirs, mineText: asText(key, mine), theirsText: asText(key, theirs) };
}

function describeOrder(key: string, label: string, mine: string[], theirs: string[], mineUnits: Units, theirsUnits: Units): FieldConflict {
  const names = (order: string[], units: Units) =>
    order
      .map((k, i) => {
        const v = units.get(k) as PersonaStatement | LorebookEntry | undefined;
        const name = !v ? k : 'text' in v ? v.text : v.name || v.keys.join(', ') || String(v.id);
        return `${i + 1}. ${name}`;
      })
      .join('\n');
  return { key, label, mine, theirs, mineText: clip(names(mine, mineUnits)), theirsText: clip(names(theirs, theirsUnits)) };
}
