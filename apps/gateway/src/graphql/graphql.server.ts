import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import express, { RequestHandler } from 'express';
import { GATEWAY_OPTIONS } from '../tokens';
import type { GatewayOptions } from '../tokens';
import { ISSUE_READER } from './issue-reader.port';
import type { IssueReader } from './issue-reader.port';
import { buildResolvers } from './resolvers';
import { readSchemaSdl } from './schema-sdl';

/** Apollo Server over the checked-in SDL, mounted on Nest's express instance at /graphql. */
@Injectable()
export class GraphqlServer implements OnApplicationShutdown {
  private readonly apollo: ApolloServer;

  constructor(@Inject(ISSUE_READER) reader: IssueReader, @Inject(GATEWAY_OPTIONS) options: GatewayOptions) {
    this.apollo = new ApolloServer({
      typeDefs: readSchemaSdl(),
      resolvers: buildResolvers(reader),
      introspection: options.introspection,
      includeStacktraceInErrorResponses: false,
    });
  }

  async middleware(): Promise<RequestHandler[]> {
    await this.apollo.start();
    return [express.json({ limit: '1mb' }), expressMiddleware(this.apollo)];
  }

  async onApplicationShutdown(): Promise<void> {
    await this.apollo.stop();
  }
}
