/**
 * A local SSM Parameter Store (AWS JSON 1.1, `X-Amz-Target: AmazonSSM.<Action>`, what the SDK v3
 * SSMClient sends): GetParameter, GetParameters, GetParametersByPath, PutParameter and
 * DeleteParameter, with versions (`name:3` selects one). SecureString values are kept as given:
 * there is no KMS here, so WithDecryption changes nothing.
 */
import { AwsJsonError, page, serveAwsJson } from './http.js';

export type ParameterType = 'String' | 'StringList' | 'SecureString';

export interface ParameterSeed {
  name: string;
  type: ParameterType;
  /** A StringList is one string, its items separated by commas. */
  value: string;
}

export interface SsmStandInOptions {
  parameters: ParameterSeed[];
  region: string;
  accountId: string;
  /** Said after "not found", e.g. how to give the sandbox a value. */
  missingHint?: string;
  port?: number;
}

export interface SsmStandIn {
  /** Endpoint for the SDK, e.g. as AWS_ENDPOINT_URL_SSM. */
  url: string;
  close(): Promise<void>;
}

interface Version {
  type: ParameterType;
  value: string;
  version: number;
  modified: number;
}

const TYPES: readonly string[] = ['String', 'StringList', 'SecureString'];
const MAX_VALUE_LENGTH = 4096;

export async function startSsmStandIn(options: SsmStandInOptions): Promise<SsmStandIn> {
  /** Every version of each parameter, oldest first. */
  const parameters = new Map<string, Version[]>();
  for (const seed of options.parameters)
    parameters.set(seed.name, [{ type: seed.type, value: seed.value, version: 1, modified: Date.now() }]);
  const arnPrefix = `arn:aws:ssm:${options.region}:${options.accountId}:parameter`;
  const arnOf = (name: string) => `${arnPrefix}${name.startsWith('/') ? '' : '/'}${name}`;
  const hint = options.missingHint ? ` ${options.missingHint}` : '';
  const notFound = (name: string) =>
    new AwsJsonError('ParameterNotFound', `Parameter ${name} not found.${hint}`);

  const requiredName = (value: unknown, field = 'Name'): string => {
    if (typeof value !== 'string' || value === '')
      throw new AwsJsonError('ValidationException', `${field} is required.`);
    return value;
  };
  /** A name or an ARN, either with an optional `:version` selector. */
  const lookup = (reference: string) => {
    const [, base, selected] = /^(.*?)(?::(\d+))?$/.exec(reference)!;
    let name = base!;
    if (name.startsWith('arn:')) {
      const rest = /^arn:[^:]+:ssm:[^:]*:[^:]*:parameter\/(.+)$/.exec(name)?.[1];
      if (!rest) throw new AwsJsonError('ValidationException', `${reference} is not a parameter ARN.`);
      name = parameters.has(`/${rest}`) ? `/${rest}` : rest;
    }
    const versions = parameters.get(name);
    if (!versions) throw notFound(reference);
    const version = selected ? versions.find((v) => v.version === Number(selected)) : versions.at(-1);
    if (!version)
      throw new AwsJsonError('ParameterVersionNotFound', `Version ${selected} of ${name} does not exist.`);
    return {
      Name: name,
      Type: version.type,
      Value: version.value,
      Version: version.version,
      LastModifiedDate: version.modified / 1000,
      ARN: arnOf(name),
      DataType: 'text',
      ...(selected ? { Selector: `:${selected}` } : {}),
    };
  };

  const server = await serveAwsJson(
    'AmazonSSM',
    {
      GetParameter: (input) => ({ Parameter: lookup(requiredName(input.Name)) }),
      GetParameters: (input) => {
        const names = input.Names;
        if (!Array.isArray(names) || names.length === 0 || names.length > 10)
          throw new AwsJsonError('ValidationException', 'Names holds 1 to 10 parameter names.');
        const Parameters: unknown[] = [];
        const InvalidParameters: string[] = [];
        for (const name of names) {
          try {
            Parameters.push(lookup(requiredName(name, 'Each of Names')));
          } catch (error) {
            if (!(error instanceof AwsJsonError) || error.type === 'ValidationException') throw error;
            InvalidParameters.push(String(name));
          }
        }
        return { Parameters, InvalidParameters };
      },
      GetParametersByPath: (input) => {
        const path = requiredName(input.Path, 'Path');
        if (!path.startsWith('/'))
          throw new AwsJsonError('ValidationException', 'A parameter path starts with a forward slash (/).');
        if (input.MaxResults !== undefined && Number(input.MaxResults) > 10)
          throw new AwsJsonError('ValidationException', 'MaxResults is at most 10.');
        const prefix = path.endsWith('/') ? path : `${path}/`;
        const names = [...parameters.keys()]
          .filter(
            (name) =>
              name.startsWith(prefix) &&
              (input.Recursive === true || !name.slice(prefix.length).includes('/')),
          )
          .sort();
        const listed = page(names, input, 10);
        return {
          Parameters: listed.items.map((name) => lookup(name)),
          ...(listed.next ? { NextToken: listed.next } : {}),
        };
      },
      PutParameter: (input) => {
        const name = requiredName(input.Name);
        const { Value: value, Type: type } = input;
        if (typeof value !== 'string' || value === '' || value.length > MAX_VALUE_LENGTH)
          throw new AwsJsonError(
            'ValidationException',
            `Value must be a string of 1 to ${MAX_VALUE_LENGTH} characters.`,
          );
        if (type !== undefined && !TYPES.includes(String(type)))
          throw new AwsJsonError('ValidationException', `Type must be one of ${TYPES.join(', ')}.`);
        const versions = parameters.get(name);
        if (versions && input.Overwrite !== true)
          throw new AwsJsonError(
            'ParameterAlreadyExists',
            `The parameter ${name} already exists. To overwrite it, set Overwrite to true.`,
          );
        if (!versions && type === undefined)
          throw new AwsJsonError('ValidationException', 'A new parameter needs a Type.');
        const last = versions?.at(-1);
        const version: Version = {
          type: (type as ParameterType | undefined) ?? last!.type,
          value,
          version: (last?.version ?? 0) + 1,
          modified: Date.now(),
        };
        parameters.set(name, [...(versions ?? []), version]);
        return { Version: version.version, Tier: 'Standard' };
      },
      DeleteParameter: (input) => {
        const name = requiredName(input.Name);
        if (!parameters.delete(name)) throw notFound(name);
        return {};
      },
    },
    options.port,
  );
  return server;
}
