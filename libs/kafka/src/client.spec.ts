import { logLevel } from 'kafkajs';
import pino from 'pino';
import { Writable } from 'node:stream';
import { kafkajsLevelFor, pinoLogCreator } from './client';

function capture(level: pino.Level): { logger: pino.Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  return { logger: pino({ level }, stream), lines };
}

describe('Kafka > kafkajs logs through pino', () => {
  it('maps kafkajs levels and demotes its noisy INFO to debug', () => {
    const { logger, lines } = capture('trace');
    const log = pinoLogCreator(logger)(logLevel.DEBUG);
    const entry = (level: logLevel, message: string) =>
      log({ namespace: 'Consumer', level, label: '', log: { timestamp: 't', message, groupId: 'g' } });
    entry(logLevel.ERROR, 'crash');
    entry(logLevel.WARN, 'rebalancing');
    entry(logLevel.INFO, 'joined');
    entry(logLevel.DEBUG, 'fetch');
    expect(lines.map((l) => [l.level, l.msg, l.namespace, l.groupId])).toEqual([
      [50, 'crash', 'Consumer', 'g'],
      [40, 'rebalancing', 'Consumer', 'g'],
      [20, 'joined', 'Consumer', 'g'],
      [10, 'fetch', 'Consumer', 'g'],
    ]);
  });

  it('asks kafkajs only for the detail pino would print', () => {
    expect(kafkajsLevelFor(pino({ level: 'info' }))).toBe(logLevel.WARN);
    expect(kafkajsLevelFor(pino({ level: 'debug' }))).toBe(logLevel.INFO);
    expect(kafkajsLevelFor(pino({ level: 'trace' }))).toBe(logLevel.DEBUG);
  });
});
