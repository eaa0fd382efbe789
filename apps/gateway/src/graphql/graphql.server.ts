import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import { BeforeApplicationShutdown, Inject, Injectable } from '@nestjs/common';
import express, { RequestHandler } from 'express';
import { GATEWAY_OPTIONS } from '../tokens';
import type { GatewayOptions } from '../tokens';
import { GROUPING_CONFIG } from './grouping-config.port';
import type { GroupingConfigAdmin } from './grouping-config.port';
import { ISSUE_READER } from './issue-reader.port';
import type { IssueReader } from './issue-reader.port';
import { createRequestContext, GatewayContext } from './request-context';
import { buildResolvers } from './resolvers';
import { readSchemaSdl } from './schema-sdl';

/** Apollo Server over the checked-in SDL, mounted on Nest's express instance at /graphql. */
@Injectable()
export class GraphqlServer implements BeforeApplicationShutdown {
  private readonly apollo: ApolloServer<GatewayContext>;

  constructor(
    @Inject(ISSUE_READER) private readonly reader: IssueReader,
    @Inject(GROUPING_CONFIG) groupingConfig: GroupingConfigAdmin,
    @Inject(GATEWAY_OPTIONS) options: GatewayOptions,
  ) {
    this.apollo = createApolloServer(reader, groupingConfig, options);
  }

  async middleware(): Promise<RequestHandler[]> {
    await this.apollo.start();
    return [express.json({ limit: '1mb' }), expressMiddleware(this.apollo, { context: async () => createRequestContext(this.reader) })];
  }

  // Before the storage clients close (their onApplicationShutdown hooks), so in-flight queries finish.
  async beforeApplicationShutdown(): Promise<void> {
    await this.apollo.stop();
  }
}

/** The schema with its resolvers, without HTTP: what the server mounts and what the unit specs execute operations against. */
export function createApolloServer(reader: IssueReader, groupingConfig: GroupingConfigAdmin, options: GatewayOptions): ApolloServer<GatewayContext> {
  return new ApolloServer<GatewayContext>({
    typeDefs: readSchemaSdl(),
    resolvers: buildResolvers(reader, groupingConfig),
    introspection: options.introspection,
    includeStacktraceInErrorResponses: false,
  });
}
