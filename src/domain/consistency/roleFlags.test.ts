import { describe, expect, it } from 'vitest';
import { segmentSentences } from '../text/sentences';
import { assistantCues, scoreAssistantVoice, DEFAULT_ASSISTANT_VOICE_CALIBRATION, ASSISTANT_EXEMPLARS } from './assistantVoice';
import { echoSource, scoreEcho } from './echo';
import { characterVoiceLines, detectRoleFlags, roleCalibrationFor, roleFailures, roleFlagCounts, type RoleEmbeddings } from './roleFlags';
import { detectSpeaksForUser } from './speaksForUser';
import type { RoleFlag } from './verdict';

const flagsOf = (replyText: string, userTurn = '', userName = 'Alex', embeddings: RoleEmbeddings | null = null) =>
  detectRoleFlags({
    replyText,
    sentences: segmentSentences(replyText),
    userTurn,
    userName,
    embeddings,
    calibration: roleCalibrationFor('Xenova/all-MiniLM-L6-v2'),
  });

const kinds = (flags: RoleFlag[]) => flags.map((f) => `${f.sentenceIndex}:${f.kind}`);

describe('assistant voice cues', () => {
  it.each([
    'As an AI language model, I cannot have feelings.',
    "I'm here to help!",
    'Is there anything else I can help you with?',
    "I'm sorry, but I can’t continue with this roleplay.",
    'Please consider speaking with a licensed therapist.',
    'I hope this helps!',
  ])('flags %j', (sentence) => {
    expect(assistantCues(sentence).score).toBeGreaterThanOrEqual(DEFAULT_ASSISTANT_VOICE_CALIBRATION.threshold);
  });

  it.each([
    '*She laughs and pours another cup of tea.*',
    'I could help you carry that, if you stop complaining.',
    'The ship sails at dawn.',
    "Don't you dare tell my brother.",
  ])('leaves %j alone', (sentence) => {
    expect(assistantCues(sentence).score).toBeLessThan(DEFAULT_ASSISTANT_VOICE_CALIBRATION.threshold);
  });

  it('an imperative list item is advice; a bare list item is weak', () => {
    expect(assistantCues('- Try to get at least eight hours of sleep.').score).toBeGreaterThanOrEqual(0.6);
    expect(assistantCues('- two apples and a loaf').score).toBeLessThan(0.6);
    // An *action* is not a list item.
    expect(assistantCues('*Try the door.*').score).toBe(0);
  });

  it('embeddings flag a cue-less sentence near the assistant exemplars, and the voice pulls it back', () => {
    const e = (x: number, y: number) => [x, y, Math.sqrt(Math.max(0, 1 - x * x - y * y))];
    const assistant = ASSISTANT_EXEMPLARS.map(() => e(0.95, 0));
    const sentence = e(0.9, 0.1);
    const far = scoreAssistantVoice('Your wellbeing matters a great deal to me.', { sentence, assistant, voice: [e(0, 1)] });
    expect(far.lexical).toBe(0);
    expect(far.score).toBeGreaterThan(0.6);
    const near = scoreAssistantVoice('Your wellbeing matters a great deal to me.', { sentence, assistant, voice: [e(0.9, 0.1)] });
    expect(near.score).toBeLessThan(0.6);
    // Too short for the embedding signal.
    expect(scoreAssistantVoice('Yes, I agree.', { sentence, assistant, voice: [e(0, 1)] }).score).toBe(0);
  });
});

describe('echo', () => {
  it('flags a sentence made of the user’s words and shows them', () => {
    const user = 'I think we should leave the castle before the storm comes.';
    const r = scoreEcho('You think we should leave the castle before the storm comes?', echoSource(user), null);
    expect(r.coverage).toBeGreaterThan(0.8);
    // "I think" mirrored as "You think" still meets: person words are one token.
    expect(r.echoed).toBe('you think we should leave the castle before the storm comes');
  });

  it('an answer on the same topic is not an echo', () => {
    const user = 'Are you afraid of the deep water?';
    expect(scoreEcho('Terrified, if you must know, ever since the wreck.', echoSource(user), null).score).toBe(0);
    expect(scoreEcho('Deep water and I have an understanding: I stay out of it.', echoSource(user), null).score).toBeLessThan(0.55);
  });

  it('short messages never echo', () => {
    expect(scoreEcho('Hello there, hello.', echoSource('Hello there.'), null).score).toBe(0);
  });

  it('the embedding signal needs shared words (an answer on topic has its own)', () => {
    const v = [1, 0];
    const user = 'Tell me about the lighthouse on the northern cliffs.';
    const paraphrase = scoreEcho('So you want me to tell you about the lighthouse on those cliffs?', echoSource(user), { sentence: v, userTurn: v });
    expect(paraphrase.score).toBeGreaterThan(0.9);
    const answer = scoreEcho('It burned down when I was a girl.', echoSource(user), { sentence: v, userTurn: v });
    expect(answer.score).toBe(0);
  });
});

