import { InvalidRatioGuard } from './invalid-ratio.guard';

describe('InvalidRatioGuard', () => {
  it('does not judge before the minimum number of messages', () => {
    const guard = new InvalidRatioGuard(0.5, 100, 10);
    for (let i = 0; i < 9; i++) guard.record(true);
    expect(guard.violation()).toBeNull();
    guard.record(true);
    expect(guard.violation()).toContain('10 of the last 10');
  });

  it('forgets outcomes that leave the window', () => {
    const guard = new InvalidRatioGuard(0.5, 10, 5);
    for (let i = 0; i < 10; i++) guard.record(true);
    expect(guard.violation()).not.toBeNull();
    for (let i = 0; i < 10; i++) guard.record(false);
    expect(guard.violation()).toBeNull();
  });
});
