/** A Lambda `FunctionName` as templates and events give it: a name, or a full, partial or qualified ARN. */
import { expect, it } from '@jest/globals';
import { functionNameOf } from '../../../sandbox/template/index.js';

it.each([
  ['orders', 'orders'],
  ['arn:aws:lambda:eu-west-2:123456789012:function:orders', 'orders'],
  ['arn:aws:lambda:eu-west-2:123456789012:function:orders:live', 'orders'],
  ['arn:aws:lambda:eu-west-2:123456789012:function:orders:$LATEST', 'orders'],
  ['123456789012:function:orders', 'orders'],
  ['arn:aws-cn:lambda:cn-north-1:123456789012:function:orders-api:7', 'orders-api'],
])('%s names the function %s', (reference, name) => {
  expect(functionNameOf(reference)).toBe(name);
});
