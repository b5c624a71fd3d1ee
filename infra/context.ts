/**
 * The demo app's optional CDK context (`-c key=value` on the CLI, or cdk.json), read into stack
 * props. A value of the wrong kind stops the synth with a message, rather than deploying a default.
 */
import type { Construct } from 'constructs';
import type { LookoutDemoStackProps } from './demo-stack.js';

export function demoPropsFromContext(
  scope: Construct,
): Pick<LookoutDemoStackProps, 'webhookSecretName' | 'alertEmail' | 'logsEndpoint' | 'demoFaults'> {
  return {
    ...optionalString(scope, 'webhookSecretName'),
    ...optionalString(scope, 'alertEmail'),
    ...optionalString(scope, 'logsEndpoint'),
    demoFaults: flag(scope, 'demoFaults'),
  };
}

function optionalString(scope: Construct, key: string): Record<string, string> {
  const value: unknown = scope.node.tryGetContext(key);
  if (value === undefined || value === '') return {};
  if (typeof value !== 'string') throw new Error(`Context value ${key} must be a string`);
  return { [key]: value };
}

/** On only for `true` (the CLI passes it as the string "true"); off when absent or `false`. */
function flag(scope: Construct, key: string): boolean {
  const value: unknown = scope.node.tryGetContext(key);
  if (value === undefined || value === false || value === 'false') return false;
  if (value === true || value === 'true') return true;
  throw new Error(`Context value ${key} must be true or false, not ${JSON.stringify(value)}`);
}
