import { publishBatchSize } from './airbnb-fetch-plugin';

describe('publishBatchSize', () => {
  it('sends as many responses as arrive within 250 ms of pacing, 1 to 20', () => {
    expect([0, 5, 12, 13, 20, 100, 125, 126, 250, 1000].map((ms) => [ms, publishBatchSize(ms)])).toEqual([
      [0, 20],
      [5, 20],
      [12, 20],
      [13, 19],
      [20, 12],
      [100, 2],
      [125, 2],
      [126, 1],
      [250, 1],
      [1000, 1],
    ]);
  });
});