describe('speaks for the user', () => {
  const detect = (replyText: string, userName = 'Alex') =>
    detectSpeaksForUser({ replyText, sentences: segmentSentences(replyText), userName }).map((h) => h.sentenceIndex);

  it.each([
    ['{{user}}: Fine, I will come with you.', [0]],
    ['"Come inside."\nAlex: Thanks, I will.', [1]],
    ['**Alex:** Thanks.', [0]],
    ['You: Sure.', [0]],
    ['She waits. *You nod and say you will follow her.*', [1]],
    ['*Alex smiles and takes her hand.*', [0]],
    ['*{{user}} sits down by the fire.*', [0]],
    ['The door opens. You nod and say, "Lead the way."', [1]],
    ['Alex said, "I am ready."', [0]],
  ] as const)('%j', (text, expected) => {
    expect(detect(text)).toEqual(expected);
  });

  it.each([
    'You look tired.',
    '*She hands you the cup and smiles.*',
    '"You said you would come back," she whispers.',
    'Alex, come here.',
    '"You nod and say yes to everything," she teases.',
    'I told you so. **You** never listen.',
  ])('leaves %j alone', (text) => {
    expect(detect(text)).toEqual([]);
  });

  it('the user name is matched literally (no pattern injection)', () => {
    expect(detect('*ab smiles*', 'a+b')).toEqual([]);
    expect(detect('*a+b smiles*', 'a+b')).toEqual([0]);
  });
});

describe('detectRoleFlags', () => {
  it('finds each kind in its own sentence, ordered', () => {
    const reply =
      '*Maren laughs.* You want to know if I fear the sea at night? As an AI language model, I have no fears. *You nod and say nothing.*';
    const flags = flagsOf(reply, 'Do you want to know if I fear the sea at night?');
    expect(kinds(flags)).toEqual(['1:echo', '2:assistant-voice', '3:speaks-for-user']);
    for (const f of flags) {
      expect(f.score).toBeGreaterThan(0);
      expect(f.score).toBeLessThanOrEqual(1);
      expect(f.evidence.length).toBeGreaterThan(0);
      expect(f.evidence.length).toBeLessThanOrEqual(200);
    }
  });

  it('an ordinary in-character reply has none', () => {
    expect(flagsOf('*Maren grips the rail.* The sea took my father. I do not swim, and I never will.', 'Do you swim?')).toEqual([]);
  });

  it('roleFailures keeps assistant voice and speaking for the user, not echo; old verdicts have none', () => {
    const flags: RoleFlag[] = [
      { kind: 'echo', sentenceIndex: 0, score: 0.9, evidence: 'e' },
      { kind: 'assistant-voice', sentenceIndex: 1, score: 0.9, evidence: 'a' },
      { kind: 'speaks-for-user', sentenceIndex: 2, score: 1, evidence: 's' },
    ];
    expect(roleFailures({ roleFlags: flags }).map((f) => f.kind)).toEqual(['assistant-voice', 'speaks-for-user']);
    expect(roleFailures({})).toEqual([]);
    expect(roleFlagCounts(flags)).toEqual({ 'assistant-voice': 1, echo: 1, 'speaks-for-user': 1 });
  });
});

describe('characterVoiceLines', () => {
  it('takes the greeting and the character’s example lines, not the user’s', () => {
    const lines = characterVoiceLines(
      {
        name: 'Maren',
        first_mes: '*Maren looks up from her nets.* Another storm, {{user}}. Sit down.',
        alternate_greetings: [],
        mes_example: '<START>\n{{user}}: Do you swim?\n{{char}}: Never. The water took my father.\nMaren: I mend nets instead.',
      },
      'Alex',
    );
    expect(lines).toEqual(['Never.', 'The water took my father.', 'I mend nets instead.', 'Maren looks up from her nets.', 'Another storm, Alex.'].filter((l) => l.split(' ').length >= 3));
    expect(lines.join(' ')).not.toContain('Do you swim');
  });
});
