/**
 * The guided-creation interview (issue 12 §2, after CharacterChat and SPASM):
 * the steps a writer walks through, in order, and the answers they collect.
 * Every answer is plain text the writer typed (or accepted from Suggest);
 * list answers hold one item per line.
 */

/** Big-Five factors (OCEAN); the writer may mark each one high or low. */
export const BIG_FIVE = ['openness', 'conscientiousness', 'extraversion', 'agreeableness', 'neuroticism'] as const;
export type BigFiveFactor = (typeof BIG_FIVE)[number];
export type BigFivePole = 'high' | 'low';

/** What the interview has collected so far. Empty string = not answered. */
export interface InterviewAnswers {
  name: string;
  nickname: string;
  role: string;
  age: string;
  background: string;
  appearance: string;
  /** One trait per line ("stubborn", "dry-humoured"). */
  traits: string;
  /** An MBTI type ("INTJ") or ''. */
  mbti: string;
  bigFive: Partial<Record<BigFiveFactor, BigFivePole>>;
  /** Behaviour wording, one per line, written or picked from the temperament suggestions. */
  behaviour: string;
  voice: string;
  /** Sample lines in the character's voice, one per line → example dialogues. */
  sampleLines: string;
  relationships: string;
  likes: string;
  dislikes: string;
  fears: string;
  secrets: string;
  /** Things the character would never do, one per line ("drink rum"). */
  never: string;
  scenario: string;
  greeting: string;
}

/** The text answers (everything but the Big-Five picks). */
export type TextAnswerKey = Exclude<keyof InterviewAnswers, 'bigFive'>;

export type InterviewStepId =
  | 'identity'
  | 'background'
  | 'appearance'
  | 'personality'
  | 'voice'
  | 'relationships'
  | 'preferences'
  | 'fears'
  | 'limits'
  | 'scenario';

export interface InterviewField {
  key: TextAnswerKey;
  label: string;
  /** 'line': one line; 'text': prose; 'list': one item per line. */
  kind: 'line' | 'text' | 'list';
  placeholder: string;
  help?: string;
  /** Whether Suggest can draft this field (a name is the writer's call). */
  suggestable: boolean;
}

export interface InterviewStep {
  id: InterviewStepId;
  title: string;
  /** The question the step asks, shown under its title. */
  prompt: string;
  fields: InterviewField[];
}

