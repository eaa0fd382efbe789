import { deadLetterTopicFor, TOPICS } from '@faultline/contracts';
import { portsOfBrokerList } from './net-probes';
import { mockTopicArguments, TOPIC_SPECS } from './topics';

describe('TOPIC_SPECS', () => {
  it('covers every pipeline topic and the dead-letter topics of the two consumed ones', () => {
    const names = TOPIC_SPECS.map((spec) => spec.topic);
    expect(names).toEqual(expect.arrayContaining(Object.values(TOPICS)));
    expect(names).toEqual(expect.arrayContaining([deadLetterTopicFor(TOPICS.errorSpans), deadLetterTopicFor(TOPICS.occurrences)]));
    expect(new Set(names).size).toBe(names.length);
  });

  it('is passed to the mock launcher as name:partitions', () => {
    expect(mockTopicArguments()).toEqual(['error-spans:24', 'occurrences:24', 'issue-events:8', 'error-spans.dlq:4', 'occurrences.dlq:4']);
  });
});

describe('portsOfBrokerList', () => {
  it('reads the ports of a bootstrap list as the mock prints it', () => {
    expect(portsOfBrokerList('127.0.0.1:34765,127.0.0.1:40745, 127.0.0.1:38585')).toEqual([34765, 40745, 38585]);
    expect(portsOfBrokerList('')).toEqual([]);
  });
});
