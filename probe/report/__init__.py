"""``python -m probe --report``: a report to paste into a bug report, as Markdown or (``--json``) JSON.

Off the hot path, so it may import more of the standard library, always through
:func:`probe.files.import_stdlib` (a ``plistlib.py`` planted on ``sys.path`` is never run),
and psutil when it is installed. No path is shown unless ``--paths`` is given. It ends within
its deadline (``--timeout``, :mod:`.deadline`), and stops at once on Ctrl-C or SIGTERM (:mod:`.interrupt`).

One module per concept: :mod:`.assembly` gathers the facts that :mod:`.markdown` renders (and
:func:`report_json` encodes, as ``schema.json`` describes); :mod:`.requirements` checks
the products' requirements with the vendored packaging;
:mod:`.findings` and :mod:`.notices` are about the products; :mod:`.operating_system`,
:mod:`.architecture` and :mod:`.hardware` about the machine; :mod:`.python_build` and
:mod:`.environment` about the interpreter.
"""

# The JSON report's framing: one line that starts with this, as the block's starts with
# ``{"probe_schema_version":`` (probe.output), so one rule finds either.
FRAME_PREFIX = '{"report_schema_version":'


def report(paths: bool, timeout: float) -> str:
    """The report as Markdown, within *timeout* seconds; with *paths*, also where the interpreter and packages live."""
    from probe.report.assembly import gather_facts
    from probe.report.markdown import render_markdown

    return render_markdown(gather_facts(paths, timeout))


def report_json(paths: bool, timeout: float) -> str:
    """The report's facts as one line of JSON (``probe/report/schema.json``), ASCII only, after a newline.

    Framed as the block is (:func:`probe.output.write_block`): the last line of stdout that starts
    with :data:`FRAME_PREFIX`. The newline before it keeps a start-up hook's output left without one
    from joining it; nothing is written after it.
    """
    from probe.files import import_stdlib
    from probe.report.assembly import gather_facts

    json = import_stdlib("json")  # before the deadline starts: a hook's slow finder must not delay the answer
    return "\n" + str(json.dumps(gather_facts(paths, timeout), separators=(",", ":"))) + "\n"
