"""The search (FTS) service of the local cluster: index definitions over REST,
analyzers, an incrementally updated inverted index, queries, facets, sort.

See :mod:`.service` for the HTTP side, :mod:`.mapping` for definitions,
:mod:`.index` for the index, :mod:`.query` and :mod:`.querystring` for the
queries and :mod:`.results` for what a search answers.
"""
