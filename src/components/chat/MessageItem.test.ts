/** MessageItem rendered to static markup (React's server renderer): what a reply offers in each state. */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { Message, Swipe } from '../../domain/chat';
import { MessageItem, type MessageItemProps } from './MessageItem';

const swipe = (text: string): Swipe => ({ text, state: 'done', finishReason: 'stop', modelId: null, createdAt: 1 });
const message: Message = { id: 'm', chatId: 'c', order: 2, role: 'assistant', name: 'Maren', swipes: [swipe('First.'), swipe('Second.')], swipeIndex: 1, createdAt: 1, updatedAt: 1 };
const noop = () => undefined;

function render(props: Partial<MessageItemProps>): string {
  return renderToStaticMarkup(
    createElement(MessageItem, {
      message,
      streamingText: null,
      avatar: null,
      avatarName: 'Maren',
      isLast: true,
      busy: false,
      onEdit: () => Promise.resolve(true),
      onDelete: noop,
      onDeleteSwipe: noop,
      onSwipe: noop,
      onRegenerate: noop,
      onContinue: noop,
      ...props,
    }),
  );
}

const button = (html: string, label: string) => html.match(new RegExp(`<button[^>]*aria-label="${label}"[^>]*>`))?.[0] ?? null;

describe('MessageItem', () => {
  it('a saved reply with two swipes can go back and delete its swipe', () => {
    const html = render({});
    expect(button(html, 'Delete swipe 2')).not.toBeNull();
    expect(button(html, 'Previous swipe')).not.toMatch(/ disabled(=|>| )/);
    expect(html).toContain('data-saved="yes"');
  });

  it('an unsaved reply stays in view until Retry stores it: no swipe delete, no swipe change', () => {
    const html = render({ unsaved: { text: 'Second, longer.', problem: { summary: 'Storage full', detail: 'Free some space.' }, retrying: false, onRetry: noop } });
    expect(html).toContain('data-saved="no"');
    expect(html).toContain('Second, longer.');
    expect(button(html, 'Delete swipe 2')).toBeNull();
    expect(button(html, 'Previous swipe')).toMatch(/ disabled(=|>| )/);
    expect(html).toContain('Retry');
  });
});
