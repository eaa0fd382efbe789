import {
  DEFAULT_TENANT,
  GroupingRule,
  GroupingRuleMatch,
  groupingRuleMatchSchema,
  groupingRuleSchema,
  InAppPatterns,
  inAppPatternsSchema,
} from '@faultline/contracts';
import { InvalidGroupingConfigError } from '@faultline/redis';
import { GraphQLError } from 'graphql';
import { z } from 'zod';
import { GroupingConfigAdmin } from './grouping-config.port';

/** `GroupingRuleInput` as GraphQL hands it over: an omitted condition may arrive as null. */
export interface GroupingRuleInput {
  service?: string | null;
  errorType?: string | null;
  messageContains?: string | null;
  frameContains?: string | null;
  groupKey: string;
}

const CONDITIONS = ['service', 'errorType', 'messageContains', 'frameContains'] as const;

const newRuleSchema = z.object({ match: groupingRuleMatchSchema, groupKey: groupingRuleSchema.shape.groupKey });

/** GroupingRuleInput -> what the store adds, validated by the contract's schemas (the ones the fingerprinter trusts). */
export function newGroupingRule(input: GroupingRuleInput): { match: GroupingRuleMatch; groupKey: string } {
  const match: GroupingRuleMatch = {};
  for (const condition of CONDITIONS) {
    const value = input[condition];
    if (value !== null && value !== undefined) match[condition] = value;
  }
  const parsed = newRuleSchema.safeParse({ match, groupKey: input.groupKey });
  if (!parsed.success) {
    throw badInput(
      parsed.error.issues.map((issue) => {
        // Conditions sit under `match` in the contract but directly in the input.
        const path = issue.path[0] === 'match' ? issue.path.slice(1) : issue.path;
        if (path.length === 0) return { field: null, message: `a rule needs at least one condition: ${CONDITIONS.join(', ')}` };
        return { field: fieldName(path), message: issue.message };
      }),
    );
  }
  return parsed.data;
}

/** InAppPatternsInput -> patterns, validated by the contract's schema. */
export function inAppPatterns(input: InAppPatterns): InAppPatterns {
  const parsed = inAppPatternsSchema.safeParse(input);
  if (!parsed.success) throw badInput(parsed.error.issues.map((issue) => ({ field: fieldName(issue.path), message: issue.message })));
  return parsed.data;
}

/** Query and mutation resolvers of the grouping configuration; everything is the default tenant's, as the rest of the API. */
export function buildGroupingConfigResolvers(store: GroupingConfigAdmin) {
  return {
    Query: {
      groupingRules: async () => (await store.get(DEFAULT_TENANT)).rules,
      inAppPatterns: async () => (await store.get(DEFAULT_TENANT)).inApp,
    },
    Mutation: {
      createGroupingRule: (_: unknown, args: { input: GroupingRuleInput }) => {
        const rule = newGroupingRule(args.input);
        return asUserInputErrors(() => store.addRule(DEFAULT_TENANT, rule));
      },
      deleteGroupingRule: (_: unknown, args: { id: string }) => store.deleteRule(DEFAULT_TENANT, args.id),
      setInAppPatterns: (_: unknown, args: { input: InAppPatterns }) => {
        const patterns = inAppPatterns(args.input);
        return asUserInputErrors(() => store.setInAppPatterns(DEFAULT_TENANT, patterns));
      },
    },
    GroupingRule: {
      service: (rule: GroupingRule) => rule.match.service ?? null,
      errorType: (rule: GroupingRule) => rule.match.errorType ?? null,
      messageContains: (rule: GroupingRule) => rule.match.messageContains ?? null,
      frameContains: (rule: GroupingRule) => rule.match.frameContains ?? null,
      createdAt: (rule: GroupingRule) => rule.createdAtMs,
    },
  };
}

interface FieldProblem {
  /** Path inside the `input` argument, e.g. `messageContains` or `exclude[2]`; null for the input as a whole. */
  field: string | null;
  message: string;
}

function badInput(problems: FieldProblem[]): GraphQLError {
  const described = problems.map((problem) => `${problem.field === null ? 'input' : `input.${problem.field}`}: ${problem.message}`);
  return new GraphQLError(described.join('; '), {
    extensions: { code: 'BAD_USER_INPUT', argumentName: 'input', fields: problems.map((problem) => problem.field ?? 'input') },
  });
}

function fieldName(path: readonly PropertyKey[]): string {
  return path.map((key, index) => (typeof key === 'number' ? `[${key}]` : `${index === 0 ? '' : '.'}${String(key)}`)).join('');
}

/**
 * The store validates again with the same schemas, and also enforces limits the schemas cannot see (the
 * number of rules per tenant): its InvalidGroupingConfigError is the caller's fault too. Anything else
 * (Redis down) stays an internal error.
 */
async function asUserInputErrors<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (!(error instanceof InvalidGroupingConfigError)) throw error;
    // The store names fields as the contract nests them (`match.service`, `include.3`).
    const field = error.field === '(input)' ? null : error.field.replace(/^match\./, '').replace(/\.(\d+)(?=\.|$)/g, '[$1]');
    throw badInput([{ field, message: error.reason }]);
  }
}
