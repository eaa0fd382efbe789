import { randomBytes } from 'node:crypto';
import type { RedisClient } from './redis.client';
import { z } from 'zod';
import {
  groupingRuleMatchSchema,
  groupingRuleSchema,
  inAppPatternsSchema,
  type GroupingConfig,
  type GroupingRule,
  type GroupingRuleMatch,
  type InAppPatterns,
} from '@faultline/contracts';

/**
 * Rules per tenant. The fingerprinter tries every rule on every occurrence without a match, so the
 * list is bounded like the in-app pattern lists are (100 each, in the contract).
 */
export const MAX_GROUPING_RULES_PER_TENANT = 200;

/**
 * Redis key layout. Both keys of a tenant carry the hash tag `{tenant}` (URI-encoded, like
 * `IssueStateKeys`), so `get` reads them in one transaction on one Redis Cluster slot.
 */
export class GroupingConfigKeys {
  constructor(private readonly prefix = 'fl') {}

  tag(tenant: string): string {
    return `{${encodeURIComponent(tenant)}}`;
  }
  /** Hash: rule id -> the GroupingRule as JSON. */
  rules(tenant: string): string {
    return `${this.prefix}:${this.tag(tenant)}:grouping-rules`;
  }
  /** String: the InAppPatterns as JSON; absent means none. */
  inAppPatterns(tenant: string): string {
    return `${this.prefix}:${this.tag(tenant)}:in-app-patterns`;
  }
}

/** A rule or pattern list the contract rejects; `field` names the first offending field (`match.service`, `groupKey`, `include.3`). */
export class InvalidGroupingConfigError extends Error {
  override readonly name = 'InvalidGroupingConfigError';

  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`invalid grouping config: ${field}: ${reason}`);
  }
}

export interface AddGroupingRuleInput {
  match: GroupingRuleMatch;
  groupKey: string;
}

const addRuleInputSchema = z.object({ match: groupingRuleMatchSchema, groupKey: groupingRuleSchema.shape.groupKey });

/** HSET only below the limit, atomically: concurrent adds cannot overshoot it. Returns 0 when full. */
const ADD_RULE_LUA = `
if redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1
`;

/**
 * A tenant's grouping config (rules and in-app patterns), written by the gateway's mutations and read
 * by the fingerprinter. Writes are validated with the contract's schemas; reads validate too, so a
 * corrupt value fails loudly instead of silently grouping without it.
 */
export class GroupingConfigStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: GroupingConfigKeys = new GroupingConfigKeys(),
    private readonly now: () => number = Date.now,
  ) {}

  /** Rules in the order they apply (creation time, then id), and the in-app patterns (empty lists when unset). */
  async get(tenant: string): Promise<GroupingConfig> {
    const replies = await this.redis.multi().hgetall(this.keys.rules(tenant)).get(this.keys.inAppPatterns(tenant)).exec();
    if (!replies) throw new Error('redis transaction was discarded');
    const [[rulesError, rulesById], [patternsError, patterns]] = replies as [[Error | null, Record<string, string>], [Error | null, string | null]];
    if (rulesError ?? patternsError) throw rulesError ?? patternsError;
    const rules = Object.entries(rulesById).map(([id, json]) => parseStored(groupingRuleSchema, json, `${this.keys.rules(tenant)} field ${id}`));
    rules.sort((a, b) => a.createdAtMs - b.createdAtMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const inApp = patterns === null ? { include: [], exclude: [] } : parseStored(inAppPatternsSchema, patterns, this.keys.inAppPatterns(tenant));
    return { rules, inApp };
  }

  /**
   * Validates and stores a new rule, applied after the tenant's existing ones. Throws
   * `InvalidGroupingConfigError` for an input the contract rejects or when the tenant already has
   * MAX_GROUPING_RULES_PER_TENANT rules.
   */
  async addRule(tenant: string, input: AddGroupingRuleInput): Promise<GroupingRule> {
    const { match, groupKey } = validate(addRuleInputSchema, input);
    const rule: GroupingRule = { id: randomBytes(8).toString('hex'), match, groupKey, createdAtMs: this.now() };
    const added = await this.redis.eval(ADD_RULE_LUA, 1, this.keys.rules(tenant), rule.id, JSON.stringify(rule), MAX_GROUPING_RULES_PER_TENANT);
    if (added !== 1) throw new InvalidGroupingConfigError('rules', `a tenant has at most ${MAX_GROUPING_RULES_PER_TENANT} grouping rules; delete one first`);
    return rule;
  }

  /** True when the rule existed. */
  async deleteRule(tenant: string, id: string): Promise<boolean> {
    return (await this.redis.hdel(this.keys.rules(tenant), id)) === 1;
  }

  /** Replaces the tenant's in-app patterns (empty lists restore the built-in classification alone). */
  async setInAppPatterns(tenant: string, patterns: InAppPatterns): Promise<InAppPatterns> {
    const valid = validate(inAppPatternsSchema, patterns);
    await this.redis.set(this.keys.inAppPatterns(tenant), JSON.stringify(valid));
    return valid;
  }
}

function validate<T>(schema: z.ZodType<T>, input: unknown): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const [issue] = result.error.issues;
  throw new InvalidGroupingConfigError(fieldOf(issue.path), issue.message);
}

/** `['match', 'service']` -> `match.service`; an object-level issue (e.g. a match with no condition) names the object. */
function fieldOf(path: readonly PropertyKey[]): string {
  return path.length === 0 ? '(input)' : path.map(String).join('.');
}

function parseStored<T>(schema: z.ZodType<T>, json: string, where: string): T {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new Error(`corrupt grouping config at ${where}: ${(error as Error).message}`);
  }
  const result = schema.safeParse(value);
  if (!result.success) throw new Error(`corrupt grouping config at ${where}: ${fieldOf(result.error.issues[0].path)}: ${result.error.issues[0].message}`);
  return result.data;
}
