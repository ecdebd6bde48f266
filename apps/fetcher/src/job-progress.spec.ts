import { FatalRequestError } from '@staysync/core';
import { JobProgress, MAX_RECORDED_ERRORS } from './job-progress';
import { accountProblem } from './job-runner.service';

describe('JobProgress', () => {
  it('sums per-resource counters into job totals and keeps the last error per resource', () => {
    const progress = new JobProgress();
    progress.planned('listings', 1);
    progress.fetched('listings');
    progress.planned('L1', 3);
    progress.fetched('L1', 2);
    progress.failed('L1', new FatalRequestError('Bad request'));
    expect(progress.snapshot()).toMatchObject({
      planned: 4,
      fetched: 3,
      failed: 1,
      progress: {
        listings: { planned: 1, fetched: 1, failed: 0 },
        L1: { planned: 3, fetched: 2, failed: 1, error: 'FatalRequestError: Bad request' },
      },
      errors: [{ resourceId: 'L1', message: 'FatalRequestError: Bad request' }],
    });
  });

  it(`records at most ${MAX_RECORDED_ERRORS} errors but counts every failure`, () => {
    const progress = new JobProgress();
    for (let i = 0; i < MAX_RECORDED_ERRORS + 10; i++) progress.failed('L1', new Error(`e${i}`));
    const snapshot = progress.snapshot();
    expect(snapshot.failed).toBe(MAX_RECORDED_ERRORS + 10);
    expect(snapshot.errors).toHaveLength(MAX_RECORDED_ERRORS);
  });
});

describe('accountProblem', () => {
  const active = { is_active: true, status: 'active', deleted_at: null };
  it('names why an account cannot be synced', () => {
    expect(accountProblem(active)).toBeNull();
    expect(accountProblem(null)).toBe('account not found');
    expect(accountProblem({ ...active, deleted_at: new Date() })).toBe('account is deleted');
    expect(accountProblem({ ...active, is_active: false })).toBe('account is inactive');
    expect(accountProblem({ ...active, status: 'needs_reauth' })).toMatch(/needs re-authentication/);
    expect(accountProblem({ ...active, status: 'paused' })).toBe('account is paused');
  });
});

describe('JobProgress published request keys', () => {
  it('hands each published key to one flush; a failed flush puts them back in front of newer ones', () => {
    const progress = new JobProgress();
    progress.published(['a', 'b']);
    const first = progress.takePublished();
    expect(first).toEqual(['a', 'b']);
    expect(progress.takePublished()).toEqual([]);

    progress.published(['c']);
    progress.putBack(first);

    expect(progress.takePublished()).toEqual(['a', 'b', 'c']);
  });
});
