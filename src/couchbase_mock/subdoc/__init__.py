"""Sub-document operations and extended attributes, as the data service does them.

- :mod:`.path`: path syntax and its limits;
- :mod:`.operations`: the operations on a parsed JSON tree (they decide
  errors and results);
- :mod:`.jsontext`: where a path lies in the JSON text, and splices of it;
  :mod:`.body`: a body mutation checked on the tree and made on the text, so
  only the changed path's bytes change;
- :mod:`.xattrs`: X-Keys, virtual attributes, macros; :mod:`.crc32c`;
- :mod:`.spec`: requests decoded and checked; :mod:`.execute`: run against a
  document; :mod:`.handlers`: the KV commands (``SUBDOC_HANDLERS``).
"""

from __future__ import annotations
