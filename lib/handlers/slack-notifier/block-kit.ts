/**
 * The Block Kit subset the notifier posts, and Slack's size limits kept by truncating with an
 * ellipsis rather than by failing (Slack answers `invalid_blocks` to a message over any limit).
 */

export interface PlainText {
  type: 'plain_text';
  text: string;
  emoji?: boolean;
}
export interface Mrkdwn {
  type: 'mrkdwn';
  text: string;
}
export type TextObject = PlainText | Mrkdwn;

export interface HeaderBlock {
  type: 'header';
  text: PlainText;
}
export interface SectionBlock {
  type: 'section';
  text?: TextObject;
  fields?: TextObject[];
}
export interface ContextBlock {
  type: 'context';
  elements: TextObject[];
}
export interface DividerBlock {
  type: 'divider';
}
export type Block = HeaderBlock | SectionBlock | ContextBlock | DividerBlock;

/** A legacy attachment, kept for its colour bar; the content is in its blocks. */
export interface Attachment {
  color: string;
  fallback?: string;
  blocks: Block[];
}

export interface SlackMessage {
  /** Notification and fallback text; also where `<!here>` goes. */
  text: string;
  blocks?: Block[];
  attachments?: Attachment[];
}

export const SLACK_LIMITS = {
  blocksPerMessage: 50,
  headerText: 150,
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  contextElements: 10,
  contextText: 3000,
  /** Slack accepts 40,000 but recommends at most 4,000 for the top-level text. */
  messageText: 4000,
} as const;

const ELLIPSIS = '…';

/** Cuts plain text to `max` UTF-16 units (what Slack's limits are safely measured in), ending in `…`. */
export function truncatePlain(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = max - ELLIPSIS.length;
  if (/[\uD800-\uDBFF]/.test(text.charAt(cut - 1))) cut -= 1;
  return text.slice(0, cut) + ELLIPSIS;
}

/**
 * Cuts mrkdwn without leaving half an entity (`&am`), half a link (`<https://...`) or an open
 * code block behind.
 */
export function truncateMrkdwn(text: string, max: number): string {
  if (text.length <= max) return text;
  const closing = '\n```';
  let cut = max - ELLIPSIS.length - closing.length;
  if (/[\uD800-\uDBFF]/.test(text.charAt(cut - 1))) cut -= 1;
  let kept = text.slice(0, cut);
  kept = kept.replace(/&[a-z#0-9]{0,6}$/i, '').replace(/<[^<>]*$/, '');
  const fences = kept.split('```').length - 1;
  return kept + ELLIPSIS + (fences % 2 === 1 ? closing : '');
}

function fitText<T extends TextObject>(object: T, max: number): T {
  const text = object.text.trim() ? object.text : '-';
  const fitted = object.type === 'mrkdwn' ? truncateMrkdwn(text, max) : truncatePlain(text, max);
  return { ...object, text: fitted };
}

function fitBlock(block: Block): Block {
  switch (block.type) {
    case 'header':
      return { type: 'header', text: fitText(block.text, SLACK_LIMITS.headerText) };
    case 'section': {
      const fitted: SectionBlock = { type: 'section' };
      if (block.text) fitted.text = fitText(block.text, SLACK_LIMITS.sectionText);
      if (block.fields?.length) {
        let fields = block.fields;
        if (fields.length > SLACK_LIMITS.sectionFields) {
          const kept = fields.slice(0, SLACK_LIMITS.sectionFields - 1);
          const more: Mrkdwn = { type: 'mrkdwn', text: `${ELLIPSIS} ${fields.length - kept.length} more` };
          fields = [...kept, more];
        }
        fitted.fields = fields.map((field) => fitText(field, SLACK_LIMITS.fieldText));
      }
      if (!fitted.text && !fitted.fields) fitted.text = { type: 'mrkdwn', text: '-' };
      return fitted;
    }
    case 'context': {
      const elements = block.elements.length ? block.elements : [{ type: 'mrkdwn' as const, text: '-' }];
      return {
        type: 'context',
        elements: elements
          .slice(0, SLACK_LIMITS.contextElements)
          .map((element) => fitText(element, SLACK_LIMITS.contextText)),
      };
    }
    case 'divider':
      return { type: 'divider' };
  }
}

function fitBlocks(blocks: Block[], budget: number): Block[] {
  if (blocks.length <= budget) return blocks.map(fitBlock);
  const kept = blocks.slice(0, Math.max(0, budget - 1)).map(fitBlock);
  const omitted = blocks.length - kept.length;
  return [
    ...kept,
    { type: 'context', elements: [{ type: 'mrkdwn', text: `${ELLIPSIS} ${omitted} more blocks omitted` }] },
  ];
}

/** A copy of `message` within Slack's limits: 50 blocks in all, section/header/field/context sizes. */
export function fitToSlackLimits(message: SlackMessage): SlackMessage {
  const fitted: SlackMessage = {
    text: truncateMrkdwn(message.text.trim() ? message.text : '-', SLACK_LIMITS.messageText),
  };
  let budget: number = SLACK_LIMITS.blocksPerMessage;
  if (message.blocks) {
    fitted.blocks = fitBlocks(message.blocks, budget);
    budget -= fitted.blocks.length;
  }
  if (message.attachments) {
    fitted.attachments = [];
    for (const attachment of message.attachments) {
      if (budget <= 0) break;
      const blocks = fitBlocks(attachment.blocks, budget);
      budget -= blocks.length;
      const copy: Attachment = { color: attachment.color, blocks };
      if (attachment.fallback !== undefined)
        copy.fallback = truncatePlain(attachment.fallback, SLACK_LIMITS.messageText);
      fitted.attachments.push(copy);
    }
  }
  return fitted;
}

/** Escapes text for mrkdwn: Slack reads `&`, `<` and `>` as markup (links, mentions). */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * A mrkdwn link; the URL must already be percent-encoded (no `|` or `>`). A `|` in the label would
 * end it early, so it becomes `¦`.
 */
export function mrkdwnLink(url: string, label: string): string {
  return `<${url.replace(/\|/g, '%7C').replace(/>/g, '%3E')}|${escapeMrkdwn(label).replace(/\|/g, '¦')}>`;
}
