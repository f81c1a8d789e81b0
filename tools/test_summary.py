"""Print one closing line for the whole run from the JUnit files the nox test sessions wrote.

    python3 tools/test_summary.py .nox/junit

nox runs pytest once per interpreter, and Node's test runner once, so the run's output holds
one summary per session; this adds them up into the plain line CI reads:
``tests: N passed, N failed, N skipped``.
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path


def count(folder: Path) -> tuple[int, int, int]:
    """Passed, failed and skipped test cases, counted one by one.

    Node's JUnit reporter nests suites and puts top-level tests straight under
    ``<testsuites>``, so the ``<testsuite>`` totals would count some twice and miss others.
    """
    passed = failed = skipped = 0
    for path in sorted(folder.glob("*.xml")):
        for case in ElementTree.parse(path).getroot().iter("testcase"):
            if case.find("failure") is not None or case.find("error") is not None:
                failed += 1
            elif case.find("skipped") is not None:
                skipped += 1
            else:
                passed += 1
    return passed, failed, skipped


def main(argv: list[str]) -> int:
    folder = Path(argv[1] if len(argv) > 1 else ".nox/junit")
    if not any(folder.glob("*.xml")):
        print("tests: 0 passed, 1 failed (no JUnit report was written)")
        return 1
    passed, failed, skipped = count(folder)
    print(f"tests: {passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
