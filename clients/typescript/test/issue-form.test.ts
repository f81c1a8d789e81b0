// issueFormUrl, read back with URL and URLSearchParams: from the real `--report --json` of every
// interpreter, and from constructed reports for what a real one rarely holds.

import assert from "node:assert/strict";
import os from "node:os";
import { describe, test } from "node:test";
import { BUG_REPORT_TEMPLATE, ISSUE_FORM_FIELDS, issueFormUrl, probePython, probeReport } from "../src/index.js";
import { MAX_FIELD_LENGTH } from "../src/issue-form.js";
import { BLOCK_PREFIX, framedObject, REPORT_PREFIX } from "../src/frame.js";
import {
  BUNDLE,
  cleanEnv,
  HOSTILE_SITECUSTOMIZE,
  INTERPRETERS,
  rawRun,
  reportSchemaErrors,
  withStartupHook,
} from "./support.js";

const NEW_ISSUE = "https://github.com/fastapi/fastapi-vscode/issues/new";

/** The form's fields in *url*, after checking it opens the bug form of the extension's repository. */
function formOf(url: string): Record<string, string> {
  const parsed = new URL(url);
  assert.equal(`${parsed.origin}${parsed.pathname}`, NEW_ISSUE);
  assert.equal(parsed.searchParams.get("template"), BUG_REPORT_TEMPLATE);
  const fields = Object.fromEntries(
    [...parsed.searchParams].filter(([name]) => name !== "template" && name !== "labels"),
  );
  for (const name of Object.keys(fields)) assert.ok((ISSUE_FORM_FIELDS as readonly string[]).includes(name), name);
  return fields;
}

const form = (issueForm: Record<string, unknown>): Record<string, string> =>
  formOf(issueFormUrl({ issue_form: issueForm }, NEW_ISSUE));

describe("from the real report", { concurrency: true }, () => {
  for (const { python, supported } of INTERPRETERS.filter((interpreter) => interpreter.supported)) {
    test(python, async () => {
      const report = await probeReport(python, BUNDLE, { env: cleanEnv() });
      if (report === undefined) {
        const raw = await rawRun(python, ["--report", "--json"], cleanEnv());
        assert.fail(`no report (exit ${raw.code}): ${raw.stderr}`);
      }
      assert.ok(supported);
      // The bundle ships probe/report/schema.json: every report is validated against it.
      assert.deepEqual(reportSchemaErrors(report), []);
      assert.deepEqual(report["deadline"], { seconds: 10, passed: false, not_checked: [] });
      // One line, the last of stdout, found by the block's rule with the report's prefix.
      const raw = await rawRun(python, ["--report", "--json"], cleanEnv());
      assert.ok(raw.stdout.endsWith("\n") && raw.stdout.trimEnd().split("\n").at(-1)!.startsWith(REPORT_PREFIX));
      const block = await probePython(python, BUNDLE, { env: cleanEnv() });
      assert.ok(block !== undefined);
      const url = issueFormUrl(report, NEW_ISSUE);
      const fields = formOf(url);
      assert.equal(fields["python-version"], block.python_version);
      const fastapi = block.fastapi_version;
      assert.equal(
        fields["fastapi-version"],
        typeof fastapi === "string" && fastapi !== "unknown" ? fastapi : undefined,
      );
      assert.ok(fields["os"], "no OS");
      assert.equal(fields["os"], (report.issue_form as Record<string, string>)["os"]);
      // A name of one to three letters could be part of an OS name by chance.
      const names = [os.userInfo().username, os.hostname()].filter((name) => name.length > 3);
      for (const secret of [os.homedir(), BUNDLE, ...names]) {
        assert.ok(!decodeURIComponent(url).includes(secret), `the URL holds ${secret}`);
      }
      assert.ok(url.length < 500, `${url.length} characters`);
      // Start-up hooks that print, JSON too, and leave a line without a newline: the same report.
      const hostile = await probeReport(python, BUNDLE, { env: withStartupHook(HOSTILE_SITECUSTOMIZE) });
      assert.deepEqual(hostile?.issue_form, report.issue_form);
    });
  }
});

