/**
 * An independent check of a posted message against Slack's documented limits (blocks reference:
 * 50 blocks a message; header text 150; section text 3000; at most 10 fields of 2000; context at
 * most 10 elements; text objects non-empty). Written apart from the notifier's own truncation so
 * that a bug there cannot hide itself.
 */

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function checkText(where: string, value: unknown, max: number, out: string[], plainOnly = false): void {
  if (!isObject(value)) {
    out.push(`${where}: not a text object`);
    return;
  }
  if (value.type !== 'plain_text' && (plainOnly || value.type !== 'mrkdwn'))
    out.push(`${where}: bad text type ${String(value.type)}`);
  if (typeof value.text !== 'string' || value.text.length === 0) out.push(`${where}: empty text`);
  else if (value.text.length > max) out.push(`${where}: ${value.text.length} characters, limit ${max}`);
}

function checkBlock(where: string, block: unknown, out: string[]): void {
  if (!isObject(block)) {
    out.push(`${where}: not an object`);
    return;
  }
  switch (block.type) {
    case 'header':
      checkText(`${where}.text`, block.text, 150, out, true);
      break;
    case 'section':
      if (block.text === undefined && block.fields === undefined)
        out.push(`${where}: neither text nor fields`);
      if (block.text !== undefined) checkText(`${where}.text`, block.text, 3000, out);
      if (block.fields !== undefined) {
        if (!Array.isArray(block.fields) || block.fields.length === 0)
          out.push(`${where}.fields: not a non-empty list`);
        else {
          if (block.fields.length > 10) out.push(`${where}.fields: ${block.fields.length} fields, limit 10`);
          block.fields.forEach((field, i) => checkText(`${where}.fields[${i}]`, field, 2000, out));
        }
      }
      break;
    case 'context':
      if (!Array.isArray(block.elements) || block.elements.length === 0)
        out.push(`${where}.elements: not a non-empty list`);
      else {
        if (block.elements.length > 10) out.push(`${where}.elements: ${block.elements.length}, limit 10`);
        block.elements.forEach((element, i) => checkText(`${where}.elements[${i}]`, element, 3000, out));
      }
      break;
    case 'divider':
      break;
    default:
      out.push(`${where}: unexpected block type ${String(block.type)}`);
  }
}

/** Every way `message` breaks Slack's limits; empty when it is fine. */
export function blockKitViolations(message: unknown): string[] {
  const out: string[] = [];
  if (!isObject(message)) return ['message: not an object'];
  if (typeof message.text !== 'string' || message.text.length === 0) out.push('text: missing');
  else if (message.text.length > 40_000) out.push(`text: ${message.text.length} characters, limit 40000`);
  let blockCount = 0;
  if (message.blocks !== undefined) {
    if (!Array.isArray(message.blocks)) out.push('blocks: not a list');
    else {
      blockCount += message.blocks.length;
      message.blocks.forEach((block, i) => checkBlock(`blocks[${i}]`, block, out));
    }
  }
  if (message.attachments !== undefined) {
    if (!Array.isArray(message.attachments)) out.push('attachments: not a list');
    else
      message.attachments.forEach((attachment, a) => {
        if (!isObject(attachment)) return void out.push(`attachments[${a}]: not an object`);
        if (typeof attachment.color !== 'string' || !/^#[0-9a-f]{6}$/i.test(attachment.color)) {
          out.push(`attachments[${a}].color: not a hex colour`);
        }
        if (!Array.isArray(attachment.blocks) || attachment.blocks.length === 0) {
          return void out.push(`attachments[${a}].blocks: not a non-empty list`);
        }
        blockCount += attachment.blocks.length;
        attachment.blocks.forEach((block, i) => checkBlock(`attachments[${a}].blocks[${i}]`, block, out));
      });
  }
  if (blockCount > 50) out.push(`${blockCount} blocks, limit 50`);
  return out;
}

/** All text in a message, for asserting what a person would read. */
export function messageText(message: unknown): string {
  const parts: string[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (isObject(node)) {
      if (typeof node.text === 'string') parts.push(node.text);
      for (const [key, value] of Object.entries(node))
        if (key !== 'text' || typeof value !== 'string') walk(value);
    }
  };
  walk(message);
  return parts.join('\n');
}
