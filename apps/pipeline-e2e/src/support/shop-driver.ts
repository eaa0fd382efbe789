import { RunningApp } from './instrumented-app';

/** Failing requests per bug that `driveShop` makes against the shop (fixtures/shop-routes.js). */
export const FAILURES = { TypeError: 3, PaymentDeclinedError: 3, RangeError: 2 } as const;
export const FAILING_REQUESTS = FAILURES.TypeError + FAILURES.PaymentDeclinedError + FAILURES.RangeError;

/** What `driveShop`'s requests answer, in order. */
export const EXPECTED_STATUSES = [500, 500, 500, 500, 500, 500, 500, 500, 200, 500, 200];

/**
 * The shop's three bugs, each failing a known number of times, plus requests that must make no issue:
 * an error on a child span the handler recovers from, a 500 without an exception, a success. One
 * payment request carries `continuation` (incoming trace headers), so its entry span has a parent
 * that is not in any payload.
 */
export async function driveShop(app: RunningApp, continuation: Record<string, string>): Promise<number[]> {
  const get = (route: string, headers: Record<string, string> = {}) => fetch(`${app.url}${route}`, { headers }).then((response) => response.status);
  const statuses: number[] = [];
  for (let i = 0; i < FAILURES.TypeError; i++) statuses.push(await get(`/invoice/${i}`));
  statuses.push(await get('/payment/ORD-2024-00042'));
  statuses.push(await get('/payment/ord_13bb90?amount=9.99'));
  statuses.push(await get('/payment/ORD-88?amount=42.00', continuation));
  for (let i = 0; i < FAILURES.RangeError; i++) statuses.push(await get('/inventory'));
  statuses.push(await get('/recovered'));
  statuses.push(await get('/unavailable'));
  statuses.push(await get('/ok'));
  return statuses;
}
