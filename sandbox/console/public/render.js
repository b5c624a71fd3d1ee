/* global document */
// Small DOM helpers for the console page. Everything is built with DOM nodes and textContent,
// never innerHTML, so text from logs, alarms and Slack payloads cannot inject markup.

/** el('div', { class: 'x', 'data-testid': 'y' }, child, 'text', ...) */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'style' && typeof value === 'object') Object.assign(node.style, value);
    else if (name.startsWith('on') && typeof value === 'function')
      node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  append(node, children);
  return node;
}

export function append(node, children) {
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(typeof child === 'string' || typeof child === 'number' ? String(child) : child);
  }
  return node;
}

const pad = (n, width = 2) => String(n).padStart(width, '0');

/** 14:05:09 (local time) */
export function formatTime(ms) {
  const d = new Date(ms);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** 14:05 for chart ticks, with seconds when they are not zero. */
export function formatTick(ms) {
  const d = new Date(ms);
  const base = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  return d.getSeconds() ? `${base}:${pad(d.getSeconds())}` : base;
}

export function formatNumber(value) {
  if (value === undefined || value === null || !Number.isFinite(value)) return '–';
  const abs = Math.abs(value);
  if (abs >= 1e9) return `${(value / 1e9).toFixed(2)}G`;
  if (abs >= 1e6) return `${(value / 1e6).toFixed(2)}M`;
  if (abs >= 1e4) return `${(value / 1e3).toFixed(1)}k`;
  if (Number.isInteger(value)) return String(value);
  return String(Number(value.toPrecision(4)));
}

export function formatDuration(ms) {
  if (ms === undefined || ms === null || !Number.isFinite(ms)) return '…';
  if (ms >= 60_000) return `${(ms / 60_000).toFixed(1)} min`;
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  return `${Number(ms.toPrecision(3))} ms`;
}

export function formatWindow(ms) {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${Math.round(ms / 1000)} s`;
}

const safeUrl = (url) => /^https?:\/\//i.test(url);

// ------------------------------------------------------------------ markdown (text widgets)

/** The markdown CloudWatch text widgets use: headings, lists, paragraphs, **bold**, *italic*, `code`, [links](url). */
export function renderMarkdown(text) {
  const fragment = document.createDocumentFragment();
  const lines = String(text).split(/\r?\n/);
  let list = null;
  let paragraph = [];
  const flushParagraph = () => {
    if (paragraph.length) fragment.append(el('p', {}, markdownInline(paragraph.join(' '))));
    paragraph = [];
  };
  for (const line of lines) {
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    const item = /^\s*[-*+]\s+(.*)$/.exec(line);
    if (heading) {
      flushParagraph();
      list = null;
      // Widget headings sit below the page's h2 sections.
      const level = Math.min(6, heading[1].length + 2);
      fragment.append(el(`h${level}`, { class: 'md-heading' }, markdownInline(heading[2])));
    } else if (item) {
      flushParagraph();
      if (!list) fragment.append((list = el('ul')));
      list.append(el('li', {}, markdownInline(item[1])));
    } else if (line.trim() === '') {
      flushParagraph();
      list = null;
    } else {
      list = null;
      paragraph.push(line.trim());
    }
  }
  flushParagraph();
  return fragment;
}

function markdownInline(text) {
  const fragment = document.createDocumentFragment();
  const pattern = /(`[^`]+`)|(\*\*[^*]+\*\*)|(\*[^*]+\*|_[^_]+_)|(\[[^\]]+\]\([^)\s]+\))/g;
  let last = 0;
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    fragment.append(text.slice(last, match.index));
    const token = match[0];
    if (match[1]) fragment.append(el('code', {}, token.slice(1, -1)));
    else if (match[2]) fragment.append(el('strong', {}, markdownInline(token.slice(2, -2))));
    else if (match[3]) fragment.append(el('em', {}, markdownInline(token.slice(1, -1))));
    else {
      const [, label, url] = /^\[([^\]]+)\]\(([^)\s]+)\)$/.exec(token);
      fragment.append(
        safeUrl(url) ? el('a', { href: url, target: '_blank', rel: 'noopener noreferrer' }, label) : label,
      );
    }
    last = match.index + token.length;
  }
  fragment.append(text.slice(last));
  return fragment;
}

// ------------------------------------------------------------------ Slack mrkdwn

const EMOJI = {
  red_circle: '🔴',
  large_green_circle: '🟢',
  white_circle: '⚪',
  warning: '⚠️',
  mag: '🔍',
  scroll: '📜',
  book: '📖',
  rotating_light: '🚨',
  white_check_mark: '✅',
  x: '❌',
  fire: '🔥',
  bell: '🔔',
};

const decodeEntities = (text) => text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** Slack's mrkdwn: *bold*, _italic_, ~strike~, `code`, ```blocks```, <url|text>, <!here>, <!date^…|fallback>, :emoji:. */
export function renderMrkdwn(text) {
  const fragment = document.createDocumentFragment();
  const parts = String(text).split('```');
  parts.forEach((part, i) => {
    if (i % 2 === 1) fragment.append(el('pre', { class: 'slack-pre' }, decodeEntities(part)));
    else fragment.append(mrkdwnInline(part));
  });
  return fragment;
}

function mrkdwnInline(text) {
  const fragment = document.createDocumentFragment();
  const pattern = /(<[^<>\n]+>)|(`[^`\n]+`)|(\*[^*\n]+\*)|(_[^_\n]+_)|(~[^~\n]+~)|(:[a-z0-9_+-]+:)|(\n)/g;
  let last = 0;
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    fragment.append(decodeEntities(text.slice(last, match.index)));
    const token = match[0];
    if (match[1]) fragment.append(slackReference(token.slice(1, -1)));
    else if (match[2]) fragment.append(el('code', {}, decodeEntities(token.slice(1, -1))));
    else if (match[3]) fragment.append(el('strong', {}, mrkdwnInline(token.slice(1, -1))));
    else if (match[4]) fragment.append(el('em', {}, mrkdwnInline(token.slice(1, -1))));
    else if (match[5]) fragment.append(el('s', {}, mrkdwnInline(token.slice(1, -1))));
    else if (match[6]) fragment.append(EMOJI[token.slice(1, -1)] ?? token);
    else fragment.append(el('br'));
    last = match.index + token.length;
  }
  fragment.append(decodeEntities(text.slice(last)));
  return fragment;
}

function slackReference(inner) {
  const [target, label] = inner.split('|');
  if (target.startsWith('!date^')) {
    const seconds = Number(target.split('^')[1]);
    if (!Number.isFinite(seconds)) return decodeEntities(label ?? target);
    const d = new Date(seconds * 1000);
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${formatTime(d.getTime())}`;
  }
  if (target.startsWith('!')) return `@${target.slice(1).split('^')[0]}`;
  if (target.startsWith('@') || target.startsWith('#')) return decodeEntities(label ?? target);
  const url = decodeEntities(target);
  if (!safeUrl(url)) return decodeEntities(label ?? target);
  return el('a', { href: url, target: '_blank', rel: 'noopener noreferrer' }, decodeEntities(label ?? url));
}

/** Slack plain_text: no formatting, but `:emoji:` codes are shown when the block asks for them. */
export function renderPlainText(text, emoji = true) {
  const value = String(text);
  return emoji ? value.replace(/:([a-z0-9_+-]+):/g, (whole, name) => EMOJI[name] ?? whole) : value;
}
