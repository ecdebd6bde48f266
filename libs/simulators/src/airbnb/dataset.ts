import { addDays, daysBetween, weekday } from '@staysync/core';
import { assertAccountId } from './cookie';
import { SeededRandom } from './random';

/**
 * The simulated world: listings per account and daily funnel numbers per (account, listing, date).
 * Everything derives from SeededRandom, so values never depend on the request or the scrape day.
 */

export interface SimListing {
  /** 18-digit string id (beyond JS safe integers, like upstream) */
  id: string;
  internalName: string;
  listingName: string;
  summary: string;
  thumbnailUrl: string;
  /** occupancy_rate card of the listings table; null → "-" (no data yet) */
  occupancy: { value: number; change: number } | null;
}

/** One day of the search → page view → booking funnel. */
export interface DailyFacts {
  searchImpressions: number;
  /** p2_impressions: search impressions on the first results page */
  firstPageImpressions: number;
  /** p3_impressions: listing page views */
  pageViews: number;
  bookings: number;
}

export interface SimDay {
  date: string;
  your: DailyFacts;
  /** the market average of similar listings */
  similar: DailyFacts;
}

const STREETS = [
  'Schuyler Street',
  'S Wilbur Ave',
  'N Wilbur Ave',
  'Tipperary Hill Rd',
  'Grand Ave',
  'Milton Ave',
  'Lancaster Ave',
  'Walnut Park',
  'Maple Street',
  'Harbor View Dr',
  'Orchard Lane',
  'Lake Shore Blvd',
];
const ADJECTIVES = [
  'Sleek',
  'Charming',
  'Sunny',
  'Cozy',
  'Spacious',
  'Quiet',
  'Historic',
  'Modern',
  'Bright',
];
const PLACES = ['Flat', 'Loft', 'Retreat', 'Haven', 'Studio', 'Home', 'Cottage', 'Suite'];
const PERKS = [
  'Walk to Zoo + Bars',
  'Close to Key Spots',
  'Sleeps 8',
  'Free Parking',
  'Near University',
  'Fast Wi-Fi',
  'Family Friendly',
  'Fully Equipped',
];
/** Sunday … Saturday demand factors */
const WEEKDAY_DEMAND = [1.0, 0.85, 0.85, 0.9, 1.0, 1.2, 1.25];

export function generateListings(accountId: string, count: number): SimListing[] {
  assertAccountId(accountId);
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`listingCount must be an integer ≥ 0`);
  const listings: SimListing[] = [];
  const ids = new Set<string>();
  const names = new Set<string>();
  for (let index = 0; index < count; index++) {
    const rnd = new SeededRandom(`${accountId}:listing:${index}`);
    let id = rnd.digits(18);
    while (ids.has(id)) id = rnd.digits(18);
    ids.add(id);

    let internalName = `${rnd.int(100, 999)} ${rnd.pick(STREETS)}`;
    if (rnd.next() < 0.4 || names.has(internalName)) internalName += ` Apt ${index + 1}`;
    names.add(internalName);

    const place = rnd.pick(PLACES);
    // Every 4th listing has no occupancy yet ("-"), so any table of ≥ 2 rows shows both row shapes.
    const days = 31;
    const occupied = rnd.int(5, days);
    const occupancy =
      index % 4 === 0 ? null : { value: occupied / days, change: (occupied - rnd.int(0, days)) / days };
    listings.push({
      id,
      internalName,
      listingName: `${rnd.pick(ADJECTIVES)} ${place} | ${rnd.pick(PERKS)}`,
      summary: `A ${place.toLowerCase()} at ${internalName} with ${rnd.int(1, 5)} bedrooms, a full kitchen and a dedicated work space. Steps from restaurants, parks and transit.`,
      thumbnailUrl: `https://a0.muscache.com/im/pictures/miso/Hosting-${id}/original/${rnd.uuid()}.jpeg?aki_policy=small`,
      occupancy,
    });
  }
  return listings;
}

export function simulateDay(accountId: string, listingId: string, date: string): SimDay {
  const listing = new SeededRandom(`${accountId}:${listingId}`);
  const yourPopularity = listing.between(0.4, 1.8);
  const marketPopularity = listing.between(0.3, 0.9);
  const demand = WEEKDAY_DEMAND[weekday(date)];
  const seed = `${accountId}:${listingId}:${date}`;
  return {
    date,
    your: funnel(new SeededRandom(`${seed}:your`), yourPopularity * demand),
    similar: funnel(new SeededRandom(`${seed}:similar`), marketPopularity * demand),
  };
}

/** Each day of the inclusive window [start, end]. */
export function simulateWindow(accountId: string, listingId: string, start: string, end: string): SimDay[] {
  const length = daysBetween(start, end) + 1;
  return Array.from({ length }, (_, i) => simulateDay(accountId, listingId, addDays(start, i)));
}

export function sumFacts(days: readonly DailyFacts[]): DailyFacts {
  const total: DailyFacts = { searchImpressions: 0, firstPageImpressions: 0, pageViews: 0, bookings: 0 };
  for (const day of days) {
    total.searchImpressions += day.searchImpressions;
    total.firstPageImpressions += day.firstPageImpressions;
    total.pageViews += day.pageViews;
    total.bookings += day.bookings;
  }
  return total;
}

/** The four LoM conversion rates, as fractions (0 when the denominator is 0). */
export function conversionRates(facts: DailyFacts) {
  return {
    conversion_rate: ratio(facts.bookings, facts.searchImpressions),
    p2_impressions_first_page_rate: ratio(facts.firstPageImpressions, facts.searchImpressions),
    search_conversion_rate: ratio(facts.pageViews, facts.searchImpressions),
    listing_conversion_rate: ratio(facts.bookings, facts.pageViews),
  };
}

function funnel(rnd: SeededRandom, popularity: number): DailyFacts {
  const searchImpressions = Math.round(popularity * rnd.between(120, 420));
  const firstPageImpressions = Math.round(searchImpressions * rnd.between(0.55, 0.85));
  const pageViews = Math.round(searchImpressions * rnd.between(0.015, 0.06));
  let bookings = 0;
  for (let view = 0; view < pageViews; view++) if (rnd.next() < 0.02) bookings++;
  return { searchImpressions, firstPageImpressions, pageViews, bookings };
}

function ratio(numerator: number, denominator: number): number {
  return denominator === 0 ? 0 : numerator / denominator;
}
