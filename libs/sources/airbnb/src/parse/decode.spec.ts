import { PoisonMessageError } from '@staysync/core';
import { parseIsoDate } from '@staysync/core';
import {
  coerceNumber,
  decodeMetricUnit,
  decodeMetricUnits,
  firstComponent,
  isIsoDate,
  requireIsoDate,
  unwrapValue,
} from './decode';

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

describe('firstComponent (no silent shape drift)', () => {
  const LIST_OF_METRICS = {
    componentName: 'LIST_OF_METRICS_SECTION',
    typename: 'porygonPListOfMetricsSection',
  };
  const withComponents = (components: unknown) => ({
    data: { porygon: { getPerformanceComponents: { components } } },
  });

  it('explicitly empty components → no component (no rows)', () => {
    expect(firstComponent(withComponents([]), LIST_OF_METRICS)).toBeNull();
  });

  it('returns components[0] when it is the expected kind', () => {
    const component = {
      __typename: 'porygonPListOfMetricsSection',
      componentName: 'LIST_OF_METRICS_SECTION',
      metrics: [],
    };
    expect(firstComponent(withComponents([component]), LIST_OF_METRICS)).toBe(component);
  });

  it.each([
    ['body is a string', '<html>', 'body is not a JSON object'],
    ['body is null', null, 'body is not a JSON object'],
    ['data missing', {}, 'data is missing'],
    ['data null', { data: null }, 'data is missing'],
    ['data is a string', { data: 'x' }, 'data is not an object'],
    ['porygon null', { data: { porygon: null } }, 'data.porygon is missing'],
    [
      'an unknown field under porygon instead',
      { data: { porygon: { getInsights: {} } } },
      'data.porygon.getPerformanceComponents is missing',
    ],
    [
      'getPerformanceComponents null',
      { data: { porygon: { getPerformanceComponents: null } } },
      'data.porygon.getPerformanceComponents is missing',
    ],
    [
      'components missing',
      { data: { porygon: { getPerformanceComponents: {} } } },
      'data.porygon.getPerformanceComponents.components is missing',
    ],
    [
      'components is an object',
      withComponents({}),
      'data.porygon.getPerformanceComponents.components is not an array',
    ],
    [
      'components[0] is a number',
      withComponents([1]),
      'data.porygon.getPerformanceComponents.components[0] is not an object',
    ],
    [
      'another component kind',
      withComponents([{ componentName: 'PIVOT_CHART_SECTION' }]),
      'data.porygon.getPerformanceComponents.components[0].componentName is PIVOT_CHART_SECTION, expected LIST_OF_METRICS_SECTION',
    ],
    [
      'a component without a name',
      withComponents([{ metrics: [] }]),
      'data.porygon.getPerformanceComponents.components[0].componentName is missing, expected LIST_OF_METRICS_SECTION',
    ],
    [
      'the right name on another type',
      withComponents([{ __typename: 'porygonPPivotChartSection', componentName: 'LIST_OF_METRICS_SECTION' }]),
      'data.porygon.getPerformanceComponents.components[0].__typename is "porygonPPivotChartSection", expected porygonPListOfMetricsSection',
    ],
  ])('%s → PoisonMessageError with the path', (_name, body, reason) => {
    expect(() => firstComponent(body, LIST_OF_METRICS)).toThrow(PoisonMessageError);
    expect(() => firstComponent(body, LIST_OF_METRICS)).toThrow(`malformed Airbnb response: ${reason}`);
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

describe('decodeMetricUnits', () => {
  const unit = { metricName: 'p2_impressions', value: { longValue: '1' }, valueString: '1' };

  it('skips null entries', () => {
    expect(decodeMetricUnits([null, unit, null], 'metrics').map((u) => u.metricName)).toEqual([
      'p2_impressions',
    ]);
  });

  it('names the offending entry (message and error context)', () => {
    const thrown = (value: unknown) => {
      try {
        decodeMetricUnits(value, 'secondaryMetrics');
      } catch (error) {
        return error as PoisonMessageError;
      }
      throw new Error('expected a PoisonMessageError');
    };
    const missingName = thrown([unit, null, { value: null }]);
    expect(missingName).toBeInstanceOf(PoisonMessageError);
    expect(missingName.message).toBe('malformed Airbnb response: secondaryMetrics[2].metricName is missing');
    expect(missingName.context).toEqual({ path: 'secondaryMetrics[2].metricName' });
    expect(thrown([unit, 'x']).context).toEqual({ path: 'secondaryMetrics[1]' });
  });
});

describe('isIsoDate (a real calendar date written YYYY-MM-DD)', () => {
  it.each([
    '2025-01-12',
    '2025-12-31',
    '2024-02-29',
    '2000-02-29',
    '1600-02-29',
    '0000-02-29',
    '0000-01-01',
    '9999-12-31',
    '2025-04-30',
  ])('accepts %j', (value) => expect(isIsoDate(value)).toBe(true));

  it.each([
    '2025-02-29',
    '1900-02-29',
    '2100-02-29',
    '2025-02-30',
    '2025-04-31',
    '2025-06-31',
    '2025-09-31',
    '2025-11-31',
    '2025-01-32',
    '2025-00-10',
    '2025-13-01',
    '2025-01-00',
    '2025-1-01',
    '2025-01-1',
    '25-01-01',
    '+02025-01-01',
    '-2025-01-01',
    '2025-01-01T00:00:00Z',
    '2025-01-01\n',
    ' 2025-01-01',
    '2025/01/01',
    '20250101',
    '',
  ])('rejects %j', (value) => expect(isIsoDate(value)).toBe(false));

  it('agrees with parseIsoDate on every month and day of leap, common and century years', () => {
    const pad = (n: number) => String(n).padStart(2, '0');
    const parses = (value: string) => {
      try {
        parseIsoDate(value);
        return true;
      } catch {
        return false;
      }
    };
    for (const year of ['0000', '0001', '1900', '2000', '2023', '2024', '2100', '2400', '9999']) {
      for (let month = 0; month <= 13; month++) {
        for (let day = 0; day <= 32; day++) {
          const value = `${year}-${pad(month)}-${pad(day)}`;
          expect([value, isIsoDate(value)]).toEqual([value, parses(value)]);
        }
      }
    }
  });
});

describe('requireIsoDate', () => {
  it('returns the date', () => expect(requireIsoDate('2025-01-12', 'ds')).toBe('2025-01-12'));

  it.each([
    [undefined, 'malformed Airbnb response: points[1].ds is not a YYYY-MM-DD string'],
    [20250112, 'malformed Airbnb response: points[1].ds is not a YYYY-MM-DD string'],
    ['2025-02-30', 'malformed Airbnb response: points[1].ds is not a valid YYYY-MM-DD date: "2025-02-30"'],
  ])('%j → %s', (value, message) => {
    expect(() => requireIsoDate(value, 'points[1].ds')).toThrow(message);
    expect(() => requireIsoDate(value, () => 'points[1].ds')).toThrow(message);
  });

  it('only builds a lazy path when it throws', () => {
    const path = jest.fn(() => 'ds');
    requireIsoDate('2025-01-12', path);
    expect(path).not.toHaveBeenCalled();
  });
});
