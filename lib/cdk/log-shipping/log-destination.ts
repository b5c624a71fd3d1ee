import { createHash } from 'node:crypto';
import { Stack, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import * as aoss from 'aws-cdk-lib/aws-opensearchserverless';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { flatReference } from '../observed-function.js';
import type { LogShipperAuth } from '../../contract.js';

/** A Serverless collection by its attributes (or pass the `CfnCollection` itself). */
export interface ServerlessCollectionAttributes {
  /** `https://<id>.<region>.aoss.amazonaws.com`. */
  readonly collectionEndpoint: string;
  readonly collectionArn: string;
  readonly collectionName: string;
}

/** What the shipper needs to reach a destination, once it is bound to the shipper's role. */
export interface BoundLogDestination {
  readonly endpoint: string;
  readonly auth: LogShipperAuth;
  /** Holds the API key, for `api-key`. */
  readonly apiKeySecret?: secretsmanager.ISecret;
}

/**
 * Where LogShipping sends logs: an Amazon OpenSearch Service domain or Serverless collection
 * (requests signed with SigV4, access granted to the shipper's role), or any Elasticsearch or
 * OpenSearch endpoint with an API key kept in Secrets Manager.
 */
export abstract class LogDestination {
  /**
   * An OpenSearch Service domain. The shipper's role gets `es:ESHttpPost` / `es:ESHttpPut` on
   * `_bulk`, the index template and the log indexes. With fine-grained access control on, also map
   * the role (`LogShipping.shipper.role`) to a backend role that may write `<indexPrefix>-*`.
   */
  static openSearchDomain(domain: opensearch.IDomain): LogDestination {
    return new DomainDestination(domain);
  }

  /**
   * An OpenSearch Serverless collection of type SEARCH (time-series collections refuse the document
   * ids that keep retries from duplicating). LogShipping adds a data access policy for its role.
   */
  static openSearchServerless(
    collection: aoss.CfnCollection | ServerlessCollectionAttributes,
  ): LogDestination {
    return new ServerlessDestination(
      collection instanceof aoss.CfnCollection
        ? {
            collectionEndpoint: collection.attrCollectionEndpoint,
            collectionArn: collection.attrArn,
            collectionName: collection.name,
          }
        : collection,
    );
  }

  /**
   * Any Elasticsearch or OpenSearch endpoint that takes `Authorization: ApiKey ...`. The secret holds
   * the key as Elasticsearch returns it (`encoded`) or as `id:key`.
   * @param url `https://host[:port]`
   * @param apiKeySecret @default a new secret holding a placeholder, to be filled in after deploying
   */
  static endpoint(url: string, apiKeySecret?: secretsmanager.ISecret): LogDestination {
    if (!Token.isUnresolved(url) && !/^https:\/\/[^\s/]+(\/[^\s]*)?$/.test(url)) {
      throw new Error(`LogDestination.endpoint needs an https:// URL, got "${url}"`);
    }
    return new EndpointDestination(url, apiKeySecret);
  }

  /** Grants the shipper what it needs and says how to reach the destination. */
  abstract bind(
    scope: Construct,
    shipper: iam.IGrantable,
    indexPrefix: string,
    createSecret: () => secretsmanager.ISecret,
  ): BoundLogDestination;
}

class DomainDestination extends LogDestination {
  constructor(private readonly domain: opensearch.IDomain) {
    super();
  }

  bind(_scope: Construct, shipper: iam.IGrantable, indexPrefix: string): BoundLogDestination {
    const arn = this.domain.domainArn;
    const indexes = `${arn}/${indexPrefix}-*`;
    iam.Grant.addToPrincipal({
      grantee: shipper,
      actions: ['es:ESHttpPost', 'es:ESHttpPut'],
      resourceArns: [`${arn}/_bulk`, `${arn}/_index_template/${indexPrefix}`, indexes],
    });
    const role = shipper.grantPrincipal;
    if (role instanceof iam.Role) {
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${flatReference(Stack.of(role).resolve(indexes))}]`,
        reason:
          'A new index is made each day for each service (<prefix>-<service>-<yyyy.mm.dd>), so writes are granted on the index prefix of this domain and nowhere else.',
      });
    }
    return { endpoint: `https://${this.domain.domainEndpoint}`, auth: 'aws-es' };
  }
}

class ServerlessDestination extends LogDestination {
  constructor(private readonly collection: ServerlessCollectionAttributes) {
    super();
  }

  bind(scope: Construct, shipper: iam.IGrantable, indexPrefix: string): BoundLogDestination {
    const { collectionArn, collectionName, collectionEndpoint } = this.collection;
    iam.Grant.addToPrincipal({
      grantee: shipper,
      actions: ['aoss:APIAccessAll'],
      resourceArns: [collectionArn],
    });
    const role = (shipper.grantPrincipal as iam.IRole).roleArn;
    if (!role) throw new Error('LogDestination.openSearchServerless needs a shipper with a role');
    new aoss.CfnAccessPolicy(scope, 'ServerlessDataAccess', {
      // 3 to 32 lowercase letters, digits and hyphens, unique in the account and region.
      name: `lookout-logs-${createHash('sha256')
        .update(`${Stack.of(scope).stackName}/${scope.node.path}`)
        .digest('hex')
        .slice(0, 16)}`,
      type: 'data',
      description: 'Lookout log shipper: writes log indexes and their template',
      policy: Stack.of(scope).toJsonString([
        {
          Rules: [
            {
              ResourceType: 'index',
              Resource: [`index/${collectionName}/${indexPrefix}-*`],
              Permission: [
                'aoss:CreateIndex',
                'aoss:UpdateIndex',
                'aoss:DescribeIndex',
                'aoss:WriteDocument',
              ],
            },
            {
              ResourceType: 'collection',
              Resource: [`collection/${collectionName}`],
              Permission: [
                'aoss:CreateCollectionItems',
                'aoss:UpdateCollectionItems',
                'aoss:DescribeCollectionItems',
              ],
            },
          ],
          Principal: [role],
        },
      ]),
    });
    return { endpoint: collectionEndpoint, auth: 'aws-aoss' };
  }
}

class EndpointDestination extends LogDestination {
  constructor(
    private readonly url: string,
    private readonly apiKeySecret: secretsmanager.ISecret | undefined,
  ) {
    super();
  }

  bind(
    _scope: Construct,
    shipper: iam.IGrantable,
    _indexPrefix: string,
    createSecret: () => secretsmanager.ISecret,
  ): BoundLogDestination {
    const secret = this.apiKeySecret ?? createSecret();
    secret.grantRead(shipper);
    return { endpoint: this.url, auth: 'api-key', apiKeySecret: secret };
  }
}
