/** The search engine the log shipper ships to, in place of OpenSearch / Elasticsearch. */
import type { SearchStandIn } from '../aws/search.js';
import { sigV4From, startSearchStandIn } from '../aws/search.js';
import { SANDBOX_CREDENTIALS } from '../lambda/environment.js';
import { SANDBOX_REGION } from '../template/index.js';
import type { SandboxService } from './service.js';

export class SearchService implements SandboxService {
  readonly name = 'search';
  readonly resourceTypes = [
    'AWS::OpenSearchService::Domain',
    'AWS::OpenSearchServerless::*',
    'AWS::Elasticsearch::Domain',
  ];
  standIn: SearchStandIn | undefined;

  async start(): Promise<void> {
    this.standIn = await startSearchStandIn({
      authorize: sigV4From(SANDBOX_CREDENTIALS.AWS_ACCESS_KEY_ID, SANDBOX_REGION, 'es'),
    });
  }

  async stop(): Promise<void> {
    await this.standIn?.close();
  }
}
