import { PoisonMessageError } from '@staysync/core';
import { coerceNumber, decodeMetricUnit, firstComponent, unwrapValue } from './decode';

describe('coerceNumber (reference §7)', () => {
  it.each([
    [null, null],
    [undefined, null],
    [0, 0],
    [222.0, 222],
    [0.0011021307861866275, 0.0011021307861866275],
    ['15', 15],
    ['0', 0],
    ['007', 7],
    ['-5', -5],
    ['0.25', 0.25],
    [' 1.5 ', 1.5],
    ['1e3', 1000],
    ['-', null],
    ['', null],
    ['12abc', null],
    ['0x10', null],
    ['Infinity', null],
    [true, null],
    [{ longValue: '1' }, null],
    [[1], null],
  ])('%p → %p', (raw, expected) => {
    expect(coerceNumber(raw)).toBe(expected);
  });

  it('turns a digit-only string into an integer', () => {
    expect(Number.isInteger(coerceNumber('8166'))).toBe(true);
  });
});

describe('unwrapValue (null wrappers → null)', () => {
  it.each([
    [null, null],
    [undefined, null],
    ['15', null],
    [15, null],
    [{}, null],
    [{ longValue: null }, null],
    [{ longValue: '15' }, 15],
    [{ doubleValue: 0.25 }, 0.25],
    [{ doubleValue: 0, longValue: '9' }, 0],
    [{ doubleValue: null, longValue: '9' }, 9],
    [{ __typename: 'porygonLongWrapper', longValue: '-' }, null],
  ])('%p → %p', (wrapper, expected) => {
    expect(unwrapValue(wrapper)).toBe(expected);
  });
});

describe('firstComponent (null-safe navigation, reference §5)', () => {
  it.each([
    ['data missing', {}],
    ['data null', { data: null }],
    ['porygon null', { data: { porygon: null } }],
    ['getPerformanceComponents null', { data: { porygon: { getPerformanceComponents: null } } }],
    ['components missing', { data: { porygon: { getPerformanceComponents: {} } } }],
    ['components empty', { data: { porygon: { getPerformanceComponents: { components: [] } } } }],
  ])('%s → no component', (_name, body) => {
    expect(firstComponent(body, 'LIST_OF_METRICS_SECTION')).toBeNull();
  });

  it.each([
    ['body is a string', '<html>', /body is not a JSON object/],
    ['body is null', null, /body is not a JSON object/],
    ['data is a string', { data: 'x' }, /data is not an object/],
    [
      'components is an object',
      { data: { porygon: { getPerformanceComponents: { components: {} } } } },
      /components is not an array/,
    ],
    [
      'components[0] is a number',
      { data: { porygon: { getPerformanceComponents: { components: [1] } } } },
      /components\[0\] is not an object/,
    ],
    [
      'another component kind',
      {
        data: {
          porygon: { getPerformanceComponents: { components: [{ componentName: 'PIVOT_CHART_SECTION' }] } },
        },
      },
      /componentName is PIVOT_CHART_SECTION, expected LIST_OF_METRICS_SECTION/,
    ],
  ])('%s → PoisonMessageError', (_name, body, message) => {
    expect(() => firstComponent(body, 'LIST_OF_METRICS_SECTION')).toThrow(PoisonMessageError);
    expect(() => firstComponent(body, 'LIST_OF_METRICS_SECTION')).toThrow(message);
  });
});

describe('decodeMetricUnit', () => {
  it('coerces values and keeps strings verbatim', () => {
    expect(
      decodeMetricUnit(
        {
          metricName: 'p3_impressions',
          value: { longValue: '460' },
          valueString: '460',
          valueChange: { doubleValue: 222.0 },
          valueChangeString: '222',
        },
        'primaryMetric',
      ),
    ).toEqual({
      metricName: 'p3_impressions',
      value: 460,
      valueString: '460',
      valueChange: 222,
      valueChangeString: '222',
    });
  });

  it('rejects a unit without metricName', () => {
    expect(() => decodeMetricUnit({ value: null }, 'metrics[0]')).toThrow(
      /metrics\[0\]\.metricName is missing/,
    );
  });
});
