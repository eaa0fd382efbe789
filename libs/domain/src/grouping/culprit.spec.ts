import { readFixture } from './__fixtures__/read-fixture';
import { culpritOf } from './culprit';
import { parseStack } from './parse-stack';

const culpritOfFixture = (fixture: string) => culpritOf(parseStack(readFixture(fixture)).frames);

describe('culpritOf', () => {
  it('names the top in-app frame as `function (file)`', () => {
    expect(culpritOfFixture('node/payment-declined-release-1.2.3.txt')).toBe('chargeOrder (payments.js)');
    expect(culpritOfFixture('node/esm-file-url.txt')).toBe('readConfig (esm-file-url.mjs)');
    expect(culpritOfFixture('python/dist-packages-yaml.txt')).toBe('load_config (dist_packages_yaml.py)');
    expect(culpritOfFixture('java/suppressed.txt')).toBe('Main$AuditLog.write (Main.java)');
  });

  it('falls back to the file for anonymous functions and to the function without a file', () => {
    expect(culpritOfFixture('dd-trace/payment-declined-v04.txt')).toBe('routes.js');
    expect(culpritOfFixture('java/unknown-source.txt')).toBe('LegacyPricing.discountFor');
  });

  it('is null when no frame is in-app', () => {
    const libraryOnly = readFixture('node/node-modules-and-timers.txt').replace(/^ {4}at getInvoice.*\n/m, '');
    expect(culpritOf(parseStack(libraryOnly).frames)).toBeNull();
    expect(culpritOf([])).toBeNull();
  });
});
