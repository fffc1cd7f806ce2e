/**
 * Speaking for the user (issue 11 §4): the reply writes the user's lines or
 * actions, which role-play etiquette leaves to the user. Lexical only, three
 * forms, each found in one pass over the reply:
 * - a line prefixed with the user's name or placeholder: "{{user}}: …",
 *   "Alex: …", "You: …", "User: …";
 * - an *action* whose subject is the user: "*You nod and say…*", "*Alex
 *   smiles*", "*{{user}} sits down*";
 * - narration outside quotes and actions that has the user speak or act:
 *   `You nod and say, "…"`, `Alex said, "…"`.
 * A character talking *to* the user ("You look tired.", "*She hands you the
 * cup*") is not flagged: the user has to be the subject of an action or a
 * speech verb.
 */
import { clip, sentenceAt, type RoleSentence } from './roleText';

export interface SpeaksForUserHit {
  sentenceIndex: number;
  score: number;
  evidence: string;
}

export interface SpeaksForUserInput {
  replyText: string;
  sentences: readonly RoleSentence[];
  /** The user's persona name as the prompt used it ('' when unknown). */
  userName: string;
}

/** Score of each form: a name-prefixed line is certain; the others nearly. */
export const SPEAKS_FOR_USER_SCORES = Object.freeze({ prefixedLine: 1, action: 0.9, narration: 0.85 });
/** Flagged at and above. */
export const SPEAKS_FOR_USER_THRESHOLD = 0.8;

const SPEECH = 'say|says|said|reply|replies|replied|answer|answers|answered|ask|asks|asked|whisper|whispers|whispered|murmur|murmurs|murmured|shout|shouts|shouted|mutter|mutters|muttered|exclaim|exclaims|exclaimed|respond|responds|responded|tell|tells|told';
const ACTS =
  'nod|nods|nodded|smile|smiles|smiled|grin|grins|grinned|laugh|laughs|laughed|sigh|sighs|sighed|shrug|shrugs|shrugged|frown|frowns|frowned|blush|blushes|blushed|look|looks|looked|walk|walks|walked|sit|sits|sat|stand|stands|stood|reach|reaches|reached|take|takes|took|feel|feels|felt|think|thinks|thought|decide|decides|decided|turn|turns|turned|lean|leans|leaned|step|steps|stepped|hug|hugs|hugged|kiss|kisses|kissed|grab|grabs|grabbed|hold|holds|held|wave|waves|waved|raise|raises|raised|agree|agrees|agreed|can\'t help|cannot help';

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The ways the user is named: "you", the placeholders, the persona name. */
function userSubject(userName: string): string {
  const names = ['you', '\\{\\{\\s*user\\s*\\}\\}', '<\\s*user\\s*>'];
  const name = userName.trim();
  // Names are a few words at most; a pathological one is cut, not matched whole.
  if (name && name.length <= 60 && name.toLowerCase() !== 'you') names.push(escapeRe(name.toLowerCase()));
  return `(?:${names.join('|')})`;
}

/**
 * Finds the sentences that speak for the user. Linear in the reply (each
 * pattern is anchored or bounded; lines, actions and sentences are walked
 * once, in offset order).
 */
export function detectSpeaksForUser(input: SpeaksForUserInput): SpeaksForUserHit[] {
  const { replyText, sentences } = input;
  const subject = userSubject(input.userName);
  const best = new Map<number, SpeaksForUserHit>();
  const hit = (offset: number, score: number, evidence: string, from: number): number => {
    const i = sentenceAt(sentences, offset, from);
    if (i < 0) return from;
    const index = sentences[i]!.index;
    const old = best.get(index);
    if (!old || old.score < score) best.set(index, { sentenceIndex: index, score, evidence: clip(evidence) });
    return i;
  };

  // 1. Name-prefixed lines. The prefix may sit inside markup ("**Alex:**").
  const prefixed = new RegExp(`^[\\s*_>"]{0,6}(?:${subject}|user)[\\s*_]{0,3}:`, 'i');
  let cursor = 0;
  let lineStart = 0;
  while (lineStart <= replyText.length) {
    let lineEnd = replyText.indexOf('\n', lineStart);
    if (lineEnd < 0) lineEnd = replyText.length;
    const line = replyText.slice(lineStart, lineEnd);
    if (prefixed.test(line.slice(0, 80))) {
      cursor = hit(lineStart + (line.length - line.trimStart().length), SPEAKS_FOR_USER_SCORES.prefixedLine, `Writes your line: ${line.trim()}`, cursor);
    }
    lineStart = lineEnd + 1;
  }

  // 2. Actions (*…*) whose subject is the user. `**bold**` is not an action.
  // Any verb after the user as subject: in an action that is the user acting ("*You sit*", "*Alex sighs*").
  const youAction = new RegExp(`^\\s*${subject}(?:'re|'ve|\\s+are|\\s+were|\\s+can't|\\s+\\w+)`, 'i');
  cursor = 0;
  for (let i = 0; i < replyText.length; i++) {
    if (replyText[i] !== '*') continue;
    if (replyText[i + 1] === '*') {
      // Bold: skip its run of stars.
      while (replyText[i + 1] === '*') i++;
      continue;
    }
    const close = replyText.indexOf('*', i + 1);
    if (close < 0) break;
    const inner = replyText.slice(i + 1, close);
    // Only the head of the action decides; reading 120 characters keeps a huge action cheap.
    const head = inner.slice(0, 120).replace(/[’]/g, "'");
    if (youAction.test(head)) {
      cursor = hit(i, SPEAKS_FOR_USER_SCORES.action, `Acts for you: *${inner.trim()}*`, cursor);
    }
    i = close;
  }

  // 3. Narration, outside quotes and actions: "You nod and say, …", "Alex said, …".
  const narration = new RegExp(
    `^${subject}\\s+(?:\\w+ly\\s+)?(?:(?:${SPEECH})\\b[^"“]{0,40}["“]|(?:${ACTS})\\b.{0,40}\\band\\s+(?:${SPEECH})\\b)`,
    'i',
  );
  const thirdPerson = input.userName.trim() ? new RegExp(`^${escapeRe(input.userName.trim().toLowerCase())}\\s+(?:\\w+ly\\s+)?(?:${SPEECH}|${ACTS})\\b`, 'i') : null;
  let inQuote = false;
  let pos = 0;
  for (const s of sentences) {
    // Quote state at the sentence start: straight quotes toggle, curly ones open/close.
    for (; pos < s.start && pos < replyText.length; pos++) {
      const ch = replyText[pos];
      if (ch === '"') inQuote = !inQuote;
      else if (ch === '“') inQuote = true;
      else if (ch === '”') inQuote = false;
      else if (ch === '\n') inQuote = false;
    }
    const text = s.text.slice(0, 160).replace(/[’]/g, "'");
    if (inQuote || /^["“*_]/.test(text)) continue;
    if (narration.test(text) || thirdPerson?.test(text)) {
      const old = best.get(s.index);
      if (!old || old.score < SPEAKS_FOR_USER_SCORES.narration) {
        best.set(s.index, { sentenceIndex: s.index, score: SPEAKS_FOR_USER_SCORES.narration, evidence: clip(`Writes what you do: ${s.text}`) });
      }
    }
  }
  return [...best.values()].filter((h) => h.score >= SPEAKS_FOR_USER_THRESHOLD).sort((a, b) => a.sentenceIndex - b.sentenceIndex);
}
