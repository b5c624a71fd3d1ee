/**
 * A local AWS Secrets Manager (AWS JSON 1.1, `X-Amz-Target: secretsmanager.<Action>`, what the SDK v3
 * SecretsManagerClient sends): GetSecretValue, BatchGetSecretValue, DescribeSecret, ListSecrets and
 * PutSecretValue over the secrets it is given, with versions and their AWSCURRENT / AWSPREVIOUS
 * stages. A secret is found by name, full ARN, or partial ARN (without the 6-character suffix).
 */
import { randomInt, randomUUID } from 'node:crypto';
import { AwsJsonError, page, serveAwsJson } from './http.js';

export interface SecretSeed {
  name: string;
  /** `arn:aws:secretsmanager:<region>:<account>:secret:<name>-AbCdEf`. */
  arn: string;
  /** The first version's SecretString; without it the secret has no value yet. */
  value?: string | undefined;
  description?: string | undefined;
}

export interface SecretsManagerStandInOptions {
  secrets: SecretSeed[];
  /** Said after "not found", e.g. how to give the sandbox a value. */
  missingHint?: string;
  port?: number;
}

export interface SecretsManagerStandIn {
  /** Endpoint for the SDK, e.g. as AWS_ENDPOINT_URL_SECRETS_MANAGER. */
  url: string;
  close(): Promise<void>;
}

interface Version {
  id: string;
  secretString?: string;
  secretBinary?: string;
  stages: Set<string>;
  created: number;
}

interface Secret {
  name: string;
  arn: string;
  description?: string | undefined;
  created: number;
  changed: number;
  versions: Version[];
}

const CURRENT = 'AWSCURRENT';
const PREVIOUS = 'AWSPREVIOUS';
const seconds = (ms: number) => ms / 1000;

