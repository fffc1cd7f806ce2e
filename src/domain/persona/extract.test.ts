import { describe, expect, it } from 'vitest';
import { emptyCardData, type CardData } from '../character';
import { extractStatements, MAX_STATEMENT_WORDS, MIN_STATEMENT_WORDS } from './extract';
import { loadSharedCard } from './testdata/sharedCards';

function card(fields: Partial<CardData>): CardData {
  return { ...emptyCardData('Maren'), ...fields };
}

const fromDescription = (description: string, user?: string) =>
  extractStatements(card({ description }), user === undefined ? {} : { user });

describe('extractStatements on the real Seraphina card', () => {
  const seraphina = loadSharedCard('default_Seraphina.png');
  const statements = extractStatements(seraphina, { user: 'Alex' });

  it('turns the W++ body block into "has" sentences', () => {
    expect(statements).toContain('Seraphina has amber eyes.');
    expect(statements).toContain('Seraphina has pink hair.');
    expect(statements).toContain('Seraphina has white teeth.');
    expect(statements).toContain('Seraphina has a black sundress.');
  });

  it('turns the W++ personality block into "is" sentences', () => {
    expect(statements).toContain('Seraphina is caring.');
    expect(statements).toContain('Seraphina is protective.');
    expect(statements).toContain('Seraphina is kind-hearted.');
  });

  it('takes nothing from the example dialogue inside the description', () => {
    // The examples say "rose eyes", contradicting the definition's amber eyes.
    expect(statements.filter((s) => /rose/i.test(s))).toEqual([]);
    for (const fragment of ['Traits, you say', 'ethereal', 'Describe', 'cotton candy', 'wounded bird', 'guardian']) {
      expect(statements.filter((s) => s.includes(fragment))).toEqual([]);
    }
  });

  it('takes nothing from first_mes, tags or the Genre/Tags PList keys', () => {
    expect(statements.filter((s) => /bloodied|tea helps|fantasy|adventure|Magic/.test(s))).toEqual([]);
  });

  it('keeps the scenario sentence about Seraphina (one fact per predicate), skips the one about the user', () => {
    expect(statements).toContain('Seraphina found you.');
    expect(statements).toContain('Seraphina brought you to her glade where you are recovering.');
    expect(statements.filter((s) => s.startsWith('You were attacked'))).toEqual([]);
  });

  it('lists the duplicated trait "graceful" once', () => {
    expect(statements.filter((s) => s === 'Seraphina is graceful.')).toHaveLength(1);
  });

  it('resolves every macro and leaves no markup', () => {
    for (const s of statements) {
      expect(s).not.toMatch(/\{\{|\}\}|<START>|\[|\]|\*/i);
      expect(s).toMatch(/^[A-Z].*\.$/);
    }
  });
});

describe('extractStatements on the other real cards', () => {
  it('Flux: prose "personality is:" list, likes, and the comma-list personality field', () => {
    const statements = extractStatements(loadSharedCard('default_FluxTheCat.png'), { user: 'Alex' });
    expect(statements).toContain('Flux the Cat is smart.');
    expect(statements).toContain('Flux the Cat is quick-witted.');
    expect(statements).toContain('Flux the Cat is curious.'); // only in the personality field
    expect(statements).toContain('Flux the Cat loves its Roomba.');
    expect(statements).toContain('Flux the Cat is wary of Alex.'); // scenario, user resolved
    expect(statements).toContain('The Roomba will sometimes make fan spinning noises and robotic, mechanical noises.');
    // One fact per proposal: the body list, and two predicates per sentence.
    expect(statements).toContain('Flux the Cat is a cat.');
    expect(statements).toContain('Flux the Cat has a mixture of black and white furs.');
    expect(statements).toContain('Flux the Cat has yellow eyes.');
    expect(statements).toContain('Flux the Cat has a fluffy tail.');
    expect(statements).toContain('Flux the Cat dislikes vegetables.');
    expect(statements).toContain('Flux the Cat will not eat them under any circumstances.');
    expect(statements).toContain('Flux the Cat does not have a name yet.');
    expect(statements).toContain('Flux the Cat can be named by Alex.');
    // "cannot and will not talk" shares one verb; "…except when sleeping, eating or littering; such as…" is one fact.
    expect(statements).toContain('Flux the Cat cannot and will not talk to Alex in any human language for Flux the Cat is a cat.');
    expect(statements.filter((s) => /^Such as|cannot\.$|except when (?:eating|when)/i.test(s))).toEqual([]);
    // post_history_instructions and first_mes are never read.
    expect(statements.filter((s) => /info board|Roomba with Gundam like design and spend/.test(s))).toEqual([]);
  });

  it('Coding Sensei: a "Name = prose" block becomes predicate sentences', () => {
    expect(extractStatements(loadSharedCard('default_CodingSensei.png'))).toEqual([
      'Coding Sensei assists {{user}} with coding-related questions.',
      'Coding Sensei provides example codes within markdown codeblocks.',
    ]);
  });
});

