import { compareVersions, isRegression } from './compare-versions';
import { VERSION_ORDER_CASES } from './version-order.cases';

describe('compareVersions', () => {
  it.each(VERSION_ORDER_CASES.older)('%j is older than %j', (older, newer) => {
    expect(compareVersions(older, newer)).toBe(-1);
    expect(compareVersions(newer, older)).toBe(1);
  });

  it.each(VERSION_ORDER_CASES.equal)('%j equals %j', (a, b) => {
    expect(compareVersions(a, b)).toBe(0);
    expect(compareVersions(b, a)).toBe(0);
  });

  it('is a consistent total order over every version of the table', () => {
    const sorted = [...new Set(VERSION_ORDER_CASES.older.flat())].sort(compareVersions);
    for (let i = 0; i < sorted.length; i++) {
      for (let j = i + 1; j < sorted.length; j++) expect(compareVersions(sorted[i], sorted[j])).toBeLessThanOrEqual(0);
    }
  });
});

describe('isRegression', () => {
  it('regresses on a newer version only', () => {
    expect(isRegression('1.2.3', '1.2.4')).toBe(true);
    expect(isRegression('1.2.3', '1.2.3')).toBe(false);
    expect(isRegression('1.2.3', '1.2.2')).toBe(false);
    expect(isRegression('1.2.0-rc1', '1.2.0')).toBe(true);
    expect(isRegression('1.2.0', '1.2.0-rc1')).toBe(false);
  });

  it('regresses whenever a version is unknown', () => {
    expect(isRegression(null, '1.2.3')).toBe(true);
    expect(isRegression('1.2.3', null)).toBe(true);
    expect(isRegression(null, null)).toBe(true);
  });
});