export async function startSecretsManagerStandIn(
  options: SecretsManagerStandInOptions,
): Promise<SecretsManagerStandIn> {
  const secrets: Secret[] = [];
  const now = Date.now();
  for (const seed of options.secrets) {
    const secret: Secret = { ...seed, created: now, changed: now, versions: [] };
    if (seed.value !== undefined) addVersion(secret, { secretString: seed.value }, randomUUID(), [CURRENT]);
    secrets.push(secret);
  }
  const hint = options.missingHint ? ` ${options.missingHint}` : '';

  const find = (id: unknown): Secret => {
    if (typeof id !== 'string' || id === '')
      throw new AwsJsonError('InvalidParameterException', 'SecretId is required.');
    const partial = /^arn:[^:]+:secretsmanager:[^:]*:[^:]*:secret:(.+)$/.exec(id)?.[1];
    const found =
      secrets.find((secret) => secret.arn === id) ??
      secrets.find((secret) => secret.name === (partial ?? id));
    if (!found)
      throw new AwsJsonError(
        'ResourceNotFoundException',
        `Secrets Manager can't find the specified secret.${hint}`,
      );
    return found;
  };

  const value = (input: Record<string, unknown>) => {
    const secret = find(input.SecretId);
    const { VersionId: versionId, VersionStage: stage } = input;
    const wantedStage = stage ?? (versionId === undefined ? CURRENT : undefined);
    const version = secret.versions.find(
      (candidate) =>
        (versionId === undefined || candidate.id === versionId) &&
        (wantedStage === undefined || candidate.stages.has(String(wantedStage))),
    );
    if (!version) {
      const which =
        wantedStage === undefined ? `VersionId ${String(versionId)}` : `staging label ${String(wantedStage)}`;
      throw new AwsJsonError(
        'ResourceNotFoundException',
        `Secrets Manager can't find the specified secret value for ${which}.${hint}`,
      );
    }
    return {
      ARN: secret.arn,
      Name: secret.name,
      VersionId: version.id,
      ...(version.secretString !== undefined ? { SecretString: version.secretString } : {}),
      ...(version.secretBinary !== undefined ? { SecretBinary: version.secretBinary } : {}),
      VersionStages: [...version.stages],
      CreatedDate: seconds(version.created),
    };
  };

  const stagesById = (secret: Secret) =>
    Object.fromEntries(secret.versions.map((version) => [version.id, [...version.stages]]));
  const describe = (secret: Secret) => ({
    ARN: secret.arn,
    Name: secret.name,
    ...(secret.description !== undefined ? { Description: secret.description } : {}),
    CreatedDate: seconds(secret.created),
    LastChangedDate: seconds(secret.changed),
  });

  const server = await serveAwsJson(
    'secretsmanager',
    {
      GetSecretValue: value,
      BatchGetSecretValue: (input) => {
        const ids = input.SecretIdList;
        if (ids !== undefined && input.Filters !== undefined)
          throw new AwsJsonError('InvalidParameterException', 'Pass SecretIdList or Filters, not both.');
        if (ids !== undefined) {
          if (!Array.isArray(ids) || ids.length === 0 || ids.length > 20)
            throw new AwsJsonError('InvalidParameterException', 'SecretIdList holds 1 to 20 secret ids.');
          const SecretValues: unknown[] = [];
          const Errors: unknown[] = [];
          for (const id of ids) {
            try {
              SecretValues.push(value({ SecretId: id }));
            } catch (error) {
              const { type, message } = error as AwsJsonError;
              Errors.push({ SecretId: id, ErrorCode: type, Message: message });
            }
          }
          return { SecretValues, Errors };
        }
        const listed = page(matching(secrets, input.Filters), input, 20);
        return {
          SecretValues: listed.items
            .filter((secret) => secret.versions.some((v) => v.stages.has(CURRENT)))
            .map((secret) => value({ SecretId: secret.arn })),
          Errors: [],
          ...(listed.next ? { NextToken: listed.next } : {}),
        };
      },
      DescribeSecret: (input) => {
        const secret = find(input.SecretId);
        return { ...describe(secret), VersionIdsToStages: stagesById(secret) };
      },
      ListSecrets: (input) => {
        const listed = page(matching(secrets, input.Filters), input, 100);
        return {
          SecretList: listed.items.map((secret) => ({
            ...describe(secret),
            SecretVersionsToStages: stagesById(secret),
          })),
          ...(listed.next ? { NextToken: listed.next } : {}),
        };
      },
      PutSecretValue: (input) => {
        const secret = find(input.SecretId);
        const { SecretString: secretString, SecretBinary: secretBinary } = input;
        if ((secretString === undefined) === (secretBinary === undefined))
          throw new AwsJsonError('InvalidParameterException', 'Pass either SecretString or SecretBinary.');
        if (secretString !== undefined && typeof secretString !== 'string')
          throw new AwsJsonError('InvalidParameterException', 'SecretString must be a string.');
        const token = typeof input.ClientRequestToken === 'string' ? input.ClientRequestToken : randomUUID();
        const stages = Array.isArray(input.VersionStages) ? input.VersionStages.map(String) : [CURRENT];
        const existing = secret.versions.find((version) => version.id === token);
        if (existing) {
          if (existing.secretString !== secretString || existing.secretBinary !== secretBinary)
            throw new AwsJsonError(
              'ResourceExistsException',
              `A version with ClientRequestToken ${token} already exists with a different value.`,
            );
        } else {
          addVersion(
            secret,
            secretString !== undefined ? { secretString } : { secretBinary: String(secretBinary) },
            token,
            stages,
          );
        }
        const version = secret.versions.find((candidate) => candidate.id === token)!;
        return { ARN: secret.arn, Name: secret.name, VersionId: token, VersionStages: [...version.stages] };
      },
    },
    options.port,
  );
  return server;
}

/** Adds a version; a stage it takes moves off the version that had it (AWSCURRENT's old one becomes AWSPREVIOUS). */
function addVersion(
  secret: Secret,
  content: { secretString: string } | { secretBinary: string },
  id: string,
  stages: string[],
): void {
  const version: Version = { id, ...content, stages: new Set(stages), created: Date.now() };
  for (const stage of stages) {
    for (const other of secret.versions) {
      if (!other.stages.delete(stage) || stage !== CURRENT) continue;
      for (const older of secret.versions) older.stages.delete(PREVIOUS);
      other.stages.add(PREVIOUS);
    }
  }
  secret.versions = secret.versions.filter((other) => other.stages.size > 0);
  secret.versions.push(version);
  secret.changed = version.created;
}

