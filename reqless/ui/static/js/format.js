// Pure formatting helpers (no DOM access), so node can import and test them.

/**
 * Whole seconds as one or two units, the second zero-padded and left out when zero:
 * "42 s", "3 min 05 s", "1 min", "1 h 02 min", "2 d 04 h", "1 d".
 */
function units(whole) {
  for (const [size, unit, part, sub] of [
    [86400, "d", 3600, "h"],
    [3600, "h", 60, "min"],
    [60, "min", 1, "s"],
  ]) {
    if (whole >= size) {
      const rest = Math.floor((whole % size) / part);
      return `${Math.floor(whole / size)} ${unit}${rest ? ` ${pad(rest)} ${sub}` : ""}`;
    }
  }
  return `${whole} s`;
}

/**
 * A short span for a relative time: "20 s", "3 min 05 s", "12 min", "2 h 05 min", "1 d 04 h".
 * Seconds show only under 10 minutes. The server's `span` (pages/format.py) is the same.
 */
export function span(seconds) {
  const s = Math.max(0, Math.round(Math.abs(seconds)));
  if (s >= 600 && s < 3600) return `${Math.floor(s / 60)} min`;
  return units(s);
}

/** One decimal, ties to even like Python's format (4.25 -> "4.2"); otherwise as toFixed. */
function tenths(value) {
  if (Number.isInteger(value * 4) && !Number.isInteger(value * 2)) {
    const down = Math.floor(value * 10);
    return ((down % 2 === 0 ? down : down + 1) / 10).toFixed(1);
  }
  return value.toFixed(1);
}

/**
 * A duration: "850 ms", "4.2 s", "42 s", "3 min 05 s", "1 h 02 min", "2 d 04 h";
 * "—" for a non-number. The server's `duration` filter (pages/format.py) is the same.
 */
export function duration(seconds) {
  if (typeof seconds !== "number" || !Number.isFinite(seconds)) return "—";
  const sign = seconds < 0 ? "-" : "";
  let value = Math.abs(seconds);
  if (value < 1) {
    const millis = Math.round(value * 1000);
    if (millis < 1000) return `${sign}${millis} ms`;
    value = 1;
  }
  if (value < 59.5) {
    const text = value < 9.95 ? tenths(value).replace(/\.0$/, "") : String(Math.round(value));
    return `${sign}${text} s`;
  }
  return sign + units(Math.round(value));
}

/** Relative time of `epoch` seen at `now` (both epoch seconds): "3 min ago", "in 20 s". */
export function relative(epoch, now) {
  const delta = epoch - now;
  if (Math.abs(delta) < 1) return "just now";
  return delta > 0 ? `in ${span(delta)}` : `${span(delta)} ago`;
}

function pad(n) {
  return String(n).padStart(2, "0");
}

/**
 * Absolute time "YYYY-MM-DD HH:MM:SS" of `epoch` in UTC or in the browser's zone.
 * The zone label is appended so a reader never has to guess.
 */
export function absolute(epoch, utc, zoneLabel = "") {
  const d = new Date(epoch * 1000);
  const parts = utc
    ? [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()]
    : [d.getFullYear(), d.getMonth() + 1, d.getDate(), d.getHours(), d.getMinutes(), d.getSeconds()];
  const [y, mo, da, h, mi, se] = parts;
  const text = `${y}-${pad(mo)}-${pad(da)} ${pad(h)}:${pad(mi)}:${pad(se)}`;
  const label = utc ? "UTC" : zoneLabel;
  return label ? `${text} ${label}` : text;
}

