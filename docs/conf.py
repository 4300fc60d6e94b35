"""Sphinx configuration of the couchbase-pure user guide (``make docs``).

The pages are Markdown (MyST); the API reference is autodoc over the installed
``src/`` packages. The build runs with ``-W`` in tests/docs/test_docs_build.py:
a warning fails it.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

project = "couchbase-pure"
author = "couchbase-pure contributors"
copyright = "couchbase-pure contributors"

extensions = ["myst_parser", "sphinx.ext.autodoc", "sphinx.ext.viewcode"]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build"]

# ::: fences for directives (toctree) keep ``` for code only, which is what
# tests/docs/test_docs_run.py parses.
myst_enable_extensions = ["colon_fence"]
# Headings become link targets, so [text](page.md#a-heading) resolves.
myst_heading_anchors = 3

autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"members": True, "undoc-members": False}

# alabaster: Sphinx's own theme, so the docs extra needs nothing beyond Sphinx
# and MyST (fewer packages for CI to install, nothing to pin).
html_theme = "alabaster"
html_theme_options = {"description": "A pure-Python Couchbase SDK and local cluster"}