/** ListSecrets' filters: `name`, `description` and `all` match by prefix; other keys are not served. */
function matching(secrets: Secret[], filters: unknown): Secret[] {
  if (filters === undefined) return secrets;
  if (!Array.isArray(filters))
    throw new AwsJsonError('InvalidParameterException', 'Filters must be a list of { Key, Values }.');
  return secrets.filter((secret) =>
    (filters as { Key?: unknown; Values?: unknown }[]).every(({ Key: key, Values: values }) => {
      const fields =
        key === 'name'
          ? [secret.name]
          : key === 'description'
            ? [secret.description ?? '']
            : key === 'all'
              ? [secret.name, secret.description ?? '']
              : undefined;
      if (!fields || !Array.isArray(values))
        throw new AwsJsonError(
          'InvalidParameterException',
          `The sandbox filters secrets by name, description or all, not ${String(key)}.`,
        );
      return values.some((wanted) => fields.some((field) => field.startsWith(String(wanted))));
    }),
  );
}

/** `AWS::SecretsManager::Secret`'s GenerateSecretString, as CloudFormation reads it. */
export interface GenerateSecretString {
  PasswordLength?: number;
  ExcludeCharacters?: string;
  ExcludeLowercase?: boolean;
  ExcludeUppercase?: boolean;
  ExcludeNumbers?: boolean;
  ExcludePunctuation?: boolean;
  IncludeSpace?: boolean;
  RequireEachIncludedType?: boolean;
  SecretStringTemplate?: string;
  GenerateStringKey?: string;
}

const CHARACTER_TYPES = {
  lowercase: 'abcdefghijklmnopqrstuvwxyz',
  uppercase: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
  numbers: '0123456789',
  punctuation: '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~',
  space: ' ',
};

/**
 * A random password as GetRandomPassword makes it (32 characters of every type but space unless told
 * otherwise, one of each included type at least), or, with SecretStringTemplate and
 * GenerateStringKey, that JSON object with the password under the key. Throws what CloudFormation
 * would refuse.
 */
export function generateSecretString(spec: GenerateSecretString): string {
  const length = spec.PasswordLength ?? 32;
  if (!Number.isInteger(length) || length < 1 || length > 4096)
    throw new Error('PasswordLength must be a whole number from 1 to 4096');
  const excluded = new Set(spec.ExcludeCharacters ?? '');
  const types = [
    !spec.ExcludeLowercase && CHARACTER_TYPES.lowercase,
    !spec.ExcludeUppercase && CHARACTER_TYPES.uppercase,
    !spec.ExcludeNumbers && CHARACTER_TYPES.numbers,
    !spec.ExcludePunctuation && CHARACTER_TYPES.punctuation,
    spec.IncludeSpace === true && CHARACTER_TYPES.space,
  ]
    .filter((type): type is string => typeof type === 'string')
    .map((type) => [...type].filter((character) => !excluded.has(character)).join(''))
    .filter((type) => type.length > 0);
  if (types.length === 0) throw new Error('GenerateSecretString excludes every character');
  const pick = (from: string) => from[randomInt(from.length)]!;
  const all = types.join('');
  const characters = Array.from({ length }, () => pick(all));
  if (spec.RequireEachIncludedType !== false) {
    if (length < types.length)
      throw new Error(
        `PasswordLength ${length} is too short for one character of each of ${types.length} types`,
      );
    // One of each type at distinct random places; the rest stays uniformly random.
    const places = Array.from({ length }, (_, index) => index);
    for (const type of types) characters[places.splice(randomInt(places.length), 1)[0]!] = pick(type);
  }
  const password = characters.join('');
  if ((spec.SecretStringTemplate === undefined) !== (spec.GenerateStringKey === undefined))
    throw new Error('SecretStringTemplate and GenerateStringKey go together');
  if (spec.SecretStringTemplate === undefined) return password;
  let template: unknown;
  try {
    template = JSON.parse(spec.SecretStringTemplate);
  } catch {
    throw new Error('SecretStringTemplate is not valid JSON');
  }
  if (typeof template !== 'object' || template === null || Array.isArray(template))
    throw new Error('SecretStringTemplate must be a JSON object');
  return JSON.stringify({ ...template, [spec.GenerateStringKey!]: password });
}