describe("from constructed reports", () => {
  test("every field, spelled as the form wants it, read back as it went in", () => {
    const values = { "python-version": "3.13.0", "fastapi-version": "0.115.0", os: "Debian GNU/Linux 12 & co = #1?" };
    assert.deepEqual(form(values), values);
  });

  test("fastapi not installed, or no issue_form at all: the field is left for the user", () => {
    assert.deepEqual(form({ "python-version": "3.12.2", "fastapi-version": "", os: "Windows 11" }), {
      "python-version": "3.12.2",
      os: "Windows 11",
    });
    assert.deepEqual(form({ "python-version": "3.12.2", os: "macOS 15.3" }), {
      "python-version": "3.12.2",
      os: "macOS 15.3",
    });
    assert.deepEqual(formOf(issueFormUrl({}, NEW_ISSUE)), {});
    assert.deepEqual(formOf(issueFormUrl({ issue_form: null } as never, NEW_ISSUE)), {});
  });

  test("long values: an OS name is cut, a version too long to be one is dropped", () => {
    const fields = form({
      "python-version": `3.${"1".repeat(70)}`,
      "fastapi-version": "0.115.0",
      os: `Ubuntu ${"x".repeat(300)}`,
    });
    assert.equal(fields["python-version"], undefined);
    assert.equal(fields["os"]?.length, MAX_FIELD_LENGTH);
    const longest = issueFormUrl(
      { issue_form: { "python-version": "1".repeat(64), "fastapi-version": "2".repeat(64), os: "é&".repeat(500) } },
      NEW_ISSUE,
    );
    assert.ok(longest.length < 1000, `${longest.length} characters`);
  });

  test("anything that looks like a path, an address or not text is dropped", () => {
    for (const value of [
      "/home/alice/.venv/bin/python",
      "C:\\Users\\alice\\AppData",
      "C:/Users/alice",
      "~/project",
      "~alice",
      "./venv",
      "../venv",
      "home/alice/venv",
      "\\\\server\\share",
      "https://example.com/x",
      "alice@laptop",
      "Ubuntu 24.04 /home/alice",
      "3.12.1\nalice",
    ]) {
      assert.deepEqual(form({ "python-version": value, "fastapi-version": value, os: value }), {}, value);
    }
    assert.deepEqual(form({ "python-version": 3.12, "fastapi-version": null, os: ["Linux"] }), {});
  });

  test("a version field holds only what a version is made of", () => {
    assert.deepEqual(form({ "python-version": "3.14.0rc1", "fastapi-version": "1!2.0.post1.dev3" }), {
      "python-version": "3.14.0rc1",
      "fastapi-version": "1!2.0.post1.dev3",
    });
    assert.deepEqual(form({ "python-version": "3.12 (main)", "fastapi-version": "0.115.0 beta" }), {});
  });

  test("the new-issue URL's own query is kept, and the report cannot replace the template", () => {
    const url = new URL(
      issueFormUrl(
        { issue_form: { os: "Windows 11", template: "other.yml" } },
        `${NEW_ISSUE}?labels=bug&template=old.yml&os=old`,
      ),
    );
    assert.equal(url.searchParams.get("labels"), "bug");
    assert.deepEqual(url.searchParams.getAll("template"), [BUG_REPORT_TEMPLATE]);
    assert.deepEqual(url.searchParams.getAll("os"), ["Windows 11"]);
  });
});

test("the report and the block are framed by one rule: the last line that starts with the prefix", () => {
  const report = { report_schema_version: 1, python: { version: "3.12.1" }, issue_form: { os: "Windows 11" } };
  const block = { probe_schema_version: 1, probe_status: "ok" };
  const stdout =
    `a hook's line\r\n${JSON.stringify({ ...report, hostile: true })}\nno newline` +
    `\n${JSON.stringify(report)}\r\n${JSON.stringify(block)}\n`;
  assert.deepEqual(framedObject(stdout, REPORT_PREFIX), report);
  assert.deepEqual(framedObject(stdout, BLOCK_PREFIX), block);
  // The probe writes a newline before its line: one joined to a hook's output does not frame.
  assert.equal(framedObject(`no newline${JSON.stringify(report)}\n`, REPORT_PREFIX), undefined);
  // Indented, as the report once was, it does not frame: the line that starts it is only "{".
  assert.equal(framedObject(JSON.stringify(report, null, 2), REPORT_PREFIX), undefined);
  assert.equal(framedObject(`${JSON.stringify(report)}\n{"report_schema_version":1,"cut`, REPORT_PREFIX), undefined);
  assert.equal(framedObject(' {"report_schema_version":1}', REPORT_PREFIX), undefined, "the prefix starts the line");
  assert.equal(framedObject("", REPORT_PREFIX), undefined);
});
