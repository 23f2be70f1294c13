import { describe, expect, it } from 'vitest';
import { createLogger, escapeText, formatLine, MAX_VALUE } from '../src/log.js';

const T = Date.UTC(2026, 11, 2, 18, 0, 0);
const FORGED = 'a\r\nb\u001b[31m\u2028c\\';

describe('log lines', () => {
  it('json: one object per line with time, level, msg and the fields', () => {
    const line = formatLine('json', T, 'info', 'rotated', { alg: 'ES256', from: 'k1', to: 'k2' });
    expect(JSON.parse(line)).toEqual({
      time: '2026-12-02T18:00:00.000Z',
      level: 'info',
      msg: 'rotated',
      alg: 'ES256',
      from: 'k1',
      to: 'k2',
    });
    // a field cannot overwrite time, level or msg
    expect(JSON.parse(formatLine('json', T, 'warn', 'x', { level: 'debug', time: 1 }))).toMatchObject({
      level: 'warn',
      field_level: 'debug',
      field_time: 1,
    });
  });

  it('text: time, level, message and key=value fields, quoted when needed', () => {
    expect(
      formatLine('text', T, 'warn', 'shedding connections', {
        client: '127.0.0.1',
        reason: 'client-cap',
        note: 'a b',
      }),
    ).toBe(
      '2026-12-02T18:00:00.000Z warn  shedding connections client=127.0.0.1 reason=client-cap note="a b"',
    );
  });

  it('escapes control characters so a kid cannot forge lines or drive a terminal (issue 13.11)', () => {
    for (const format of ['json', 'text'] as const) {
      const line = formatLine(format, T, 'info', `revoked ${FORGED}`, { kid: FORGED });
      expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/);
      expect(line.split('\n')).toHaveLength(1);
    }
    expect(escapeText(FORGED)).toBe('a\\r\\nb\\x1b[31m\\u2028c\\\\');
    expect(JSON.parse(formatLine('json', T, 'info', 'm', { kid: FORGED })).kid).toBe(FORGED);
  });

  it('cuts long values', () => {
    const long = 'k'.repeat(60_000);
    const line = formatLine('text', T, 'info', 'm', { kid: long });
    expect(line.length).toBeLessThan(MAX_VALUE + 100);
    expect(line).toContain('(60000 chars)');
    expect(formatLine('json', T, 'info', 'm', { kid: long }).length).toBeLessThan(MAX_VALUE + 120);
  });

  it('filters by level and switches format in place', () => {
    const lines: string[] = [];
    const log = createLogger({ write: (l) => lines.push(l), level: 'warn', now: () => T });
    log.info('hidden');
    log.warn('shown');
    log.configure({ format: 'json', level: 'debug' });
    log.debug('now json');
    expect(lines).toEqual([
      '2026-12-02T18:00:00.000Z warn  shown',
      '{"time":"2026-12-02T18:00:00.000Z","level":"debug","msg":"now json"}',
    ]);
  });
});
