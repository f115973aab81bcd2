"""Holds JUnit results to the list of checks that pass.

Usage: check.py PASSING_TXT RESULT.xml...

A check is named `python: MODULE::TEST` (pytest) or `node: SUITE::TEST` (node --test). Every
check listed in PASSING_TXT must be present and pass; a listed check that failed, errored, was
skipped or did not run fails the run. A failing check that is not listed is reported and does
not fail the run (it is a known gap, written down where the suite says so); a passing check that
is not listed is reported so that it gets added.
"""

import sys
import xml.etree.ElementTree as ET
from pathlib import Path


def outcomes(path):
    """Yields (check name, outcome) for every test case in one JUnit file."""
    language = "node" if path.name.startswith("node") else "python"
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as error:
        # A suite that crashed before writing its results: its checks count as not run.
        print(f"no results in {path}: {error}")
        return

    def walk(element, suites):
        for child in element:
            if child.tag == "testsuite":
                yield from walk(child, suites + [child.get("name", "")])
            elif child.tag == "testcase":
                if language == "python":
                    group = child.get("classname", "")
                else:
                    group = " > ".join(s for s in suites if s) or "(top level)"
                if child.find("failure") is not None or child.find("error") is not None:
                    outcome = "failed"
                elif child.find("skipped") is not None:
                    outcome = "skipped"
                else:
                    outcome = "passed"
                yield f"{language}: {group}::{child.get('name')}", outcome

    yield from walk(root, [])


def main():
    listed = [
        line.strip()
        for line in Path(sys.argv[1]).read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    seen = {}
    for path in sys.argv[2:]:
        seen.update(outcomes(Path(path)))

    broken = [name for name in listed if seen.get(name) != "passed"]
    unlisted_passing = sorted(n for n, o in seen.items() if o == "passed" and n not in listed)
    unlisted_failing = sorted(n for n, o in seen.items() if o != "passed" and n not in listed)

    for name in unlisted_failing:
        print(f"known gap ({seen[name]}): {name}")
    for name in unlisted_passing:
        print(f"passes but is not in passing.txt, add it: {name}")
    for name in broken:
        print(f"REGRESSION ({seen.get(name, 'did not run')}): {name}")
    passed = sum(1 for o in seen.values() if o == "passed")
    print(f"{passed} of {len(seen)} checks passed; {len(listed) - len(broken)} of {len(listed)} listed checks passed")
    return 1 if broken or not listed else 0


if __name__ == "__main__":
    sys.exit(main())
