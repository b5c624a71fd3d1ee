/**
 * A local Amazon EventBridge `PutEvents` (AWS JSON 1.1, `X-Amz-Target: AWSEvents.PutEvents`, what
 * the SDK v3 EventBridgeClient sends): each entry becomes the full EventBridge envelope on the
 * default bus or a custom one, handed to `onEvent` (the rules). Bad entries fail one by one, as
 * EventBridge reports them, without stopping the others.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { BusEvent } from '../sources/event-rules.js';
import { BodyTooLarge, listenOnLoopback, readBody } from './http.js';

export interface EventBridgeStandInOptions {
  /** Custom buses by name; `default` always exists. */
  buses: string[];
  region: string;
  accountId: string;
  onEvent(event: BusEvent, busName: string): void;
  port?: number;
}

export interface PutEventsEntry {
  Source?: unknown;
  DetailType?: unknown;
  Detail?: unknown;
  Resources?: unknown;
  EventBusName?: unknown;
  Time?: unknown;
}

export interface EventBridgeStandIn {
  /** Endpoint for the SDK, e.g. as AWS_ENDPOINT_URL_EVENTBRIDGE (the SDK's name for it). */
  url: string;
  /** One PutEvents entry: its EventId, or the error EventBridge would report for it. */
  put(entry: PutEventsEntry): { EventId: string } | { ErrorCode: string; ErrorMessage: string };
  close(): Promise<void>;
}

const MAX_REQUEST_BYTES = 512 * 1024;
const MAX_ENTRY_BYTES = 256 * 1024;
const MAX_ENTRIES = 10;

export async function startEventBridgeStandIn(
  options: EventBridgeStandInOptions,
): Promise<EventBridgeStandIn> {
  const buses = new Set(['default', ...options.buses]);
  const busPrefix = `arn:aws:events:${options.region}:${options.accountId}:event-bus/`;

  const put: EventBridgeStandIn['put'] = (entry) => {
    const invalid = (message: string) => ({ ErrorCode: 'InvalidArgument', ErrorMessage: message });
    if (typeof entry !== 'object' || entry === null) return invalid('An entry must be an object.');
    for (const field of ['Source', 'DetailType', 'Detail'] as const) {
      if (typeof entry[field] !== 'string' || entry[field] === '')
        return invalid(`Parameter ${field} is not valid. Reason: ${field} is a required argument.`);
    }
    let detail: unknown;
    try {
      detail = JSON.parse(entry.Detail as string);
    } catch {
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
    }
    if (typeof detail !== 'object' || detail === null || Array.isArray(detail))
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed: it must be a JSON object.' };
    if (Buffer.byteLength(JSON.stringify(entry)) > MAX_ENTRY_BYTES)
      return invalid(
        `Total size of the entries in the request is over the limit (${MAX_ENTRY_BYTES} bytes).`,
      );
    const resources = entry.Resources ?? [];
    if (!Array.isArray(resources) || !resources.every((r) => typeof r === 'string'))
      return invalid('Parameter Resources is not valid: it must be a list of ARNs.');
    const busField =
      typeof entry.EventBusName === 'string' && entry.EventBusName !== '' ? entry.EventBusName : 'default';
    const busName = busField.startsWith(busPrefix) ? busField.slice(busPrefix.length) : busField;
    if (!buses.has(busName))
      return {
        ErrorCode: 'ResourceNotFoundException',
        ErrorMessage: `Event bus ${busField} does not exist.`,
      };
    const time =
      typeof entry.Time === 'number'
        ? new Date(entry.Time * 1000)
        : typeof entry.Time === 'string'
          ? new Date(entry.Time)
          : new Date();
    const event: BusEvent = {
      version: '0',
      id: randomUUID(),
      'detail-type': entry.DetailType as string,
      source: entry.Source as string,
      account: options.accountId,
      time: (Number.isNaN(time.getTime()) ? new Date() : time).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      region: options.region,
      resources: resources as string[],
      detail,
    };
    try {
      options.onEvent(event, busName);
    } catch {
      // Accepted is accepted: what a rule does with the event is no longer the caller's business.
    }
    return { EventId: event.id };
  };

  const send = (response: ServerResponse, status: number, payload: unknown) => {
    const body = JSON.stringify(payload);
    response.writeHead(status, {
      'content-type': 'application/x-amz-json-1.1',
      'content-length': Buffer.byteLength(body),
      'x-amzn-requestid': randomUUID(),
    });
    response.end(body);
  };
  const fail = (response: ServerResponse, status: number, type: string, message: string) =>
    send(response, status, { __type: type, message });

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const target = String(request.headers['x-amz-target'] ?? '');
    let body: Buffer;
    try {
      body = await readBody(request, MAX_REQUEST_BYTES);
    } catch (error) {
      if (error instanceof BodyTooLarge) return fail(response, 413, 'ValidationException', error.message);
      throw error;
    }
    if (request.method !== 'POST' || target !== 'AWSEvents.PutEvents')
      return fail(
        response,
        400,
        'UnknownOperationException',
        `Only AWSEvents.PutEvents is served here, not ${target || '(none)'}`,
      );
    let input: { Entries?: unknown };
    try {
      input = JSON.parse(body.toString('utf8')) as { Entries?: unknown };
    } catch {
      return fail(response, 400, 'SerializationException', 'The request body is not valid JSON.');
    }
    const entries = input?.Entries;
    if (!Array.isArray(entries) || entries.length === 0 || entries.length > MAX_ENTRIES)
      return fail(response, 400, 'ValidationException', `Entries must hold 1 to ${MAX_ENTRIES} entries.`);
    const results = entries.map((entry) => put(entry as PutEventsEntry));
    send(response, 200, {
      FailedEntryCount: results.filter((result) => 'ErrorCode' in result).length,
      Entries: results,
    });
  };

  const server = createServer((request, response) => {
    handle(request, response).catch(() => response.destroy());
  });
  const listening = await listenOnLoopback(server, options.port);
  return { url: listening.url, put, close: listening.close };
}
