"""Sample buckets for the local cluster, generated reproducibly (no download).

``beer-sample`` (:mod:`.beer`), ``travel-sample`` (:mod:`.travel`) and
``gamesim-sample`` (:mod:`.gamesim`) have the keys, fields, scopes,
collections, design documents and indexes of the server's sample buckets,
with made-up but plausible values, the same on every install. Install them
with ``POST /sampleBuckets/install`` (:mod:`.rest`),
``python -m couchbase_mock --sample beer-sample`` or
``MockCluster(samples=["beer-sample"])`` (see :mod:`.install`).
"""

from __future__ import annotations

from .dataset import Sample
from .install import SAMPLES, SampleError, install, install_missing

__all__ = ["SAMPLES", "Sample", "SampleError", "install", "install_missing"]
