/**
 * The studio's character model. Card fields keep the Character Card V3 names
 * (snake_case) so import → export is lossless; the studio adds an id, an avatar,
 * persona statements and timestamps around them.
 */

/** One lorebook (world info) entry, V3 layout. Unknown keys live in `extensions`. */
export interface LorebookEntry {
  /** Stable id within the book (V2/V3 `id`); assigned on import when missing. */
  id: number;
  keys: string[];
  secondary_keys: string[];
  content: string;
  enabled: boolean;
  constant: boolean;
  selective: boolean;
  use_regex: boolean;
  case_sensitive: boolean;
  insertion_order: number;
  priority: number;
  position: 'before_char' | 'after_char';
  name: string;
  comment: string;
  extensions: Record<string, unknown>;
}

export interface Lorebook {
  name: string;
  description: string;
  scan_depth: number | null;
  token_budget: number | null;
  recursive_scanning: boolean;
  extensions: Record<string, unknown>;
  entries: LorebookEntry[];
}

export interface CardAsset {
  type: string;
  uri: string;
  name: string;
  ext: string;
}

/** Normalised card data: every V3 field present, never null. */
export interface CardData {
  name: string;
  nickname: string;
  description: string;
  personality: string;
  scenario: string;
  first_mes: string;
  mes_example: string;
  creator_notes: string;
  creator_notes_multilingual: Record<string, string>;
  system_prompt: string;
  post_history_instructions: string;
  alternate_greetings: string[];
  group_only_greetings: string[];
  tags: string[];
  creator: string;
  character_version: string;
  character_book: Lorebook | null;
  assets: CardAsset[];
  source: string[];
  creation_date: number | null;
  modification_date: number | null;
  /** Unknown extension keys are kept verbatim (round trip). */
  extensions: Record<string, unknown>;
}

export type StatementOrigin = 'manual' | 'extracted' | 'imported' | 'sample';

/** A short atomic fact the checker holds replies to. */
export interface PersonaStatement {
  id: string;
  text: string;
  origin: StatementOrigin;
  enabled: boolean;
  /** Bumped on every text edit; verdicts record the version they used. */
  version: number;
}

export interface Character {
  id: string;
  card: CardData;
  /** Avatar image (PNG/JPEG/WebP); null → a generated placeholder. */
  avatar: Blob | null;
  statements: PersonaStatement[];
  /**
   * Contradictions between the character's own statements (or a statement and
   * the description) that the writer chose to keep (issue 12 §4). Each holds
   * both texts, so it lapses when either side is edited. Absent = none.
   */
  keptConflicts?: KeptConflictRecord[];
  /**
   * Which statements were already checked against each other, and what that
   * found (issue 12 §4): statements that arrive by import or interview are
   * checked once, when the editor first opens with the checker loaded, and
   * their warnings stay. Absent = nothing checked yet.
   */
  conflictChecks?: ConflictChecksRecord;
  createdAt: number;
  updatedAt: number;
}

/** One side of a kept conflict: a statement id (or `card:<n>`) and its text at the time. */
export interface KeptConflictSide {
  ref: string;
  text: string;
}

export interface KeptConflictRecord {
  a: KeptConflictSide;
  b: KeptConflictSide;
}

/** Statements checked for contradictions (id and text at the time) and the pairs found among them. */
export interface ConflictChecksRecord {
  checked: KeptConflictSide[];
  found: { a: KeptConflictSide; b: KeptConflictSide; contradiction: number }[];
}

export function emptyLorebook(): Lorebook {
  return {
    name: '',
    description: '',
    scan_depth: null,
    token_budget: null,
    recursive_scanning: false,
    extensions: {},
    entries: [],
  };
}

export function emptyLorebookEntry(id: number): LorebookEntry {
  return {
    id,
    keys: [],
    secondary_keys: [],
    content: '',
    enabled: true,
    constant: false,
    selective: false,
    use_regex: false,
    case_sensitive: false,
    insertion_order: 100,
    priority: 10,
    position: 'before_char',
    name: '',
    comment: '',
    extensions: {},
  };
}

export function emptyCardData(name = ''): CardData {
  return {
    name,
    nickname: '',
    description: '',
    personality: '',
    scenario: '',
    first_mes: '',
    mes_example: '',
    creator_notes: '',
    creator_notes_multilingual: {},
    system_prompt: '',
    post_history_instructions: '',
    alternate_greetings: [],
    group_only_greetings: [],
    tags: [],
    creator: '',
    character_version: '',
    character_book: null,
    assets: [],
    source: [],
    creation_date: null,
    modification_date: null,
    extensions: {},
  };
}

/** Random id usable in Node and browsers. */
export function newId(): string {
  return globalThis.crypto.randomUUID();
}

export function newStatement(text: string, origin: StatementOrigin): PersonaStatement {
  return { id: newId(), text: text.trim(), origin, enabled: true, version: 1 };
}
