import { PoisonMessageError, isJsonObject, type JsonObject } from '@staysync/core';

/**
 * Shared decoding of the porygon envelope every operation answers with:
 *
 *   { "data": { "porygon": { "getPerformanceComponents": { "components": [ <component> ] } } },
 *     "extensions": { "traceId": "…" } }
 *
 * No silent shape drift: every step of that path must be there (reference §5 read a missing step as
 * an empty component, so a changed response shape would have stored nothing and reported success).
 * A missing step, something of the wrong type, or a component of another kind than the operation
 * answers is a malformed body: PoisonMessageError naming the path (dead-lettered at stage `parse`,
 * the raw response kept for a replay). Only an explicitly empty `components: []`, or a component
 * whose lists are empty, yields no rows.
 */

/** MetricUnit as we use it: values already coerced. */
export interface MetricUnit {
  metricName: string;
  value: number | null;
  valueString: string | null;
  valueChange: number | null;
  valueChangeString: string | null;
}

/**
 * Where a value sits in the response, for error messages. A function for the items of a list (data
 * points, metric units), so that the string is only built when an error is actually thrown.
 */
export type JsonPath = string | (() => string);

export function malformed(path: JsonPath, problem: string): never {
  const text = pathText(path);
  throw new PoisonMessageError(`malformed Airbnb response: ${text} ${problem}`, { context: { path: text } });
}

function pathText(path: JsonPath): string {
  return typeof path === 'string' ? path : path();
}

/** What the operation's component is called in `componentName` and `__typename`. */
export interface ExpectedComponent {
  componentName: string;
  typename: string;
}

export const COMPONENTS_PATH = 'data.porygon.getPerformanceComponents.components';

/** `components[0]`, or null when the response explicitly carries no component (`components: []`). */
export function firstComponent(body: unknown, expected: ExpectedComponent): JsonObject | null {
  if (!isJsonObject(body)) malformed('body', 'is not a JSON object');
  const data = presentObject(body.data, 'data');
  const porygon = presentObject(data.porygon, 'data.porygon');
  const response = presentObject(porygon.getPerformanceComponents, 'data.porygon.getPerformanceComponents');
  const components = presentArray(response.components, COMPONENTS_PATH);
  if (components.length === 0) return null;

  const path = `${COMPONENTS_PATH}[0]`;
  const component = requireObject(components[0], path);
  const name = component.componentName;
  if (name !== expected.componentName) {
    malformed(
      `${path}.componentName`,
      `is ${name === undefined ? 'missing' : typeof name === 'string' ? name : JSON.stringify(name)}, expected ${expected.componentName}`,
    );
  }
  const typename = component.__typename;
  if (typename !== undefined && typename !== expected.typename) {
    malformed(`${path}.__typename`, `is ${JSON.stringify(typename)}, expected ${expected.typename}`);
  }
  return component;
}

/** An object that must be there (missing or null is shape drift). */
export function presentObject(value: unknown, path: string): JsonObject {
  if (value === undefined || value === null) return malformed(path, 'is missing');
  return isJsonObject(value) ? value : malformed(path, 'is not an object');
}

/** An array that must be there, possibly empty (missing or null is shape drift). */
export function presentArray(value: unknown, path: string): unknown[] {
  if (value === undefined || value === null) return malformed(path, 'is missing');
  return Array.isArray(value) ? value : malformed(path, 'is not an array');
}

export function optionalObject(value: unknown, path: string): JsonObject | null {
  if (value === undefined || value === null) return null;
  return isJsonObject(value) ? value : malformed(path, 'is not an object');
}

export function requireObject(value: unknown, path: JsonPath): JsonObject {
  return isJsonObject(value) ? value : malformed(path, 'is not an object');
}

export function optionalArray(value: unknown, path: string): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : malformed(path, 'is not an array');
}

export function requireIsoDate(value: unknown, path: JsonPath): string {
  if (typeof value !== 'string') return malformed(path, 'is not a YYYY-MM-DD string');
  return isIsoDate(value)
    ? value
    : malformed(path, `is not a valid YYYY-MM-DD date: ${JSON.stringify(value)}`);
}

const ISO_DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

/**
 * A real calendar date written YYYY-MM-DD (proleptic Gregorian, years 0000–9999): accepts exactly
 * what `parseIsoDate` accepts, without allocating a Date per data point.
 */
export function isIsoDate(value: string): boolean {
  if (!ISO_DATE.test(value)) return false;
  const day = Number(value.slice(8, 10));
  return day <= 28 || day <= daysInMonth(Number(value.slice(0, 4)), Number(value.slice(5, 7)));
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function isLeapYear(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

export function decodeMetricUnit(value: unknown, path: JsonPath): MetricUnit {
  const unit = requireObject(value, path);
  if (typeof unit.metricName !== 'string' || unit.metricName === '') {
    malformed(`${pathText(path)}.metricName`, 'is missing');
  }
  return {
    metricName: unit.metricName,
    value: unwrapValue(unit.value),
    valueString: stringOrNull(unit.valueString),
    valueChange: unwrapValue(unit.valueChange),
    valueChangeString: stringOrNull(unit.valueChangeString),
  };
}

/** A MetricUnit list; null entries are skipped. */
export function decodeMetricUnits(value: unknown, path: string): MetricUnit[] {
  const units: MetricUnit[] = [];
  optionalArray(value, path).forEach((unit, i) => {
    if (unit !== null) units.push(decodeMetricUnit(unit, () => `${path}[${i}]`));
  });
  return units;
}

/** `{"doubleValue": 0.1}` / `{"longValue": "15"}` → number; a null or non-object wrapper → null. */
export function unwrapValue(wrapper: unknown): number | null {
  if (!isJsonObject(wrapper)) return null;
  return coerceNumber(wrapper.doubleValue ?? wrapper.longValue ?? null);
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Reference §7: null → null; a number stays; a digit-only string → int; any other string → float, or
 * null when it is not a number ("-", "", "n/a"); any other type → null.
 */
export function coerceNumber(raw: unknown): number | null {
  if (typeof raw === 'number') return raw;
  if (typeof raw !== 'string') return null;
  if (/^\d+$/.test(raw)) return Number.parseInt(raw, 10);
  const text = raw.trim();
  return DECIMAL.test(text) ? Number(text) : null;
}

export function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}
