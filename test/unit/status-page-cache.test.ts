import { ResponseCache } from '../../lib/http/response-cache';
import {
  buildHtmlResponse,
  buildSvgResponse,
  STATUS_PAGE_CACHE_SECONDS,
  STATUS_PAGE_FRESHNESS_SECONDS,
  STATUS_PAGE_MAX_AGE_SECONDS,
  type ApiResponse,
} from '../../lib/http/responses';

/** A maker of answers that counts its calls; each answer says which call made it. */
function countingMaker() {
  let calls = 0;
  const make = async (): Promise<ApiResponse> => {
    calls += 1;
    return { statusCode: 200, headers: {}, body: `answer ${calls}` };
  };
  return { make, calls: () => calls };
}

describe('how old the status page can be', () => {
  it('is 10 s in memory plus max-age 20 s: 30 s behind the API at most', () => {
    expect([STATUS_PAGE_CACHE_SECONDS, STATUS_PAGE_MAX_AGE_SECONDS, STATUS_PAGE_FRESHNESS_SECONDS]).toEqual([10, 20, 30]);
    expect(buildHtmlResponse('<!doctype html>').headers['cache-control']).toBe(`public, max-age=${STATUS_PAGE_MAX_AGE_SECONDS}`);
    // The badges keep their minute.
    expect(buildSvgResponse('<svg/>').headers['cache-control']).toBe('public, max-age=60');
  });
});

describe('ResponseCache with a time to live per key', () => {
  it('keeps a key for the shorter of its own time and the cache’s', async () => {
    const cache = new ResponseCache(30_000);
    const page = countingMaker();
    const badge = countingMaker();
    const at = async (nowMs: number) => [
      (await cache.getOrCreate('status-page', nowMs, page.make, STATUS_PAGE_CACHE_SECONDS * 1000)).body,
      (await cache.getOrCreate('badge', nowMs, badge.make)).body,
    ];
    expect(await at(0)).toEqual(['answer 1', 'answer 1']);
    expect(await at(9_999)).toEqual(['answer 1', 'answer 1']);
    expect(await at(10_000)).toEqual(['answer 2', 'answer 1']);
    expect(await at(30_000)).toEqual(['answer 3', 'answer 2']);
    expect([page.calls(), badge.calls()]).toEqual([3, 2]);
  });

  it('never keeps a key longer than the cache’s own time to live', async () => {
    const cache = new ResponseCache(5_000);
    const page = countingMaker();
    await cache.getOrCreate('status-page', 0, page.make, 10_000);
    await cache.getOrCreate('status-page', 4_999, page.make, 10_000);
    await cache.getOrCreate('status-page', 5_000, page.make, 10_000);
    expect(page.calls()).toBe(2);
  });
});
