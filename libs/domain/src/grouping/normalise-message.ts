/**
 * Message parameterisation: the variable parts of an error message become placeholders so that
 * `Payment declined for order ORD-2024-00042: amount 1234.50 EUR exceeds limit` and
 * `Payment declined for order ord_13bb90: amount 9.99 EUR exceeds limit` share one template.
 *
 * Rules run in order, most specific shape first, so a UUID is not eaten as three ids and numbers:
 *   URLs <url>, emails <email>, UUIDs <uuid>, ISO dates and times <date>, IPv4/IPv6 <ip>,
 *   `key=value` -> `key=<val>`, quoted values ('…', "…", `…`) <str>, then word by word:
 *   0x… <hex>, hex runs of 16+ <hash>, numbers <num> (a unit suffix stays: `5ms` -> `<num>ms`),
 *   any other word mixing letters and digits <id> (`ORD-2024-00042`, `ord_8f2a1c`, `user42`).
 * Words without digits stay, and so do well-known technical words that happen to contain digits
 * (`utf8`, `sha256`, `ipv4`, `v2`, `5xx`): they name a kind of thing, not an instance.
 *
 * Only the first MAX_MESSAGE_CHARS are considered, so a megabyte message costs what a short one does.
 */
export const MAX_MESSAGE_CHARS = 1024;

/** `needs`: a substring every match contains; a message without it skips the rule (most messages skip most rules). */
type Rule = readonly [pattern: RegExp, replacement: string, needs: string];

const SHAPE_RULES: readonly Rule[] = [
  [/\b[a-z][a-z0-9+.-]*:\/\/[^\s'"`<>]+/gi, '<url>', '://'],
  [/[\w.+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}\b/gi, '<email>', '@'],
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<uuid>', '-'],
  [
    /(?<![\w-])\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?(?![\w-])/g,
    '<date>',
    '-',
  ],
  [/(?<![\w:.])\d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?(?![\w:])/g, '<date>', ':'],
  [/(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w]|\.\d)/g, '<ip>', '.'],
  // IPv6: hex groups around at least two colons, with a digit somewhere so `a::b` prose is left alone.
  [/(?<![\w:])(?=[0-9a-f:]*\d)(?=[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2})[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}(?![\w:])/gi, '<ip>', ':'],
  [/\b([A-Za-z_][\w.-]*)=(?:"[^"]*"|'[^']*'|[^\s,;&)\]}>]+)/g, '$1=<val>', '='],
  // Quotes must not start inside a word: `can't find 'x'` has one quoted value, not two.
  [/(?<!\w)'[^'\n]*'(?!\w)/g, '<str>', "'"],
  [/"[^"\n]*"/g, '<str>', '"'],
  [/`[^`\n]*`/g, '<str>', '`'],
];

/** A word: letters, digits and underscores, possibly joined by `-`, `.` or `,` (`ORD-2024-00042`, `1,234.50`). */
const WORD = /[A-Za-z0-9_]+(?:[-.,][A-Za-z0-9_]+)*/g;
const NUMBER = /^\d+(?:[.,]\d+)*$/;
const HAS_DIGIT = /\d/;
const NUMBER_WITH_UNIT = /^\d+(?:[.,]\d+)?(ns|us|µs|ms|s|sec|secs|m|min|mins|h|hr|hrs|d|b|kb|mb|gb|tb|kib|mib|gib|tib|px)$/i;
const KNOWN_WORDS =
  /^(?:v\d{1,3}|utf-?(?:8|16|32)|ucs-?[24]|base(?:32|58|64)|sha-?(?:1|224|256|384|512)|md[45]|u?int(?:8|16|32|64|128)|float(?:16|32|64)|ipv[46]|http[23]|h2c?|h3|x86(?:_64)?|arm64|aarch64|s3|ec2|oauth2|i18n|l10n|k8s|es\d{1,4}|[1-5]xx)$/i;

export function normaliseMessage(message: string): string {
  let template = message.slice(0, MAX_MESSAGE_CHARS);
  for (const [pattern, replacement, needs] of SHAPE_RULES) {
    if (template.includes(needs)) template = template.replace(pattern, replacement);
  }
  // Only words with a digit change.
  if (HAS_DIGIT.test(template)) template = template.replace(WORD, parameteriseWord);
  return template.replace(/\s+/g, ' ').trim();
}

function parameteriseWord(word: string): string {
  if (!/\d/.test(word)) return word;
  if (NUMBER.test(word)) return '<num>';
  if (/^0x[0-9a-f]+$/i.test(word)) return '<hex>';
  const unit = NUMBER_WITH_UNIT.exec(word);
  if (unit) return `<num>${unit[1]}`;
  if (KNOWN_WORDS.test(word)) return word;
  if (word.length >= 16 && /^[0-9a-f]+$/i.test(word)) return '<hash>';
  return '<id>';
}
