/**
 * The console's CPU profiles: `/api/profiles` lists the files of a real folder, newest first, with
 * the correlation id the profiler logged; `/api/profiles/<key>` serves one as a download and
 * refuses anything that is not a key of a profile in that folder.
 */
import { mkdirSync, readFileSync, statSync, symlinkSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { profileKey } from '../../../lib/profiling/layout.js';
import { findProfile, readProfileFile, type ConsoleProfile } from '../../../sandbox/console/profiles.js';
import {
  startConsole,
  type ConsoleData,
  type ConsoleSnapshot,
  type RunningConsole,
} from '../../../sandbox/console/server.js';
import { API_FUNCTION, profileFixture, SLOW_CORRELATION, type ProfileFixture } from './support/profiles.js';
import { syntheticConsole } from './support/synthetic-console.js';

let fixture: ProfileFixture;
const running: RunningConsole[] = [];
beforeEach(() => {
  fixture = profileFixture();
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((c) => c.close()));
  fixture.remove();
});

async function start(data: Partial<ConsoleData> = {}): Promise<RunningConsole> {
  const console = await startConsole({
    port: 0,
    data: { ...syntheticConsole().data, profiles: fixture.folder, ...data },
  });
  running.push(console);
  return console;
}

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A request with the path exactly as written: fetch() would normalise it first. */
function raw(url: string, path: string, method = 'GET'): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: '127.0.0.1', port: new URL(url).port, path, method }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }),
      );
    });
    request.on('error', reject);
    request.end();
  });
}

const fileOf = (key: string) => key.split('/')[1]!;

