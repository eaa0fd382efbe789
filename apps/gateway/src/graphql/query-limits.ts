import type { GraphQLFormattedError } from 'graphql';
import {
  FieldNode,
  getNamedType,
  GraphQLError,
  GraphQLField,
  GraphQLNamedType,
  isInterfaceType,
  isObjectType,
  Kind,
  OperationDefinitionNode,
  SelectionSetNode,
  ValidationContext,
  ValidationRule,
  ValueNode,
  VariableDefinitionNode,
} from 'graphql';
import { MAX_PAGE_SIZE } from './pagination';

/** How big one operation may be; checked at validation, before any resolver runs. */
export interface QueryLimits {
  /** Deepest field nesting, e.g. `issues { edges { node { id } } }` is 4. */
  maxDepth: number;
  /** See `operationCost`. */
  maxCost: number;
}

export const QUERY_TOO_DEEP = 'QUERY_TOO_DEEP';
export const QUERY_TOO_COSTLY = 'QUERY_TOO_COSTLY';

/** Where a connection's `first` is neither a literal nor a variable with a default: the schema's default. */
const FALLBACK_PAGE_SIZE = 25;

/**
 * A refused operation. Apollo wraps every validation error in its own, with code
 * GRAPHQL_VALIDATION_FAILED and HTTP 400; `keepQueryLimitCode` puts this error's code back.
 */
export class QueryLimitError extends GraphQLError {
  constructor(
    readonly code: typeof QUERY_TOO_DEEP | typeof QUERY_TOO_COSTLY,
    message: string,
    node: OperationDefinitionNode,
    details: Record<string, number>,
  ) {
    super(message, { nodes: [node], extensions: { code, ...details } });
  }
}

interface Measure {
  depth: number;
  cost: number;
}

/**
 * Depth and cost of one operation's selection.
 *
 * Cost: every field counts 1, times the page sizes (`first`) of the connection fields it is nested in,
 * so it approximates how many values the answer can hold: `issues(first: 100) { edges { node {
 * occurrences(first: 100) { edges { node { stack } } } } } }` is 1 + 100 × 3 + 100 × 100 × 3 = 30 301.
 * A connection field is one with a `first` argument. Validation runs before variables are bound, so
 * `first: $n` counts as $n's default, or as the largest page (MAX_PAGE_SIZE) without one; larger literal
 * values count as MAX_PAGE_SIZE too (the resolver refuses them with BAD_USER_INPUT).
 *
 * Introspection fields (`__schema`, `__type`, `__typename`) count for neither: the standard introspection
 * query nests `ofType` far deeper than any data query, and introspection has its own switch.
 */
export function measureOperation(context: ValidationContext, operation: OperationDefinitionNode): Measure {
  const schema = context.getSchema();
  const rootType =
    operation.operation === 'query' ? schema.getQueryType() : operation.operation === 'mutation' ? schema.getMutationType() : schema.getSubscriptionType();
  const variableDefaults = new Map<string, VariableDefinitionNode>(operation.variableDefinitions?.map((definition) => [definition.variable.name.value, definition]));

  const pageSize = (field: FieldNode, definition: GraphQLField<unknown, unknown> | undefined): number | null => {
    const argument = definition?.args.find((candidate) => candidate.name === 'first');
    if (!argument) return null;
    const given = field.arguments?.find((candidate) => candidate.name.value === 'first')?.value;
    const value = given === undefined ? undefined : given.kind === Kind.VARIABLE ? variableDefaults.get(given.name.value)?.defaultValue : given;
    const size = value === undefined ? (given === undefined ? argument.defaultValue : MAX_PAGE_SIZE) : intLiteral(value);
    return typeof size === 'number' && Number.isInteger(size) ? Math.min(Math.max(size, 0), MAX_PAGE_SIZE) : FALLBACK_PAGE_SIZE;
  };

  // `fragmentsInUse` guards against cycles: NoFragmentCyclesRule reports them, but in the same pass as this rule.
  const walk = (selectionSet: SelectionSetNode, parentType: GraphQLNamedType | null | undefined, multiplier: number, fragmentsInUse: Set<string>): Measure => {
    let depth = 0;
    let cost = 0;
    for (const selection of selectionSet.selections) {
      let inner: Measure = { depth: 0, cost: 0 };
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value.startsWith('__')) continue;
        const definition = isObjectType(parentType) || isInterfaceType(parentType) ? parentType.getFields()[selection.name.value] : undefined;
        const size = pageSize(selection, definition);
        const below = selection.selectionSet
          ? walk(selection.selectionSet, definition && getNamedType(definition.type), multiplier * (size ?? 1), fragmentsInUse)
          : { depth: 0, cost: 0 };
        inner = { depth: below.depth + 1, cost: below.cost + multiplier };
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parentType;
        inner = walk(selection.selectionSet, type, multiplier, fragmentsInUse);
      } else {
        const name = selection.name.value;
        const fragment = context.getFragment(name);
        if (!fragment || fragmentsInUse.has(name)) continue;
        inner = walk(fragment.selectionSet, schema.getType(fragment.typeCondition.name.value), multiplier, new Set(fragmentsInUse).add(name));
      }
      depth = Math.max(depth, inner.depth);
      cost += inner.cost;
    }
    return { depth, cost };
  };

  return walk(operation.selectionSet, rootType, 1, new Set());
}

function intLiteral(value: ValueNode): number | null {
  return value.kind === Kind.INT ? Number(value.value) : null;
}

/** Validation rule refusing operations deeper than `maxDepth` or costlier than `maxCost` (see `measureOperation`). */
export function queryLimitsRule(limits: QueryLimits): ValidationRule {
  return (context) => ({
    OperationDefinition(operation) {
      const { depth, cost } = measureOperation(context, operation);
      if (depth > limits.maxDepth) {
        context.reportError(
          new QueryLimitError(QUERY_TOO_DEEP, `Query depth ${depth} exceeds the limit of ${limits.maxDepth}`, operation, { depth, maxDepth: limits.maxDepth }),
        );
      }
      if (cost > limits.maxCost) {
        context.reportError(
          new QueryLimitError(
            QUERY_TOO_COSTLY,
            `Query cost ${cost} exceeds the limit of ${limits.maxCost} (each field counts 1, times the \`first\` of every connection it is in; ask for smaller pages)`,
            operation,
            { cost, maxCost: limits.maxCost },
          ),
        );
      }
    },
  });
}

/** Apollo's `formatError`: gives a refused operation its own code instead of Apollo's GRAPHQL_VALIDATION_FAILED. */
export function keepQueryLimitCode(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = error instanceof GraphQLError ? error.originalError : undefined;
  if (!(original instanceof QueryLimitError)) return formatted;
  return { ...formatted, extensions: { ...formatted.extensions, code: original.code } };
}
