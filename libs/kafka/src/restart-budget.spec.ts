import { RestartBudget } from './restart-budget';

const policy = { initialMs: 100, maxMs: 400, maxAttempts: 3, stableMs: 60_000 };

describe('Kafka > consumer restart budget', () => {
  it('backs off exponentially up to the cap, then gives up after maxAttempts restarts in a row', () => {
    const budget = new RestartBudget(policy);

    const decisions = [1, 2, 3, 4].map((crash) => budget.crashed(crash * 1_000));

    expect(decisions.slice(0, 3).map((d) => d.restart && d.attempt)).toEqual([1, 2, 3]);
    // 100, 200, 400 ms, each ± 20 % jitter
    const delays = decisions.slice(0, 3).map((d) => (d.restart ? d.delayMs : NaN));
    [100, 200, 400].forEach((base, i) => {
      expect(delays[i]).toBeGreaterThanOrEqual(base * 0.8);
      expect(delays[i]).toBeLessThanOrEqual(base * 1.2);
    });
    expect(decisions[3]).toEqual({ restart: false, restarts: 3 });
  });

  it('counts the restarts of a consumer that keeps crashing soon after it (re)joined', () => {
    const budget = new RestartBudget(policy);
    budget.running(0);
    budget.crashed(10_000);
    budget.running(11_000);

    const decision = budget.crashed(20_000);

    expect(decision).toMatchObject({ restart: true, attempt: 2 });
    expect(budget.restarts).toBe(2);
  });

  it('starts the count over for a consumer that ran stableMs since its last (re)join', () => {
    const budget = new RestartBudget(policy);
    budget.running(0);
    budget.crashed(1_000);
    budget.crashed(2_000);
    budget.running(3_000);

    const decision = budget.crashed(3_000 + policy.stableMs);

    expect(decision).toMatchObject({ restart: true, attempt: 1 });
  });
});
