import { ErrorSpanMessage, GroupingConfig, GroupingRule, GroupingRuleMatch, occurrenceMessageSchema } from '@faultline/contracts';
import { CorpusCase, readCorpus } from './__fixtures__/read-corpus';
import { customFingerprint, ruleFingerprint } from './fingerprint';
import { matchGroupingRule } from './grouping-rules';
import { toOccurrence } from './to-occurrence';

/**
 * Per-tenant grouping config applied by `toOccurrence`, over real stacks of the corpus: rules that
 * merge what the computed fingerprint keeps apart, in-app patterns that move the culprit and the
 * fingerprint, and the precedence tag > rule > computed.
 */
const corpus = readCorpus();
function corpusCase(path: string): CorpusCase {
  const found = corpus.find((c) => `${c.language}/${c.group}/${c.variant}` === path);
  if (!found) throw new Error(`no corpus case ${path}`);
  return found;
}

function errorSpan(path: string, changes: Partial<ErrorSpanMessage> = {}): ErrorSpanMessage {
  const testCase = corpusCase(path);
  return {
    schema: 'error-span/v1',
    tenant: 'acme',
    receivedAt: 1795571501300,
    protocol: 'json',
    traceId: '1',
    traceIdHex: null,
    spanId: '1',
    parentId: '0',
    service: 'shop',
    name: 'shop',
    resource: testCase.group,
    startNs: '1795571501272004352',
    durationNs: 1,
    error: { type: testCase.errorType, message: testCase.message, stack: testCase.stack },
    env: null,
    version: null,
    host: null,
    container: null,
    tags: {},
    ...changes,
  };
}

let ruleCounter = 0;
function rule(match: GroupingRuleMatch, groupKey: string): GroupingRule {
  ruleCounter += 1;
  return { id: `rule-${ruleCounter}`, match, groupKey, createdAtMs: 1_700_000_000_000 + ruleCounter };
}

const config = (rules: GroupingRule[], include: string[] = [], exclude: string[] = []): GroupingConfig => ({ rules, inApp: { include, exclude } });

const CHARGE = 'node/payment-declined-charge/release-v41';
const CHARGE_OTHER_RELEASE = 'node/payment-declined-charge/fixture-release-1.2.4';
const REFUND = 'node/payment-declined-refund/release-v42';
const YAML = 'python/yaml-config-parse/release-v41';
const SQL_CHAIN = 'java/charge-order-sql-chain/release-v42';