describe('sources', () => {
  const sentinel = card({
    description: 'Maren keeps the lighthouse.',
    personality: 'gruff',
    scenario: 'Maren rows to the island at dawn.',
    first_mes: 'Maren SENTINEL_FIRST has a sword.',
    alternate_greetings: ['Maren SENTINEL_ALT is tall.'],
    mes_example: '<START>\n{{char}}: Maren SENTINEL_EXAMPLE has rose eyes.',
    creator_notes: 'Maren SENTINEL_NOTES is secretly a dragon.',
    system_prompt: 'Maren SENTINEL_SYSTEM is a pirate.',
    post_history_instructions: 'Maren SENTINEL_PHI is a ghost.',
    tags: ['Maren SENTINEL_TAG is a tag.'],
    creator: 'Maren SENTINEL_CREATOR is here.',
  });

  it('reads description, personality and scenario, in that order', () => {
    expect(extractStatements(sentinel)).toEqual([
      'Maren keeps the lighthouse.',
      'Maren is gruff.',
      'Maren rows to the island at dawn.',
    ]);
  });

  it('never reads creator notes, greetings, examples, system prompts, tags or creator', () => {
    expect(extractStatements(sentinel).join(' ')).not.toContain('SENTINEL');
  });

  it('returns nothing for an empty card', () => {
    expect(extractStatements(emptyCardData('Maren'))).toEqual([]);
  });
});

describe('macros', () => {
  it('resolves {{char}} and legacy <BOT> to the name', () => {
    expect(fromDescription('{{char}} is a sailor. <BOT> fears deep water.')).toEqual([
      'Maren is a sailor.',
      'Maren fears deep water.',
    ]);
  });

  it('resolves {{user}}/<USER> when a user name is given', () => {
    expect(fromDescription('{{char}} is wary of {{user}}. {{Char}} trusts <USER> a little.', 'Alex')).toEqual([
      'Maren is wary of Alex.',
      'Maren trusts Alex a little.',
    ]);
  });

  it('keeps a canonical {{user}} placeholder when no user name is given', () => {
    expect(fromDescription('{{char}} is wary of <USER>.')).toEqual(['Maren is wary of {{user}}.']);
  });
});

describe('dedupe', () => {
  it('drops repeats case- and punctuation-insensitively, keeping the first', () => {
    const statements = extractStatements(
      card({
        description: 'Maren is brave. MAREN IS BRAVE! Maren is  brave…\n[Maren: brave]',
        personality: 'Brave',
      }),
    );
    expect(statements).toEqual(['Maren is brave.']);
  });
});

