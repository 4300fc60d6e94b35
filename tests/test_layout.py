"""The test tree's own rule: test modules have unique file names.

``tests/`` has no packages (suites import helpers by module name, e.g.
``loop_thread``), so pytest imports every test file by its basename: two files
of one name in different folders stop the whole run at collection.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path


def test_test_module_names_are_unique() -> None:
    seen: dict[str, list[str]] = defaultdict(list)
    root = Path(__file__).parent
    for path in root.rglob("test_*.py"):
        seen[path.name].append(str(path.relative_to(root)))
    clashes = {name: paths for name, paths in seen.items() if len(paths) > 1}
    assert not clashes, f"rename one of each: {clashes}"
