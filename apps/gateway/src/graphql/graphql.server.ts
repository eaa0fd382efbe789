import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import { BeforeApplicationShutdown, Inject, Injectable } from '@nestjs/common';
import express, { RequestHandler } from 'express';
import { IssueWorkflow } from '../issue-workflow/issue-workflow.service';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { CountSeriesSource } from '../issue-detail/count-series.loader';
import { IssueListService } from '../issue-list/issue-list.service';
import { COUNT_SERIES, GATEWAY_OPTIONS, ISSUE_LIST, TRACKED_VALUES } from '../tokens';
import type { GatewayOptions } from '../tokens';
import { GROUPING_CONFIG } from './grouping-config.port';
import type { GroupingConfigAdmin } from './grouping-config.port';
import { ISSUE_READER } from './issue-reader.port';
import type { IssueReader } from './issue-reader.port';
import { ACTOR_HEADER, createRequestContext, GatewayContext } from './request-context';
import type { TrackedValueSource } from './request-context';
import { keepQueryLimitCode, queryLimitsRule } from './query-limits';
import { buildResolvers, GatewayServices } from './resolvers';
import { readSchemaSdl } from './schema-sdl';

/** Apollo Server over the checked-in SDL, mounted on Nest's express instance at /graphql. */
@Injectable()
export class GraphqlServer implements BeforeApplicationShutdown {
  private readonly apollo: ApolloServer<GatewayContext>;

  constructor(
    @Inject(ISSUE_READER) private readonly reader: IssueReader,
    @Inject(GROUPING_CONFIG) groupingConfig: GroupingConfigAdmin,
    private readonly workflow: IssueWorkflow,
    @Inject(ISSUE_LIST) lists: IssueListService,
    @Inject(COUNT_SERIES) private readonly series: CountSeriesSource,
    @Inject(TRACKED_VALUES) private readonly trackedValues: TrackedValueSource,
    @Inject(GATEWAY_OPTIONS) options: GatewayOptions,
  ) {
    this.apollo = createApolloServer({ reader, lists, groupingConfig, workflow }, options);
  }

  async middleware(): Promise<RequestHandler[]> {
    await this.apollo.start();
    return [
      express.json({ limit: '1mb' }),
      expressMiddleware(this.apollo, {
        context: async ({ req }) => createRequestContext({ reader: this.reader, history: this.workflow, series: this.series, trackedValues: this.trackedValues }, req.headers[ACTOR_HEADER]),
      }),
    ];
  }

  // Before the storage clients close (their onApplicationShutdown hooks), so in-flight queries finish.
  async beforeApplicationShutdown(): Promise<void> {
    await this.apollo.stop();
  }
}

/** The schema with its resolvers, without HTTP: what the server mounts and what the unit specs execute operations against. */
export function createApolloServer(services: GatewayServices, options: GatewayOptions): ApolloServer<GatewayContext> {
  return new ApolloServer<GatewayContext>({
    typeDefs: readSchemaSdl(),
    resolvers: buildResolvers(services),
    introspection: options.introspection,
    // The IDE page loads Apollo Sandbox from Apollo's CDN in the browser; nothing is fetched server-side.
    plugins: [options.ide ? ApolloServerPluginLandingPageLocalDefault({ embed: true, includeCookies: false }) : ApolloServerPluginLandingPageDisabled()],
    // Runs with graphql's own rules, so an operation over the limits is a 400 before any resolver runs.
    validationRules: [queryLimitsRule(options.limits)],
    formatError: keepQueryLimitCode,
    includeStacktraceInErrorResponses: false,
  });
}