describe('toOccurrence with a tenant grouping config', () => {
  it('without a config, and with the empty one, computes what it always did', () => {
    const plain = toOccurrence(errorSpan(CHARGE));
    expect(toOccurrence(errorSpan(CHARGE), config([]))).toEqual(plain);
  });

  describe('rules', () => {
    const declined = rule({ messageContains: 'Payment declined for order' }, 'payment-declined');

    it('messageContains merges two different bugs under the rule key (different bugs without it)', () => {
      const charge = toOccurrence(errorSpan(CHARGE), config([declined]));
      const refund = toOccurrence(errorSpan(REFUND), config([declined]));
      expect(toOccurrence(errorSpan(CHARGE)).fingerprint).not.toBe(toOccurrence(errorSpan(REFUND)).fingerprint);
      expect(charge.fingerprint).toBe(refund.fingerprint);
      expect(charge.fingerprint).toBe(ruleFingerprint('payment-declined'));
      // Only the fingerprint changes: frames, culprit and template are the occurrence's own.
      expect(charge.culprit).toBe('chargeOrder (payments.js)');
      expect(refund.culprit).toBe('refundOrder (payments.js)');
      expect(occurrenceMessageSchema.parse(charge)).toEqual(charge);
    });

    it('matches the message template, not the raw message', () => {
      const byTemplate = rule({ messageContains: 'for order <id>: amount <num> EUR' }, 'by-template');
      expect(toOccurrence(errorSpan(CHARGE), config([byTemplate])).fingerprint).toBe(ruleFingerprint('by-template'));
      const byRawId = rule({ messageContains: 'ORD-2031-00917' }, 'by-raw-id');
      expect(toOccurrence(errorSpan(CHARGE), config([byRawId])).fingerprint).toBe(toOccurrence(errorSpan(CHARGE)).fingerprint);
    });

    it('a rule on a service applies to that service only (exactly, not as a substring)', () => {
      const checkoutOnly = rule({ service: 'checkout', messageContains: 'Payment declined' }, 'declined-in-checkout');
      const inCheckout = toOccurrence(errorSpan(CHARGE, { service: 'checkout' }), config([checkoutOnly]));
      const inWorker = toOccurrence(errorSpan(CHARGE, { service: 'checkout-worker' }), config([checkoutOnly]));
      expect(inCheckout.fingerprint).toBe(ruleFingerprint('declined-in-checkout'));
      expect(inWorker.fingerprint).toBe(toOccurrence(errorSpan(CHARGE, { service: 'checkout-worker' })).fingerprint);
    });

    it('errorType is exact: a rule for Error does not catch PaymentDeclinedError', () => {
      const anyError = rule({ errorType: 'Error' }, 'errors');
      expect(toOccurrence(errorSpan(CHARGE), config([anyError])).fingerprint).toBe(toOccurrence(errorSpan(CHARGE)).fingerprint);
      const declinedType = rule({ errorType: 'PaymentDeclinedError' }, 'declined-type');
      expect(toOccurrence(errorSpan(REFUND), config([declinedType])).fingerprint).toBe(ruleFingerprint('declined-type'));
    });

    it('needs every given condition to hold', () => {
      const both = rule({ messageContains: 'Payment declined', frameContains: 'refundOrder' }, 'declined-refunds');
      expect(toOccurrence(errorSpan(REFUND), config([both])).fingerprint).toBe(ruleFingerprint('declined-refunds'));
      expect(toOccurrence(errorSpan(CHARGE), config([both])).fingerprint).toBe(toOccurrence(errorSpan(CHARGE)).fingerprint);
    });

    it('frameContains looks at in-app frames of the whole cause chain: function, file or module', () => {
      // OrderRepository is only in the chain's root cause (java.sql.SQLException), not in the reported exception.
      const repository = rule({ frameContains: 'com.shop.orders.OrderRepository' }, 'orders-db');
      expect(toOccurrence(errorSpan(SQL_CHAIN), config([repository])).fingerprint).toBe(ruleFingerprint('orders-db'));
      const byFile = rule({ frameContains: 'payments.js' }, 'payments-file');
      expect(toOccurrence(errorSpan(REFUND), config([byFile])).fingerprint).toBe(ruleFingerprint('payments-file'));
      // A library frame does not count: yaml/parser.py is in the stack, but not in-app.
      const libraryFile = rule({ frameContains: 'yaml/parser.py' }, 'yaml-parser');
      expect(toOccurrence(errorSpan(YAML), config([libraryFile])).fingerprint).toBe(toOccurrence(errorSpan(YAML)).fingerprint);
    });

    it('frameContains sees the frames after the in-app patterns', () => {
      const libraryFile = rule({ frameContains: 'yaml/parser.py' }, 'yaml-parser');
      expect(toOccurrence(errorSpan(YAML), config([libraryFile], ['yaml.*'])).fingerprint).toBe(ruleFingerprint('yaml-parser'));
      const appFunction = rule({ frameContains: 'refundOrder' }, 'refunds');
      expect(toOccurrence(errorSpan(REFUND), config([appFunction], [], ['refundOrder'])).fingerprint).not.toBe(ruleFingerprint('refunds'));
    });

    it('the first matching rule wins, in the given (creation) order', () => {
      const broad = rule({ messageContains: 'Payment declined' }, 'broad');
      const narrow = rule({ frameContains: 'refundOrder' }, 'narrow');
      expect(toOccurrence(errorSpan(REFUND), config([broad, narrow])).fingerprint).toBe(ruleFingerprint('broad'));
      expect(toOccurrence(errorSpan(REFUND), config([narrow, broad])).fingerprint).toBe(ruleFingerprint('narrow'));
      expect(matchGroupingRule([narrow, broad], { service: 'shop', errorType: 'PaymentDeclinedError', messageTemplate: 'Payment declined', frames: [] })).toBe(broad);
    });

    it('keeps the same bug across releases in one group, like the computed fingerprint', () => {
      const declinedCharges = rule({ frameContains: 'chargeOrder' }, 'charges');
      expect(toOccurrence(errorSpan(CHARGE), config([declinedCharges])).fingerprint).toBe(toOccurrence(errorSpan(CHARGE_OTHER_RELEASE), config([declinedCharges])).fingerprint);
    });

    it('a rule key and an equal error.fingerprint tag are different groups', () => {
      expect(ruleFingerprint('payment-declined')).not.toBe(customFingerprint('payment-declined'));
      expect(ruleFingerprint(' payment-declined ')).toBe(ruleFingerprint('payment-declined'));
    });
  });

  describe('in-app patterns', () => {
    it('include turns library frames in-app: the culprit and the fingerprint move into the library', () => {
      const plain = toOccurrence(errorSpan(YAML));
      const included = toOccurrence(errorSpan(YAML), config([], ['yaml.*']));
      expect(plain.culprit).toBe('load_config (dist_packages_yaml.py)');
      expect(included.culprit).toBe('parse_flow_sequence_entry (yaml/parser.py)');
      expect(included.frames[0]).toMatchObject({ function: 'parse_flow_sequence_entry', file: 'yaml/parser.py', module: 'yaml.parser', inApp: true });
      expect(included.fingerprint).not.toBe(plain.fingerprint);
      // Still one group across releases.
      expect(toOccurrence(errorSpan('python/yaml-config-parse/release-v42'), config([], ['yaml.*'])).fingerprint).toBe(included.fingerprint);
      expect(occurrenceMessageSchema.parse(included)).toEqual(included);
    });

    it('exclude turns app frames into library frames: the culprit moves out and the fingerprint changes', () => {
      const plain = toOccurrence(errorSpan(CHARGE));
      const excluded = toOccurrence(errorSpan(CHARGE), config([], [], ['chargeOrder']));
      expect(plain.culprit).toBe('chargeOrder (payments.js)');
      expect(excluded.culprit).toBe('checkout (payments.js)');
      expect(excluded.frames[0]).toMatchObject({ function: 'chargeOrder', inApp: false });
      expect(excluded.fingerprint).not.toBe(plain.fingerprint);
    });

    it('applies to the causes of a chain too', () => {
      const plain = toOccurrence(errorSpan(SQL_CHAIN));
      // OrderRepository appears only in the root cause.
      const excluded = toOccurrence(errorSpan(SQL_CHAIN), config([], [], ['com.shop.orders.OrderRepository']));
      expect(excluded.frames).toEqual(plain.frames);
      expect(excluded.fingerprint).not.toBe(plain.fingerprint);
    });

    it('exclude wins over include', () => {
      const plain = toOccurrence(errorSpan(CHARGE));
      expect(toOccurrence(errorSpan(CHARGE), config([], ['*'], ['*'])).culprit).toBeNull();
      expect(toOccurrence(errorSpan(CHARGE), config([], ['chargeOrder'], ['chargeOrder'])).culprit).toBe('checkout (payments.js)');
      expect(plain.culprit).toBe('chargeOrder (payments.js)');
    });

    it('takes regex special characters literally', () => {
      const plain = toOccurrence(errorSpan(CHARGE));
      // As a regex, `.` would match any character and `(`/`[` would not compile.
      expect(toOccurrence(errorSpan(CHARGE), config([], [], ['chargeOrder(', '[payments].js', 'payments+js', 'Object.<anonymous>'])).fingerprint).not.toBe(plain.fingerprint);
      expect(toOccurrence(errorSpan(CHARGE), config([], [], ['chargeOrder(', '[payments].js', 'payments+js'])).fingerprint).toBe(plain.fingerprint);
      expect(toOccurrence(errorSpan(CHARGE), config([], [], ['payments.j?'])).culprit).toBeNull();
    });
  });

  describe('precedence: error.fingerprint tag > first matching rule > computed', () => {
    const declined = rule({ messageContains: 'Payment declined' }, 'payment-declined');

    it('the tag wins over a matching rule', () => {
      const tagged = toOccurrence(errorSpan(CHARGE, { errorFingerprint: 'psp-outage' }), config([declined]));
      expect(tagged.fingerprint).toBe(customFingerprint('psp-outage'));
    });

    it('a blank tag does not count: the rule applies', () => {
      expect(toOccurrence(errorSpan(CHARGE, { errorFingerprint: '  ' }), config([declined])).fingerprint).toBe(ruleFingerprint('payment-declined'));
    });

    it('with neither, the computed fingerprint (after the patterns)', () => {
      const unrelated = rule({ messageContains: 'no such text' }, 'unrelated');
      expect(toOccurrence(errorSpan(CHARGE), config([unrelated])).fingerprint).toBe(toOccurrence(errorSpan(CHARGE)).fingerprint);
    });

    it('patterns still shape frames and culprit under a tag or a rule', () => {
      const tagged = toOccurrence(errorSpan(CHARGE, { errorFingerprint: 'psp-outage' }), config([declined], [], ['chargeOrder']));
      expect(tagged.culprit).toBe('checkout (payments.js)');
      expect(tagged.fingerprint).toBe(customFingerprint('psp-outage'));
      const ruled = toOccurrence(errorSpan(CHARGE), config([declined], [], ['chargeOrder']));
      expect(ruled.culprit).toBe('checkout (payments.js)');
      expect(ruled.fingerprint).toBe(ruleFingerprint('payment-declined'));
    });
  });
});
