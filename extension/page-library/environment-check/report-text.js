// The environment check as plain text for the help desk ("copy report"), format 1 of README.md.
// `certbridge doctor` prints the same text from the same rows in C++, so this module stays pure: rows and
// header facts in, text out; no DOM, no clock, importable under node.

import {GROUPS, summarize} from './environment-rows.js';

export const REPORT_FORMAT = 1;

const STATE_WORDS = {ok: 'OK', warning: 'WARNING', error: 'ERROR', unknown: 'UNKNOWN'};

/**
 * What a row says, in the translator's language: the same words the page shows.
 * @param {object} row a row of buildRows()
 * @param {ReturnType<import('./catalogue.js').createTranslator>} t
 * @returns {{title: string, problem: string|null, details: string[], fix: string|null, code: string|null}}
 */
export function rowTexts(row, t) {
  const textOf = (part) => (part.text !== undefined ? part.text : t.text(part.key, part.params));
  let problem = row.error ? t.errorMessage(row.error) : null;
  if (problem !== null && row.error.code === 'PIN_INCORRECT' && typeof row.error.triesLeft === 'number') {
    problem += ` ${t.text('envCheck.value.triesLeft', {triesLeft: row.error.triesLeft})}`;
  }
  return {
    title: textOf(row.label),
    problem,
    details: row.details.map(textOf),
    fix: row.error ? t.errorFix(row.error) : row.fix ? textOf(row.fix) : null,
    code: row.error?.code ?? null,
  };
}

/** One field of the report: no "|" and no line breaks, so every row stays one line with five fields. */
export function cleanField(value) {
  if (value === null || value === undefined) return '-';
  const cleaned = String(value).replace(/\|/g, '/').replace(/[\x00-\x20\x7f]+/g, ' ').trim();
  return cleaned === '' ? '-' : cleaned;
}

/** "2026-12-05T03:12:45Z" (UTC, whole seconds). */
export function reportDate(date) {
  return new Date(date).toISOString().replace(/\.\d+Z$/, 'Z');
}

/** A component's version with its protocol when known: "1.0.0 (protocol 1)". */
export function versionText(part) {
  if (!part) return null;
  if (typeof part === 'string') return part;
  if (!part.version) return null;
  return part.protocol === undefined || part.protocol === null ? String(part.version) : `${part.version} (protocol ${part.protocol})`;
}

/** Rows in the order the page shows them: by group, then as built. */
export function rowsInDisplayOrder(rows) {
  return GROUPS.flatMap((group) => rows.filter((row) => row.group === group));
}

/**
 * The report.
 * @param {object} report
 * @param {object[]} report.rows rows of buildRows()
 * @param {ReturnType<import('./catalogue.js').createTranslator>} report.translator the report's language
 * @param {Date|string|number} report.date when the check ran
 * @param {{browser?: string|null, os?: string|null, extension?: string|null, host?: string|null,
 *          pageLibrary?: string|null}} [report.facts] header values (see reportFacts)
 * @returns {string}
 */
export function reportText({rows, translator, date, facts = {}}) {
  const counts = summarize(rows);
  const lines = [
    `CertBridge environment report, format ${REPORT_FORMAT}`,
    `date: ${cleanField(reportDate(date))}`,
    `language: ${cleanField(translator.language)}`,
    `browser: ${cleanField(facts.browser)}`,
    `os: ${cleanField(facts.os)}`,
    `extension: ${cleanField(facts.extension)}`,
    `host: ${cleanField(facts.host)}`,
    `page library: ${cleanField(facts.pageLibrary)}`,
    `summary: error=${counts.error} warning=${counts.warning} unknown=${counts.unknown} ok=${counts.ok}`,
    '',
  ];
  for (const row of rowsInDisplayOrder(rows)) {
    const texts = rowTexts(row, translator);
    const detail = [texts.problem, ...texts.details].filter((part) => part !== null && part !== '').join('; ');
    lines.push([STATE_WORDS[row.status] ?? 'UNKNOWN', texts.title, detail, texts.code, texts.fix].map(cleanField).join(' | '));
  }
  return `${lines.join('\n')}\n`;
}
