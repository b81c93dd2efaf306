// C strftime() in the C/POSIX locale (glibc's conversions), plus bpftrace's two callers of
// it: strftime() values (with the `%f` microseconds extension and a max_strlen-sized buffer)
// and time() events (a 64-byte buffer). In: a format and a wall-clock instant in ns since
// the epoch. Out: a binary string. The zone is the caller's choice; nothing reads the clock.

import { binaryFromUtf8 } from './bytes.js';

/** 'utc', or 'local' (the process's TZ, as bpftrace uses localtime_r). */
export type TimeZone = 'utc' | 'local';

interface BrokenDown {
  year: number;
  month: number; // 0..11
  day: number; // 1..31
  hour: number;
  minute: number;
  second: number;
  weekday: number; // 0 = Sunday
  yearDay: number; // 0..365
  offsetMinutes: number; // east of UTC
  zoneName: string;
  epochSeconds: bigint;
}

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

function breakDown(epochNs: bigint, zone: TimeZone): BrokenDown {
  const epochSeconds = floorDiv(epochNs, 1_000_000_000n);
  const date = new Date(Number(epochSeconds) * 1000);
  if (zone === 'utc') {
    return fields(date, true, 0, 'UTC', epochSeconds);
  }
  const offsetMinutes = -date.getTimezoneOffset();
  const zoneName =
    new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' })
      .formatToParts(date)
      .find((p) => p.type === 'timeZoneName')?.value ?? '';
  return fields(date, false, offsetMinutes, zoneName, epochSeconds);
}

function fields(d: Date, utc: boolean, offsetMinutes: number, zoneName: string, epochSeconds: bigint): BrokenDown {
  const year = utc ? d.getUTCFullYear() : d.getFullYear();
  const month = utc ? d.getUTCMonth() : d.getMonth();
  const day = utc ? d.getUTCDate() : d.getDate();
  const start = Date.UTC(year, 0, 1);
  const yearDay = Math.round((Date.UTC(year, month, day) - start) / 86_400_000);
  return {
    year,
    month,
    day,
    hour: utc ? d.getUTCHours() : d.getHours(),
    minute: utc ? d.getUTCMinutes() : d.getMinutes(),
    second: utc ? d.getUTCSeconds() : d.getSeconds(),
    weekday: utc ? d.getUTCDay() : d.getDay(),
    yearDay,
    offsetMinutes,
    zoneName,
    epochSeconds,
  };
}

function pad(n: number, width: number, fill = '0'): string {
  const s = String(Math.abs(n));
  return (n < 0 ? '-' : '') + s.padStart(width, fill);
}

