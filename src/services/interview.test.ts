import { describe, expect, it } from 'vitest';
import { INTERVIEW_STEPS, newInterviewDraft, setAnswer } from '../domain/interview';
import type { ChatEngine, EngineStatus, GenerateRequest } from '../engines/ChatEngine';
import { EmptySuggestionError, suggestAnswer, suggestBlocker, SuggestUnavailableError } from './interview';

/** A chat engine stand-in that answers with `reply` and records the request. */
function fakeEngine(status: EngineStatus, reply: string) {
  const requests: GenerateRequest[] = [];
  const engine = {
    kind: 'transformers',
    status,
    generate: (request: GenerateRequest) => {
      requests.push(request);
      return Promise.resolve({ text: reply, finishReason: 'stop', usage: { promptTokens: 0, completionTokens: 1 } });
    },
  } as unknown as ChatEngine;
  return { engine, requests };
}

const likesStep = INTERVIEW_STEPS[6]!;
const likes = likesStep.fields[0]!;
const answers = setAnswer(newInterviewDraft(1), 'name', 'Maren Holt').answers;

describe('Suggest', () => {
  it('says why it cannot run for every engine state but ready', () => {
    expect(suggestBlocker({ state: 'ready', modelId: 'm' })).toBeNull();
    expect(suggestBlocker(null)).toMatch(/load one on the Models page/);
    expect(suggestBlocker({ state: 'absent' })).toMatch(/load one on the Models page/);
    expect(suggestBlocker({ state: 'busy', modelId: 'm' })).toMatch(/busy/);
  });

  it('runs one bounded generation with the card so far and returns the cleaned answer', async () => {
    const { engine, requests } = fakeEngine({ state: 'ready', modelId: 'm' }, 'Likes:\n- tea\n- storms');
    expect(await suggestAnswer(engine, answers, likesStep, likes)).toBe('tea\nstorms');
    expect(requests).toHaveLength(1);
    expect(requests[0]!.sampling.maxTokens).toBe(160);
    expect(requests[0]!.messages.at(-1)!.content).toContain('Name: Maren Holt');
  });

  it('refuses without a ready model, and names an empty answer', async () => {
    await expect(suggestAnswer(null, answers, likesStep, likes)).rejects.toThrow(SuggestUnavailableError);
    const busy = fakeEngine({ state: 'busy', modelId: 'm' }, 'x');
    await expect(suggestAnswer(busy.engine, answers, likesStep, likes)).rejects.toThrow(/busy/);
    expect(busy.requests).toHaveLength(0);
    await expect(suggestAnswer(fakeEngine({ state: 'ready', modelId: 'm' }, '  \n- \n').engine, answers, likesStep, likes)).rejects.toThrow(EmptySuggestionError);
  });
});
