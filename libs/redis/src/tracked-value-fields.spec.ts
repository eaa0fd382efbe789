import { trackedValueFields } from './tracked-value-fields';

describe('tracked value fields', () => {
  it('keeps the most frequent values per key, sums the rest as other, and records how many are kept', () => {
    const fields = trackedValueFields(
      [
        { key: 'host', value: 'web-1', count: 5 },
        { key: 'host', value: 'web-2', count: 7 },
        { key: 'host', value: 'web-3', count: 1 },
        { key: 'host', value: 'web-4', count: 1 },
        { key: 'env', value: 'production', count: 14 },
        { key: 'env', value: '', count: 3 },
      ],
      2,
    );
    expect(fields).toEqual({
      'host\u0000web-2': '7',
      'host\u0000web-1': '5',
      '#\u0000host': '2',
      'host\u0000\u0000': '2',
      'env\u0000production': '14',
      '#\u0000env': '1',
    });
    expect(trackedValueFields([], 200)).toEqual({});
  });
});