/** ISO 8601 week-based year and week number (for %G, %g, %V). */
function isoWeek(t: BrokenDown): { year: number; week: number } {
  const wday = (t.weekday + 6) % 7; // Monday = 0
  const thursdayYearDay = t.yearDay - wday + 3;
  const daysInYear = (y: number) => ((y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 366 : 365);
  if (thursdayYearDay < 0) {
    const prev = t.year - 1;
    return { year: prev, week: Math.floor((thursdayYearDay + daysInYear(prev)) / 7) + 1 };
  }
  if (thursdayYearDay >= daysInYear(t.year)) return { year: t.year + 1, week: 1 };
  return { year: t.year, week: Math.floor(thursdayYearDay / 7) + 1 };
}

/** One conversion letter → its text; undefined for letters glibc does not know. */
const CONVERSIONS: Record<string, (t: BrokenDown) => string> = {
  a: (t) => DAYS[t.weekday]!.slice(0, 3),
  A: (t) => DAYS[t.weekday]!,
  b: (t) => MONTHS[t.month]!.slice(0, 3),
  h: (t) => MONTHS[t.month]!.slice(0, 3),
  B: (t) => MONTHS[t.month]!,
  c: (t) => `${CONVERSIONS.a!(t)} ${CONVERSIONS.b!(t)} ${pad(t.day, 2, ' ')} ${CONVERSIONS.T!(t)} ${t.year}`,
  C: (t) => pad(Math.floor(t.year / 100), 2),
  d: (t) => pad(t.day, 2),
  D: (t) => `${pad(t.month + 1, 2)}/${pad(t.day, 2)}/${pad(t.year % 100, 2)}`,
  e: (t) => pad(t.day, 2, ' '),
  F: (t) => `${pad(t.year, 4)}-${pad(t.month + 1, 2)}-${pad(t.day, 2)}`,
  g: (t) => pad(isoWeek(t).year % 100, 2),
  G: (t) => String(isoWeek(t).year),
  H: (t) => pad(t.hour, 2),
  I: (t) => pad(t.hour % 12 === 0 ? 12 : t.hour % 12, 2),
  j: (t) => pad(t.yearDay + 1, 3),
  k: (t) => pad(t.hour, 2, ' '),
  l: (t) => pad(t.hour % 12 === 0 ? 12 : t.hour % 12, 2, ' '),
  m: (t) => pad(t.month + 1, 2),
  M: (t) => pad(t.minute, 2),
  n: () => '\n',
  p: (t) => (t.hour < 12 ? 'AM' : 'PM'),
  P: (t) => (t.hour < 12 ? 'am' : 'pm'),
  r: (t) => `${CONVERSIONS.I!(t)}:${pad(t.minute, 2)}:${pad(t.second, 2)} ${CONVERSIONS.p!(t)}`,
  R: (t) => `${pad(t.hour, 2)}:${pad(t.minute, 2)}`,
  s: (t) => t.epochSeconds.toString(),
  S: (t) => pad(t.second, 2),
  t: () => '\t',
  T: (t) => `${pad(t.hour, 2)}:${pad(t.minute, 2)}:${pad(t.second, 2)}`,
  u: (t) => String(t.weekday === 0 ? 7 : t.weekday),
  U: (t) => pad(Math.floor((t.yearDay + 7 - t.weekday) / 7), 2),
  V: (t) => pad(isoWeek(t).week, 2),
  w: (t) => String(t.weekday),
  W: (t) => pad(Math.floor((t.yearDay + 7 - ((t.weekday + 6) % 7)) / 7), 2),
  x: (t) => CONVERSIONS.D!(t),
  X: (t) => CONVERSIONS.T!(t),
  y: (t) => pad(t.year % 100, 2),
  Y: (t) => String(t.year),
  z: (t) => (t.offsetMinutes < 0 ? '-' : '+') + pad(Math.floor(Math.abs(t.offsetMinutes) / 60), 2) + pad(Math.abs(t.offsetMinutes) % 60, 2),
  Z: (t) => t.zoneName,
  '%': () => '%',
};

/**
 * strftime(3): `format` is a binary string; so is the result. Unknown conversions are
 * copied as written, as glibc does; the E and O modifiers are accepted and ignored.
 */
export function strftime(format: string, epochNs: bigint, zone: TimeZone): string {
  const t = breakDown(epochNs, zone);
  let out = '';
  for (let i = 0; i < format.length; i++) {
    const c = format[i]!;
    if (c !== '%' || i + 1 >= format.length) {
      out += c;
      continue;
    }
    let j = i + 1;
    if (format[j] === 'E' || format[j] === 'O') j++;
    const conv = CONVERSIONS[format[j] ?? ''];
    if (conv === undefined) {
      out += format.slice(i, j + 1);
    } else {
      out += binaryFromUtf8(conv(t));
    }
    i = j;
  }
  return out;
}

/**
 * A strftime() value as bpftrace prints it: every `%f` becomes the 6-digit microseconds of
 * the instant, then strftime into a max_strlen-byte buffer. undefined when the result does
 * not fit or is empty (strftime returned 0; bpftrace prints an error and "(?)").
 */
export function formatTimestamp(format: string, epochNs: bigint, zone: TimeZone, maxStrlen: number): string | undefined {
  const micros = ((epochNs % 1_000_000_000n) + 1_000_000_000n) % 1_000_000_000n / 1000n;
  const expanded = format.replaceAll('%f', micros.toString().padStart(6, '0'));
  return fitted(strftime(expanded, epochNs, zone), maxStrlen);
}

/** time(fmt): strftime of the current second into bpftrace's 64-byte buffer. */
export function formatTime(format: string, epochNs: bigint, zone: TimeZone): string | undefined {
  return fitted(strftime(format, epochNs, zone), 64);
}

function fitted(text: string, bufferSize: number): string | undefined {
  return text.length === 0 || text.length >= bufferSize ? undefined : text;
}

/** The default format of time(). */
export const TIME_DEFAULT_FORMAT = '%H:%M:%S\n';
