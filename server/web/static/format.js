// Numbers, shares and durations as each language writes them, for every screen: Vietnamese with a decimal
// comma and dots between thousands ("94,58", "50,0 %", "1.234"), English with a decimal point ("94.58",
// "50.0%", "1,234"). Intl.NumberFormat does the work; nothing here rounds what is stored, only what is shown.
// A missing value is shown as "—" everywhere.
const LOCALES = { vi: "vi-VN", en: "en" };
const MISSING = "—";
const cache = new Map();

function formatter(lang, minimumFractionDigits, maximumFractionDigits) {
  const key = `${lang}|${minimumFractionDigits}|${maximumFractionDigits}`;
  if (!cache.has(key)) {
    cache.set(key, new Intl.NumberFormat(LOCALES[lang] || LOCALES.vi, { minimumFractionDigits, maximumFractionDigits }));
  }
  return cache.get(key);
}

function missing(value) {
  return value === null || value === undefined || value === "" || Number.isNaN(Number(value));
}

// A number with up to `decimals` decimals (points, indexes: "94,58"); whole numbers stay whole ("85").
export function formatNumber(lang, value, decimals = 2) {
  return missing(value) ? MISSING : formatter(lang, 0, decimals).format(Number(value));
}

// A count ("1.234" in Vietnamese, "1,234" in English).
export function formatCount(lang, value) {
  return formatNumber(lang, value, 0);
}

// A signed change ("+1,25", "−0,5" in Vietnamese).
export function formatChange(lang, value, decimals = 2) {
  if (missing(value)) return MISSING;
  return `${Number(value) > 0 ? "+" : ""}${formatNumber(lang, value, decimals)}`;
}

// A share between 0 and 1 as a percentage with a fixed number of decimals: "50,0 %" (Vietnamese writes a
// space before the sign), "50.0%" in English.
export function formatPercent(lang, share, decimals = 1) {
  if (missing(share)) return MISSING;
  const text = formatter(lang, decimals, decimals).format(Number(share) * 100);
  return lang === "en" ? `${text}%` : `${text} %`;
}

// A duration in seconds as whole minutes ("< 1 phút" under half a minute); "—" when there is none: paper
// ballots have no timing, and an enumerator whose ballots are all paper has no median.
export function formatMinutes(lang, seconds, unit) {
  if (missing(seconds)) return MISSING;
  const minutes = Math.round(Number(seconds) / 60);
  return minutes === 0 && Number(seconds) > 0 ? `< ${formatCount(lang, 1)} ${unit}` : `${formatCount(lang, minutes)} ${unit}`;
}
