import { buildClientSchema, buildSchema, getIntrospectionQuery, GraphQLScalarType, IntrospectionQuery, isObjectType, lexicographicSortSchema, printSchema } from 'graphql';
import { GroupingConfigAdmin } from './grouping-config.port';
import { createApolloServer } from './graphql.server';
import { IssueReader } from './issue-reader.port';
import { IssueWorkflow } from '../issue-workflow/issue-workflow.service';
import { IssueListService } from '../issue-list/issue-list.service';
import { buildResolvers, GatewayServices } from './resolvers';
import { readSchemaSdl } from './schema-sdl';

// Nothing here executes a resolver: the services are never called.
const services: GatewayServices = { reader: {} as IssueReader, lists: {} as IssueListService, groupingConfig: {} as GroupingConfigAdmin, workflow: {} as IssueWorkflow };
const checkedIn = buildSchema(readSchemaSdl());
const sorted = (sdl: ReturnType<typeof buildSchema>) => printSchema(lexicographicSortSchema(sdl));

describe('the served schema and the checked-in SDL (schema.graphql)', () => {
  it('are the same schema: what the server answers to introspection is the file, descriptions included', async () => {
    const server = createApolloServer(services, { introspection: true, limits: { maxDepth: 8, maxCost: 5000 }, ide: false });
    const response = await server.executeOperation({ query: getIntrospectionQuery({ descriptions: true }) });
    if (response.body.kind !== 'single') throw new Error('expected a single result');
    expect(response.body.singleResult.errors).toBeUndefined();
    const served = buildClientSchema(response.body.singleResult.data as unknown as IntrospectionQuery);
    expect(sorted(served)).toBe(sorted(checkedIn));
  });

  it('has a type and field in the SDL for every resolver in the code', () => {
    const missing: string[] = [];
    for (const [typeName, fields] of Object.entries(buildResolvers(services))) {
      const type = checkedIn.getType(typeName);
      if (!type) missing.push(typeName);
      else if (fields instanceof GraphQLScalarType) continue;
      else if (!isObjectType(type)) missing.push(`${typeName} (not an object type)`);
      else missing.push(...Object.keys(fields).filter((field) => !type.getFields()[field]).map((field) => `${typeName}.${field}`));
    }
    expect(missing).toEqual([]);
  });

  it('has a resolver in the code for every Query and Mutation field of the SDL', () => {
    const resolvers = buildResolvers(services) as unknown as Record<string, Record<string, unknown>>;
    const unresolved = [checkedIn.getQueryType(), checkedIn.getMutationType()].flatMap((root) =>
      root ? Object.keys(root.getFields()).filter((field) => typeof resolvers[root.name]?.[field] !== 'function').map((field) => `${root.name}.${field}`) : [],
    );
    expect(unresolved).toEqual([]);
  });

  it('has an implementation in the code for every custom scalar of the SDL', () => {
    const resolvers = buildResolvers(services) as Record<string, unknown>;
    const scalars = Object.values(checkedIn.getTypeMap()).filter((type) => type instanceof GraphQLScalarType && !type.name.startsWith('__') && !['String', 'Int', 'Float', 'Boolean', 'ID'].includes(type.name));
    expect(scalars.filter((scalar) => !(resolvers[scalar.name] instanceof GraphQLScalarType)).map((scalar) => scalar.name)).toEqual([]);
  });
});