describe('W++ and PList attributes', () => {
  it('PList with a bare name key and sub-keys', () => {
    expect(fromDescription('[Maren: stubborn, loyal; body: short black hair, freckles, tall]')).toEqual([
      'Maren is stubborn.',
      'Maren is loyal.',
      'Maren has short black hair.',
      'Maren has freckles.',
      'Maren is tall.',
    ]);
  });

  it('clothes, likes, dislikes, loves, hates, fears', () => {
    expect(
      fromDescription(
        '[Maren\'s clothes= "oilskin coat", "wool sweater", "rubber boots"]\n' +
          '[Maren\'s likes= "strong tea"; dislikes: crowds; loves: old maps; hates= "liars"; fears: deep water]',
      ),
    ).toEqual([
      'Maren wears an oilskin coat.',
      'Maren wears a wool sweater.',
      'Maren wears rubber boots.',
      'Maren likes strong tea.',
      'Maren dislikes crowds.',
      'Maren loves old maps.',
      'Maren hates liars.',
      'Maren fears deep water.',
    ]);
  });

  it('species, race, age, occupation, gender, height, nickname', () => {
    expect(
      fromDescription(
        '[species: elf; race: Human; age: 30; occupation: lighthouse keeper; gender: Female; height: 170 cm; nickname: Mare]',
      ),
    ).toEqual([
      'Maren is an elf.',
      'Maren is a human.',
      'Maren is 30 years old.',
      'Maren is a lighthouse keeper.',
      'Maren is female.',
      'Maren is 170 cm tall.',
      'Maren is also known as Mare.',
    ]);
  });

  it('age forms: "30 years old" is numeric, "ancient" falls back to the generic form', () => {
    expect(fromDescription('[age: 30 years old]\n[Tom\'s age: ancient]')).toEqual([
      'Maren is 30 years old.',
      "Tom's age is ancient.",
    ]);
  });

  it('generic fallback for unknown attributes, with agreement', () => {
    expect(fromDescription('[Maren\'s hair: black, short; eyes: grey; skills: knots, rowing; hobby: sailing]')).toEqual([
      "Maren's hair is black.",
      "Maren's hair is short.",
      "Maren's eyes are grey.",
      "Maren's skills include knots.",
      "Maren's skills include rowing.",
      "Maren's hobby is sailing.",
    ]);
  });

  it('classic W++ with a character() header', () => {
    expect(
      fromDescription('[character("Maren")\n{\nSpecies("Human")\nPersonality("Stubborn" + "Loyal")\nLikes("tea")\n}]'),
    ).toEqual(['Maren is a human.', 'Maren is stubborn.', 'Maren is loyal.', 'Maren likes tea.']);
  });

  it('persona key and {{char}} possessive', () => {
    expect(fromDescription("[{{char}}'s persona: gruff, kind underneath]")).toEqual([
      'Maren is gruff.',
      'Maren is kind underneath.',
    ]);
  });

  it("skips the user's attributes and meta keys (genre, tags, notes)", () => {
    expect(
      fromDescription("[{{user}}'s body: tall; Genre: drama; Tags: sea, storm; Author's note: be nice; Maren: calm]"),
    ).toEqual(['Maren is calm.']);
  });

  it("another named subject's attributes keep that subject", () => {
    expect(fromDescription("[Tom's job: fisherman]")).toEqual(['Tom is a fisherman.']);
  });

  it('unbracketed "Key: value" lines with known keys', () => {
    expect(fromDescription('Age: 30\nAppearance: tall, grey eyes\nLikes: tea')).toEqual([
      'Maren is 30 years old.',
      'Maren is tall.',
      'Maren has grey eyes.',
      'Maren likes tea.',
    ]);
  });

  it('a "Scenario:" segment is read as prose', () => {
    expect(fromDescription('[Scenario: You are shipwrecked. Maren pulls you from the surf.]')).toEqual([
      'Maren pulls you from the surf.',
    ]);
  });
});

