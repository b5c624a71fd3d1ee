/**
 * A stack with every kind of API the sandbox serves, and some it does not: an HTTP API with a named
 * stage, routes to different functions, payload 1.0 and 2.0, a $default route and a JWT authorizer;
 * a WebSocket API; a LambdaRestApi; a REST API with a resource tree, a stage, binary media types, a
 * MOCK method and IAM authorization; and two function URLs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { SandboxStack } from '../../../../sandbox/template/index.js';
import { readStack } from '../../../../sandbox/template/index.js';

export const STACK_NAME = 'ShopApis';

/** Synthesizes the stack with every function's code in `assetDir` (a folder with index.mjs). */
export function synthShopApis(assetDir: string): { stack: SandboxStack; cleanup: () => void } {
  const outdir = mkdtempSync(join(tmpdir(), 'lookout-apis-'));
  // As the CDK CLI synthesizes: asset paths and construct paths in the metadata.
  const app = new App({
    outdir,
    context: { 'aws:cdk:enable-asset-metadata': true, 'aws:cdk:enable-path-metadata': true },
  });
  const stack = new Stack(app, STACK_NAME);
  const fn = (id: string, environment: Record<string, string> = {}) =>
    new lambda.Function(stack, id, {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(assetDir),
      environment,
    });
  const items = fn('ItemsFunction');
  const orders = fn('OrdersFunction');
  const legacy = fn('LegacyFunction');

  const httpApi = new apigwv2.HttpApi(stack, 'ShopHttpApi', {
    createDefaultStage: false,
    defaultIntegration: new HttpLambdaIntegration('Fallback', orders),
  });
  httpApi.addStage('Dev', { stageName: 'dev', autoDeploy: true });
  httpApi.addRoutes({
    path: '/items',
    methods: [apigwv2.HttpMethod.GET],
    integration: new HttpLambdaIntegration('Items', items),
  });
  httpApi.addRoutes({
    path: '/orders',
    methods: [apigwv2.HttpMethod.POST],
    integration: new HttpLambdaIntegration('Orders', orders),
    authorizer: new HttpJwtAuthorizer('Jwt', 'https://issuer.example', { jwtAudience: ['shop'] }),
  });
  httpApi.addRoutes({
    path: '/legacy',
    methods: [apigwv2.HttpMethod.GET],
    integration: new HttpLambdaIntegration('Legacy', legacy, {
      payloadFormatVersion: apigwv2.PayloadFormatVersion.VERSION_1_0,
    }),
  });

  new apigwv2.WebSocketApi(stack, 'ShopSocket');

  const restApi = new apigw.LambdaRestApi(stack, 'ShopRestApi', { handler: items });

  const catalog = new apigw.RestApi(stack, 'CatalogRestApi', {
    deployOptions: { stageName: 'v1' },
    binaryMediaTypes: ['image/png'],
  });
  const itemsResource = catalog.root.addResource('items');
  itemsResource.addMethod('GET', new apigw.LambdaIntegration(items));
  itemsResource.addMethod(
    'OPTIONS',
    // A mapping template computes the answer from the request: beyond the sandbox (a fixed MOCK is played).
    new apigw.MockIntegration({
      integrationResponses: [
        { statusCode: '204', responseTemplates: { 'application/json': '{"at": "$context.requestTime"}' } },
      ],
    }),
    { methodResponses: [{ statusCode: '204' }] },
  );
  const item = itemsResource.addResource('{id}');
  item.addMethod('GET', new apigw.LambdaIntegration(orders));
  item.addMethod('DELETE', new apigw.LambdaIntegration(orders));
  catalog.root.addResource('admin').addMethod('GET', new apigw.LambdaIntegration(legacy), {
    authorizationType: apigw.AuthorizationType.IAM,
  });

  const urlFunction = fn('UrlFunction', {
    HTTP_API_URL: httpApi.apiEndpoint,
    REST_API_URL: restApi.url,
  });
  urlFunction.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.NONE });
  legacy.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.AWS_IAM });

  app.synth();
  return { stack: readStack(outdir), cleanup: () => rmSync(outdir, { recursive: true, force: true }) };
}