describe('GET /api/profiles', () => {
  test('lists every profile of the folder newest first, with its size, correlation id and download URL', async () => {
    const { url } = await start();
    const response = await fetch(`${url}/api/profiles`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const listed = (await response.json()) as ConsoleProfile[];
    expect(listed.map((profile) => profile.key)).toEqual(fixture.profiles.map((profile) => profile.key));
    const [slow, sampled, unlogged] = listed;
    expect(slow).toEqual({
      key: fixture.profiles[0]!.key,
      functionName: API_FUNCTION,
      capturedAt: Date.parse('2026-03-02T10:15:30.250Z'),
      reason: 'slow',
      requestId: 'a1b2c3d4-0000-4000-8000-000000000001',
      correlationId: SLOW_CORRELATION,
      bytes: fixture.profiles[0]!.text.length,
      url: `/api/profiles/${fixture.profiles[0]!.key}`,
    });
    expect(sampled).toMatchObject({ reason: 'sampled', correlationId: 'traffic-5b0c6a1e-sampled' });
    expect(unlogged!.correlationId).toBeUndefined();
    for (const [index, profile] of listed.entries()) {
      const path = `${fixture.folder.directory}/${fixture.profiles[index]!.key}`;
      expect(profile.bytes).toBe(statSync(path).size);
    }
    // The file of the wrong kind beside them is not a profile.
    expect(JSON.stringify(listed)).not.toContain('notes.txt');
  });

  test('takes a limit, and is empty for a console without profiles or with an empty folder', async () => {
    const { url } = await start();
    const one = (await (await fetch(`${url}/api/profiles?limit=1`)).json()) as ConsoleProfile[];
    expect(one.map((profile) => profile.key)).toEqual([fixture.profiles[0]!.key]);
    expect((await fetch(`${url}/api/profiles?limit=0`)).status).toBe(400);

    const { profiles: _, ...withoutProfiles } = syntheticConsole().data;
    const none = await startConsole({ port: 0, data: withoutProfiles });
    running.push(none);
    expect(await (await fetch(`${none.url}/api/profiles`)).json()).toEqual([]);
    expect((await fetch(`${none.url}${`/api/profiles/${fixture.profiles[0]!.key}`}`)).status).toBe(404);

    const missing = await start({
      profiles: { directory: `${fixture.root}/nothing-here`, version: 0, correlationId: () => undefined },
    });
    expect(await (await fetch(`${missing.url}/api/profiles`)).json()).toEqual([]);
  });

  test('the snapshot carries a version that moves when the profiler logs a new profile', async () => {
    const { url } = await start();
    const before = (await (await fetch(`${url}/api/snapshot`)).json()) as ConsoleSnapshot;
    expect(before.profilesVersion).toBe(2);
    // An ordinary line is not a profile.
    fixture.folder.observe(
      fixture.logs.append({ functionName: API_FUNCTION, line: '{"level":"INFO","message":"order created"}' }),
    );
    expect(((await (await fetch(`${url}/api/snapshot`)).json()) as ConsoleSnapshot).profilesVersion).toBe(2);
    const key = fixture.profiles[2]!.key;
    fixture.folder.observe(
      fixture.logs.append({
        functionName: API_FUNCTION,
        line: JSON.stringify({
          message: 'CPU profile captured',
          correlation_id: 'late-line',
          profile_key: key,
        }),
      }),
    );
    expect(((await (await fetch(`${url}/api/snapshot`)).json()) as ConsoleSnapshot).profilesVersion).toBe(3);
    const listed = (await (await fetch(`${url}/api/profiles`)).json()) as ConsoleProfile[];
    expect(listed.find((profile) => profile.key === key)?.correlationId).toBe('late-line');
  });
});

describe('GET /api/profiles/<key>', () => {
  test('serves the file as a .cpuprofile download, byte for byte', async () => {
    const { url } = await start();
    const [listed] = (await (await fetch(`${url}/api/profiles`)).json()) as ConsoleProfile[];
    const response = await raw(url, listed!.url);
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/json');
    expect(response.headers['content-disposition']).toBe(
      `attachment; filename="${API_FUNCTION}_${fileOf(listed!.key)}"`,
    );
    expect(response.headers['content-disposition']).toMatch(/\.cpuprofile"$/);
    const onDisk = readFileSync(`${fixture.folder.directory}/${listed!.key}`);
    expect(response.body.equals(onDisk)).toBe(true);
    expect(response.headers['content-length']).toBe(String(onDisk.length));
    const profile = JSON.parse(response.body.toString('utf8')) as { nodes: unknown[]; samples: number[] };
    expect(profile.nodes).toHaveLength(3);

    const head = await raw(url, listed!.url, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers['content-disposition']).toBe(response.headers['content-disposition']);
    expect(head.body.length).toBe(0);
  });

  test('a well-formed key that is not in the folder is 404, even when the file exists elsewhere', async () => {
    const { url } = await start();
    const unknown = fixture.profiles[0]!.key.replace('_slow_a1b2', '_slow_ffff');
    const response = await raw(url, `/api/profiles/${unknown}`);
    expect(response.status).toBe(404);
    expect(JSON.parse(response.body.toString())).toEqual({ error: `no profile ${unknown}` });
    // The secret's key, relative to the folder, names nothing in it.
    const secret = await raw(url, `/api/profiles/${fixture.secret.key}`);
    expect(secret.status).toBe(404);
    expect(secret.body.toString()).not.toContain('must never be served');
  });

  const secretFile = () => fileOf(fixture.secret.key);
  const profileFile = () => fileOf(fixture.profiles[0]!.key);
  test.each<[string, () => string, number]>([
    // The URL parser resolves dot segments, literal or encoded, before routing: nothing at /api/secret.
    ['a dot-dot segment', () => `/api/profiles/../secret/${secretFile()}`, 404],
    ['an encoded dot-dot segment', () => `/api/profiles/%2e%2e/secret/${secretFile()}`, 404],
    ['dot-dot with an encoded slash', () => `/api/profiles/..%2Fsecret/${secretFile()}`, 400],
    ['all of it encoded', () => `/api/profiles/%2e%2e%2fsecret%2f${secretFile()}`, 400],
    ['an encoded backslash', () => `/api/profiles/..%5Csecret/${secretFile()}`, 400],
    ['an absolute path', () => `/api/profiles/${fixture.secret.path}`, 400],
    ['an encoded absolute path', () => `/api/profiles/${encodeURIComponent(fixture.secret.path)}`, 400],
    ['a real key with its slash encoded', () => `/api/profiles/${API_FUNCTION}%2F${profileFile()}`, 400],
    ['a file of the folder that is not a profile', () => `/api/profiles/${API_FUNCTION}/notes.txt`, 400],
    [
      'a key with a character profileKey never writes',
      () => `/api/profiles/orders%20api/${profileFile()}`,
      400,
    ],
    ['a NUL byte', () => `/api/profiles/${API_FUNCTION}/${profileFile()}%00.json`, 400],
    ['broken percent-encoding', () => `/api/profiles/%E0%A4%A/${profileFile()}`, 400],
    ['no file at all', () => `/api/profiles/${API_FUNCTION}`, 400],
  ])('refuses %s', async (_name, path, status) => {
    const { url } = await start();
    const response = await raw(url, path());
    expect(response.status).toBe(status);
    const text = response.body.toString();
    expect(text).not.toContain('must never be served');
    expect(text).not.toContain('"nodes"');
    expect(response.headers['content-disposition']).toBeUndefined();
    expect(JSON.parse(text)).toEqual({ error: expect.any(String) });
  });

  test('a dot-dot function folder is malformed even where no URL parser resolved it first', async () => {
    const dotDot = await findProfile(fixture.folder, `../${secretFile()}`);
    expect(dotDot).toEqual({ status: 400, message: expect.stringContaining('not a profile key') });
    expect(await findProfile(fixture.folder, `%2E%2E/${secretFile()}`)).toMatchObject({ status: 400 });
    expect(await findProfile(fixture.folder, fixture.profiles[1]!.key)).toEqual({
      found: expect.objectContaining({ key: fixture.profiles[1]!.key, reason: 'sampled' }),
    });
  });
});

describe('symbolic links in the profile folder', () => {
  /** A key exactly as the profiler writes it, for a file that is really a link. */
  const linkedKey = (functionName: string) =>
    profileKey({
      functionName,
      capturedAt: new Date('2026-03-02T11:00:00.000Z'),
      reason: 'slow',
      requestId: 'linked',
    });
  const place = (key: string) => join(fixture.folder.directory, ...key.split('/'));

  /** The listing answers 200 with exactly the real profiles, and names no path on this machine. */
  async function expectOnlyRealProfiles(url: string): Promise<void> {
    const response = await raw(url, '/api/profiles');
    expect(response.status).toBe(200);
    const listed = JSON.parse(response.body.toString()) as ConsoleProfile[];
    expect(listed.map((profile) => profile.key)).toEqual(fixture.profiles.map((profile) => profile.key));
    expect(response.body.toString()).not.toContain(fixture.root);
    const snapshot = JSON.parse((await raw(url, '/api/snapshot')).body.toString()) as ConsoleSnapshot;
    expect(snapshot.errors).toBeUndefined();
  }

  test('a dangling link, as a function folder or as a profile, is skipped: no 500, no path', async () => {
    symlinkSync(join(fixture.root, 'gone'), join(fixture.folder.directory, 'dangling-function'));
    const dangling = linkedKey(API_FUNCTION);
    symlinkSync(join(fixture.root, 'gone.cpuprofile'), place(dangling));
    const { url } = await start();
    await expectOnlyRealProfiles(url);
    const download = await raw(url, `/api/profiles/${dangling}`);
    expect(download.status).toBe(404);
    expect(download.body.toString()).not.toContain(fixture.root);
  });

  test('a link to a file is never followed, in the listing or as a download', async () => {
    const linked = linkedKey(API_FUNCTION);
    symlinkSync(fixture.secret.path, place(linked));
    const { url } = await start();
    await expectOnlyRealProfiles(url);
    const download = await raw(url, `/api/profiles/${linked}`);
    expect(download.status).toBe(404);
    expect(download.body.toString()).not.toContain('must never be served');
  });

  test('a link to a folder is never followed, in the listing or as a download', async () => {
    // `secret/<file>` names the secret's own key once the link makes `secret` a function folder.
    symlinkSync(join(fixture.root, 'secret'), join(fixture.folder.directory, 'secret'));
    const { url } = await start();
    await expectOnlyRealProfiles(url);
    const download = await raw(url, `/api/profiles/${fixture.secret.key}`);
    expect(download.status).toBe(404);
    expect(download.body.toString()).not.toContain('must never be served');
  });

  test('a profile swapped for a link after it was listed is not read through the link', async () => {
    const real = place(fixture.profiles[0]!.key);
    expect((await readProfileFile(real))?.toString()).toBe(fixture.profiles[0]!.text);
    const swapped = join(fixture.root, 'swapped');
    mkdirSync(swapped);
    symlinkSync(fixture.secret.path, join(swapped, 'profile.cpuprofile'));
    expect(await readProfileFile(join(swapped, 'profile.cpuprofile'))).toBeUndefined();
    expect(await readProfileFile(join(swapped, 'nothing.cpuprofile'))).toBeUndefined();
    expect(await readProfileFile(swapped)).toBeUndefined();
  });
});