/** "HH:MM:SS" of `epoch` in the browser's zone (stale banners, indicator titles). */
export function clock(epoch) {
  const d = new Date(epoch * 1000);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** 12345 -> "12,345"; non-numbers are returned as text unchanged. */
export function number(value) {
  if (typeof value !== "number" || !Number.isFinite(value)) return value == null ? "" : String(value);
  const [whole, frac] = String(Math.abs(value)).split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return (value < 0 ? "-" : "") + grouped + (frac ? `.${frac}` : "");
}

/** 12345 -> "12.3k" (badges). */
export function compact(value) {
  if (typeof value !== "number" || !Number.isFinite(value)) return value == null ? "" : String(value);
  const abs = Math.abs(value);
  for (const [size, suffix] of [
    [1e9, "G"],
    [1e6, "M"],
    [1e3, "k"],
  ]) {
    if (abs >= size) {
      const scaled = value / size;
      const text = Math.abs(scaled) >= 100 ? String(Math.round(scaled)) : scaled.toFixed(1).replace(/\.0$/, "");
      return text + suffix;
    }
  }
  return String(value);
}

/** "1.5 KiB" for a byte count. */
export function bytes(size) {
  if (size < 1024) return `${size} B`;
  if (size < 1024 * 1024) return `${(size / 1024).toFixed(1).replace(/\.0$/, "")} KiB`;
  return `${(size / 1024 / 1024).toFixed(1).replace(/\.0$/, "")} MiB`;
}

/** Digits of a typed confirmation count, ignoring separators and spaces. */
export function digits(text) {
  return String(text).replace(/[\s,._'’]/g, "");
}

/** Exponential backoff with jitter: 1 s, 2 s, 4 s … capped at 30 s, ±25 %. */
export function backoff(attempt, random = Math.random) {
  const base = Math.min(30, 2 ** Math.max(0, attempt - 1));
  const jitter = base * 0.25 * (random() * 2 - 1);
  return Math.min(30, Math.max(1, base + jitter));
}

/**
 * Parse one form value by its declared type; throws Error(problem) on bad input.
 * `int` is a 32-bit signed integer, `list` splits on commas and whitespace.
 */
export function parseTyped(raw, type) {
  const text = String(raw).trim();
  switch (type) {
    case "int": {
      if (!/^[-+]?\d+$/.test(text)) throw new Error("must be a whole number");
      const n = Number(text);
      if (n < -2147483648 || n > 2147483647) throw new Error("must be a 32-bit integer");
      return n;
    }
    case "number": {
      const n = Number(text);
      if (text === "" || !Number.isFinite(n)) throw new Error("must be a number");
      return n;
    }
    case "json":
      try {
        return JSON.parse(text);
      } catch (err) {
        throw new Error(`is not valid JSON (${err.message})`);
      }
    case "bool":
      return text === "true" || text === "1" || text === "on";
    case "list":
      return text.split(/[\s,]+/).filter(Boolean);
    default:
      return raw;
  }
}

/** Fill `{name}` placeholders from `values`; unknown names are left as written. */
export function fill(template, values, encode = (v) => v) {
  return String(template).replace(/\{([A-Za-z0-9_.-]+)\}/g, (whole, key) =>
    Object.prototype.hasOwnProperty.call(values, key) ? encode(String(values[key])) : whole,
  );
}

/**
 * A line diff of two texts: ["  same", "- removed", "+ added"], from a longest
 * common subsequence. Very large inputs fall back to listing what differs.
 */
export function lineDiff(before, after, maxCells = 4_000_000) {
  const a = String(before).split("\n");
  const b = String(after).split("\n");
  if (a.length * b.length > maxCells) {
    const inB = new Set(b);
    const inA = new Set(a);
    return [...a.filter((l) => !inB.has(l)).map((l) => `- ${l}`), ...b.filter((l) => !inA.has(l)).map((l) => `+ ${l}`)];
  }
  const table = Array.from({ length: a.length + 1 }, () => new Uint32Array(b.length + 1));
  for (let i = a.length - 1; i >= 0; i -= 1) {
    for (let j = b.length - 1; j >= 0; j -= 1) {
      table[i][j] = a[i] === b[j] ? table[i + 1][j + 1] + 1 : Math.max(table[i + 1][j], table[i][j + 1]);
    }
  }
  const out = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      out.push(`  ${a[i]}`);
      i += 1;
      j += 1;
    } else if (table[i + 1][j] >= table[i][j + 1]) {
      out.push(`- ${a[i]}`);
      i += 1;
    } else {
      out.push(`+ ${b[j]}`);
      j += 1;
    }
  }
  while (i < a.length) out.push(`- ${a[i++]}`);
  while (j < b.length) out.push(`+ ${b[j++]}`);
  return out;
}

/** Only the changed lines of a diff, each with one line of context around it. */
export function changedLines(diff) {
  const keep = new Set();
  diff.forEach((line, index) => {
    if (!line.startsWith("  ")) for (const k of [index - 1, index, index + 1]) keep.add(k);
  });
  return diff.filter((_, index) => keep.has(index));
}

/** ISO-8601 of `epoch`: "2026-11-30T13:21:05Z" in UTC, or local with its offset. */
export function iso(epoch, utc) {
  const d = new Date(epoch * 1000);
  if (utc) return d.toISOString().replace(/\.\d{3}Z$/, "Z");
  const offset = -d.getTimezoneOffset();
  const sign = offset >= 0 ? "+" : "-";
  const hours = pad(Math.floor(Math.abs(offset) / 60));
  const minutes = pad(Math.abs(offset) % 60);
  const local = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  return `${local}${sign}${hours}:${minutes}`;
}

const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu;

/**
 * `text` with control and format characters (NUL, RTL overrides…) written as
 * `\uXXXX`, except newline and tab: bidirectional overrides in untrusted names
 * would otherwise reorder what the operator reads (same rule as the server's pages).
 */
export function visible(text) {
  return String(text).replace(INVISIBLE, (char) =>
    char === "\n" || char === "\t" ? char : `\\u${char.codePointAt(0).toString(16).padStart(4, "0")}`,
  );
}
