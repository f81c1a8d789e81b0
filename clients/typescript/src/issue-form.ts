// The extension's "Report Issue" command, prefilled: a GitHub issue form URL,
// `<new issue URL>?template=<file>&<field id>=<value>...`, from `python -m probe --report --json`.

import type { ProbeReport } from "./probe.js";

/** The extension repository's bug form: `.github/ISSUE_TEMPLATE/bug_report.yml`. */
export const BUG_REPORT_TEMPLATE = "bug_report.yml";

/** The ids of that form's fields the report fills, as the report's `issue_form` names them. */
export const ISSUE_FORM_FIELDS = ["python-version", "fastapi-version", "os"] as const;
export type IssueFormField = (typeof ISSUE_FORM_FIELDS)[number];

const VERSION_FIELDS: ReadonlySet<IssueFormField> = new Set(["python-version", "fastapi-version"]);
/** Each value is at most this long (the block's versions are too), so the URL stays short. */
export const MAX_FIELD_LENGTH = 64;
const VERSION = /^[A-Za-z0-9][A-Za-z0-9.!+_-]*$/;
// A backslash, `~`, `:` (drives, URLs), `@` (user@host), a word that starts with `/` or `.`,
// or a word with two `/`: a path or an address, never a version or an OS name ("GNU/Linux").
const PATH_LIKE = /[\\~:@]|(^|\s)[/.]|\/\S*\//;
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * The value to put in the form for *field*, or undefined to leave the field empty: only a string,
 * with its spaces tidied; not a path; a version field only when it looks like a version of at most
 * {@link MAX_FIELD_LENGTH} characters (a version cut short would be another version); any other
 * field cut to that length.
 */
export function formValue(field: IssueFormField, value: unknown): string | undefined {
  if (typeof value !== "string" || CONTROL.test(value)) return undefined;
  const text = value.trim().replace(/\s+/g, " ");
  if (text === "" || PATH_LIKE.test(text)) return undefined;
  if (VERSION_FIELDS.has(field)) {
    return text.length <= MAX_FIELD_LENGTH && VERSION.test(text) ? text : undefined;
  }
  return text.slice(0, MAX_FIELD_LENGTH).trimEnd();
}

/**
 * The URL that opens the bug form of the repository whose new-issue page is *newIssueUrl*
 * (`https://github.com/fastapi/fastapi-vscode/issues/new`; its own query, such as `labels=bug`, is
 * kept) with the fields of `report.issue_form` filled in. Only those fields, and only values that
 * pass {@link formValue}; a field without one is left out, for the user to fill.
 */
export function issueFormUrl(report: ProbeReport, newIssueUrl: string): string {
  const url = new URL(newIssueUrl);
  url.searchParams.set("template", BUG_REPORT_TEMPLATE);
  const form = report.issue_form;
  for (const field of ISSUE_FORM_FIELDS) {
    url.searchParams.delete(field);
    const value = typeof form === "object" && form !== null ? formValue(field, form[field]) : undefined;
    if (value !== undefined) url.searchParams.set(field, value);
  }
  return url.href;
}
