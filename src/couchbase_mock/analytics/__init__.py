"""The analytics service of the local cluster (``cbas``, port 8095 on a real node).

:mod:`.datasets` holds dataverses, datasets kept in step with KV and links;
:mod:`.ddl` runs the DDL statements; :mod:`.query` runs SELECTs with the
N1QL engine over the datasets; :mod:`.service` is the HTTP API.
"""
