"""The beer-sample web application of the developer guide, ready to run.

    python examples/beer/beer.py            # on a local cluster with beer-sample
    python examples/beer/beer.py --connstr couchbase://db.example.com \\
        --username Administrator --password secret

Without ``--connstr`` it starts the embedded local cluster
(``couchbase_mock.MockCluster``) with the ``beer-sample`` sample bucket. Either
way it creates the design documents the application queries (``beer/by_name``,
``brewery/by_name``, ``beer/by_brewery``), then serves the pages and prints
their URL. Needs Flask: ``pip install 'couchbase-pure[beer-app]'``.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from beersample.cli import main  # noqa: E402

if __name__ == "__main__":
    main()