export const INTERVIEW_STEPS: readonly InterviewStep[] = [
  {
    id: 'identity',
    title: 'Identity and role',
    prompt: 'Who is this character, and what do they do?',
    fields: [
      { key: 'name', label: 'Name', kind: 'line', placeholder: 'Maren Holt', suggestable: false },
      { key: 'nickname', label: 'Nickname', kind: 'line', placeholder: 'Mare', help: 'Optional: what others call them.', suggestable: false },
      { key: 'role', label: 'Role', kind: 'line', placeholder: 'lighthouse keeper on a northern island', help: 'Completes “Maren Holt is …”.', suggestable: true },
      { key: 'age', label: 'Age', kind: 'line', placeholder: '34', suggestable: true },
    ],
  },
  {
    id: 'background',
    title: 'Background',
    prompt: 'Where do they come from? What happened to them before the story starts?',
    fields: [{ key: 'background', label: 'Background', kind: 'text', placeholder: 'She grew up on the island and took over the light from her father.', suggestable: true }],
  },
  {
    id: 'appearance',
    title: 'Appearance',
    prompt: 'What does someone meeting them notice first?',
    fields: [{ key: 'appearance', label: 'Appearance', kind: 'text', placeholder: 'She has grey eyes and a scar across her left hand.', suggestable: true }],
  },
  {
    id: 'personality',
    title: 'Personality',
    prompt: 'What are they like? List traits; a temperament pick suggests how they behave.',
    fields: [
      { key: 'traits', label: 'Traits', kind: 'list', placeholder: 'stubborn\ndry-humoured\nloyal', help: 'One per line.', suggestable: true },
      { key: 'behaviour', label: 'Behaviour', kind: 'list', placeholder: 'thinks before she speaks', help: 'How the traits show, one per line (picks below add to it).', suggestable: true },
    ],
  },
  {
    id: 'voice',
    title: 'Voice',
    prompt: 'How do they talk? Give a few lines they would say.',
    fields: [
      { key: 'voice', label: 'Speech habits', kind: 'text', placeholder: 'She speaks in short sentences and calls everyone “love”.', suggestable: true },
      { key: 'sampleLines', label: 'Sample lines', kind: 'list', placeholder: 'The sea takes what it wants, love.', help: 'One per line; they become example dialogues.', suggestable: true },
    ],
  },
  {
    id: 'relationships',
    title: 'Relationships',
    prompt: 'Who matters to them, and how?',
    fields: [{ key: 'relationships', label: 'Relationships', kind: 'text', placeholder: 'Her brother Tomas fishes the sound and visits on Sundays.', suggestable: true }],
  },
  {
    id: 'preferences',
    title: 'Likes and dislikes',
    prompt: 'What do they enjoy, and what do they avoid?',
    fields: [
      { key: 'likes', label: 'Likes', kind: 'list', placeholder: 'strong black tea\nstorms seen from the lamp room', help: 'One per line.', suggestable: true },
      { key: 'dislikes', label: 'Dislikes', kind: 'list', placeholder: 'tourists\nrum', help: 'One per line.', suggestable: true },
    ],
  },
  {
    id: 'fears',
    title: 'Fears and secrets',
    prompt: 'What frightens them? What do they keep to themselves?',
    fields: [
      { key: 'fears', label: 'Fears', kind: 'list', placeholder: 'deep water', help: 'One per line.', suggestable: true },
      { key: 'secrets', label: 'Secrets', kind: 'text', placeholder: 'She never learned to swim.', suggestable: true },
    ],
  },
  {
    id: 'limits',
    title: 'Would never',
    prompt: 'What would this character never do, whatever happens?',
    fields: [{ key: 'never', label: 'Would never', kind: 'list', placeholder: 'leave the light unattended\ndrink rum', help: 'One per line; completes “… would never …”.', suggestable: true }],
  },
  {
    id: 'scenario',
    title: 'Scenario and greeting',
    prompt: 'Where does the story begin, and what are their first words?',
    fields: [
      { key: 'scenario', label: 'Scenario', kind: 'text', placeholder: 'A storm strands {{user}} at the lighthouse for the night.', suggestable: true },
      { key: 'greeting', label: 'Greeting', kind: 'text', placeholder: '*Maren holds the door against the wind.* Get in, love, before the sea does.', suggestable: true },
    ],
  },
];

export function emptyAnswers(): InterviewAnswers {
  return {
    name: '',
    nickname: '',
    role: '',
    age: '',
    background: '',
    appearance: '',
    traits: '',
    mbti: '',
    bigFive: {},
    behaviour: '',
    voice: '',
    sampleLines: '',
    relationships: '',
    likes: '',
    dislikes: '',
    fears: '',
    secrets: '',
    never: '',
    scenario: '',
    greeting: '',
  };
}

/** The step at `index`, clamped into range (a stored index may be stale). */
export function stepAt(index: number): InterviewStep {
  const i = Math.min(Math.max(0, Math.trunc(index) || 0), INTERVIEW_STEPS.length - 1);
  return INTERVIEW_STEPS[i]!;
}

/** Whether a step has any answer yet (the stepper marks answered steps). */
export function stepAnswered(step: InterviewStep, answers: InterviewAnswers): boolean {
  if (step.id === 'personality' && (answers.mbti || Object.keys(answers.bigFive).length > 0)) return true;
  return step.fields.some((f) => answers[f.key].trim() !== '');
}

/**
 * Items of a list answer: one per line; with `commas`, a single line with
 * commas or semicolons is a list too ("tea, storms, old maps") — not for
 * sample lines, whose commas are speech. Bullets and trailing full stops are
 * dropped. Linear in the input.
 */
export function listItems(text: string, { commas = true }: { commas?: boolean } = {}): string[] {
  const lines = text.split(/\r?\n/);
  const parts = commas && lines.length === 1 ? lines[0]!.split(/[;,]/) : lines;
  const out: string[] = [];
  for (const part of parts) {
    const item = part.replace(/^\s*(?:[-*•]|\d+[.)])\s*/, '').trim().replace(/[.!;,]+$/, '').trim();
    if (item) out.push(item);
  }
  return out;
}
