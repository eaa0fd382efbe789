import { MAX_MESSAGE_CHARS, normaliseMessage } from './normalise-message';

describe('normaliseMessage', () => {
  it('gives the two payment messages of the same bug one template', () => {
    const first = normaliseMessage('Payment declined for order ORD-2024-00042: amount 1234.50 EUR exceeds limit');
    const second = normaliseMessage('Payment declined for order ord_13bb90: amount 9.99 EUR exceeds limit');
    expect(first).toBe('Payment declined for order <id>: amount <num> EUR exceeds limit');
    expect(second).toBe(first);
    expect(normaliseMessage('Payment declined for order ord_8f2a1c: amount 120.50 EUR exceeds limit')).toBe(first);
  });

  it.each([
    ['user 3f0e5c1a-8a7b-4c2d-9e1f-0123456789ab not found', 'user <uuid> not found'],
    ['segfault at 0x7ffd5e8c1a20 in worker', 'segfault at <hex> in worker'],
    ['object 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b missing', 'object <hash> missing'],
    ['connect ECONNREFUSED 10.0.3.17:5432', 'connect ECONNREFUSED <ip>:<num>'],
    ['no route to 2001:db8::8a2e:370:7334 or ::1', 'no route to <ip> or <ip>'],
    ['mail to jane.doe+shop@example.co.uk bounced', 'mail to <email> bounced'],
    ['GET https://api.example.com/v2/orders/42?expand=items failed', 'GET <url> failed'],
    ['token expired at 2024-06-11T09:15:27.123Z', 'token expired at <date>'],
    ['batch of 2024-06-11 rejected at 09:15:27', 'batch of <date> rejected at <date>'],
    ['retry 3 of 5 after 250 ms', 'retry <num> of <num> after <num> ms'],
    ['inventory service timed out after 5ms', 'inventory service timed out after <num>ms'],
    ['balance -12.75 is below 1,000.00', 'balance -<num> is below <num>'],
    ["Cannot read properties of undefined (reading 'items')", 'Cannot read properties of undefined (reading <str>)'],
    ['Unknown column "customer_id" in `orders`', 'Unknown column <str> in <str>'],
    ["can't find module 'express'", "can't find module <str>"],
    ['no row for order_id=ORD-2024-00042 in table orders', 'no row for order_id=<val> in table orders'],
    ['bad request: page=3&size=50 user="bob smith"', 'bad request: page=<val>&size=<val> user=<val>'],
    ['user user42 not found', 'user <id> not found'],
    ['cart c-1001 expired', 'cart <id> expired'],
  ])('%s -> %s', (message, template) => {
    expect(normaliseMessage(message)).toBe(template);
  });

  it('keeps plain words and technical words that contain digits', () => {
    expect(normaliseMessage('HTTP 503 from v2 API: invalid utf-8 in base64 sha256 digest over ipv6 (5xx)')).toBe(
      'HTTP <num> from v2 API: invalid utf-8 in base64 sha256 digest over ipv6 (5xx)',
    );
    expect(normaliseMessage('Maximum call stack size exceeded')).toBe('Maximum call stack size exceeded');
  });

  it('collapses whitespace so reformatted messages do not split', () => {
    expect(normaliseMessage('  expected  one\n\tgot two ')).toBe('expected one got two');
  });

  it('looks at a bounded prefix of huge messages, in bounded time', () => {
    const huge = `order ${'ORD-2024-00042 '.repeat(70_000)}`;
    const started = process.hrtime.bigint();
    const template = normaliseMessage(huge);
    const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
    expect(template.length).toBeLessThanOrEqual(MAX_MESSAGE_CHARS);
    expect(template.startsWith('order <id> <id>')).toBe(true);
    expect(elapsedMs).toBeLessThan(50);
  });
});