describe('prose filters', () => {
  it('skips questions', () => {
    expect(fromDescription('Maren is kind. Is Maren kind? Why does Maren sail?')).toEqual(['Maren is kind.']);
  });

  it('skips dialogue quotes and mostly-quoted sentences, keeps a quoted word', () => {
    expect(
      fromDescription('"I hate the sea," Maren says. Maren says "no" to boats. "Leave." Maren mutters "leave me alone now".'),
    ).toEqual(['Maren says "no" to boats.']);
  });

  it('skips second-person sentences (user narration or model instructions)', () => {
    expect(fromDescription('You are a traveller. Your ship sank. You are to play Maren. Maren is gruff.')).toEqual([
      'Maren is gruff.',
    ]);
  });

  it('skips imperatives addressed to the model', () => {
    expect(
      fromDescription('Write as Maren. Never break character. Avoid purple prose. Stay in character. Maren is gruff.'),
    ).toEqual(['Maren is gruff.']);
  });

  it('skips sentences about the user that do not mention the character', () => {
    expect(fromDescription("{{user}} is a traveller. {{user}} is Maren's brother. The lighthouse is old.", 'Alex')).toEqual([
      "Alex is Maren's brother.",
      'The lighthouse is old.',
    ]);
  });

  it('replaces a leading She/He/Her/His with the name', () => {
    expect(fromDescription('She fears deep water. Her eyes are grey. He is not Maren.')).toEqual([
      'Maren fears deep water.',
      "Maren's eyes are grey.",
      'Maren is not Maren.',
    ]);
  });

  it('strips markdown, drops headings and asterisk actions', () => {
    expect(
      fromDescription(
        '## Appearance\nAppearance:\n**Maren** is _very_ tall.\n- Maren has a *faded* tattoo.\n*Maren waves at the boats warmly.*',
      ),
    ).toEqual(['Maren is very tall.', 'Maren has a faded tattoo.']);
  });

  it('drops speaker lines and their continuations without <START>', () => {
    expect(
      fromDescription(
        'Maren is gruff.\n{{user}}: Hi there\n{{char}}: *She looks up.* "What?"\n*She sighs.*\n"Fine."\n\nMaren is kind.',
      ),
    ).toEqual(['Maren is gruff.', 'Maren is kind.']);
  });

  it('drops everything after <START> up to the next bracket block', () => {
    expect(
      fromDescription(
        'Maren is gruff.\n<START>\n{{user}}: Eyes?\nMaren has rose eyes, she says.\n[Maren: calm]\nMaren is kind.',
      ),
    ).toEqual(['Maren is gruff.', 'Maren is calm.', 'Maren is kind.']);
  });

  it('counts a first name and the nickname as references to the character, and names each fact with the chosen name', () => {
    const flux = { ...emptyCardData('Flux the Cat'), nickname: 'Fluffball' };
    const description = 'Flux ignores {{user}}. Fluffball bites {{user}}. {{user}} sighs.';
    expect(extractStatements({ ...flux, description })).toEqual(['Flux the Cat ignores {{user}}.', 'Flux the Cat bites {{user}}.']);
    expect(extractStatements({ ...flux, description }, { name: 'Fluffball' })).toEqual(['Fluffball ignores {{user}}.', 'Fluffball bites {{user}}.']);
  });

  it('a personality field in prose is read sentence by sentence', () => {
    expect(extractStatements(card({ personality: 'Maren is gruff. She is kind underneath.' }))).toEqual([
      'Maren is gruff.',
      'Maren is kind underneath.',
    ]);
  });
});

describe('length limits', () => {
  it(`drops fragments under ${MIN_STATEMENT_WORDS} words`, () => {
    expect(fromDescription('Maren. Brave. Maren sails.')).toEqual([]);
  });

  it(`drops sentences over ${MAX_STATEMENT_WORDS} words`, () => {
    const long = `Maren ${'really '.repeat(MAX_STATEMENT_WORDS)}likes tea.`;
    expect(fromDescription(`${long} Maren likes tea.`)).toEqual(['Maren likes tea.']);
  });

  it('keeps link labels, not URLs', () => {
    expect(fromDescription('Maren writes a [sailing blog about storms](https://example.com/x).')).toEqual([
      'Maren writes a sailing blog about storms.',
    ]);
  });
});
