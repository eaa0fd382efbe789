import { GroupingConfig, GroupingRule, GroupingRuleMatch, InAppPatterns } from '@faultline/contracts';

/**
 * Where tenants' grouping rules and in-app patterns are kept; `GroupingConfigStore` (@faultline/redis)
 * implements it, and the fingerprinter reads the same store. Writes throw `InvalidGroupingConfigError`
 * (naming the field) for what the contract rejects and when a tenant's rule limit is reached.
 */
export interface GroupingConfigAdmin {
  get(tenant: string): Promise<GroupingConfig>;
  addRule(tenant: string, input: { match: GroupingRuleMatch; groupKey: string }): Promise<GroupingRule>;
  /** False when the tenant has no rule with that id. */
  deleteRule(tenant: string, id: string): Promise<boolean>;
  setInAppPatterns(tenant: string, patterns: InAppPatterns): Promise<InAppPatterns>;
}

export const GROUPING_CONFIG = Symbol('GROUPING_CONFIG');
