"""Names of the transaction protocol: the fields of an active transaction record
(ATR) entry and of a document's ``txn`` extended attribute, and the states.

They are short on purpose (an ATR holds many entries) and shared with every
Couchbase SDK, so a transaction staged by one is understood by the others.
"""

from __future__ import annotations

# -- an ATR: one xattr "attempts", an entry per attempt ----------------------------------
ATTEMPTS = "attempts"
TXN_ID = "tid"  # the transaction the attempt belongs to
STATE = "st"
START = "tst"  # ${Mutation.CAS} of the write that set PENDING: the server's clock
EXPIRES_MS = "exp"  # milliseconds after START the attempt may still run
COMMIT_START = "tsc"
COMPLETE_START = "tsco"
ROLLBACK_START = "tsrs"
ROLLBACK_COMPLETE = "tsrc"
INSERTED = "ins"  # lists of {"id", "bkt", "scp", "col"}
REPLACED = "rep"
REMOVED = "rem"
DURABILITY = "d"
FORWARD_COMPAT = "fc"
DOC_ID, DOC_BUCKET, DOC_SCOPE, DOC_COLLECTION = "id", "bkt", "scp", "col"

# -- a document's staged mutation: the "txn" xattr ----------------------------------------
TXN = "txn"
TXN_TXN_ID = "txn.id.txn"
TXN_ATTEMPT_ID = "txn.id.atmpt"
TXN_OP_ID = "txn.id.op"
TXN_ATR_ID = "txn.atr.id"
TXN_ATR_BUCKET = "txn.atr.bkt"
TXN_ATR_SCOPE = "txn.atr.scp"
TXN_ATR_COLLECTION = "txn.atr.coll"
TXN_OP_TYPE = "txn.op.type"
TXN_STAGED = "txn.op.stgd"
TXN_CRC32 = "txn.op.crc32"
TXN_FORWARD_COMPAT = "txn.fc"
TXN_RESTORE_CAS = "txn.restore.CAS"
TXN_RESTORE_EXPTIME = "txn.restore.exptime"
TXN_RESTORE_REVID = "txn.restore.revid"

# -- staged operation types --------------------------------------------------------------
INSERT, REPLACE, REMOVE = "insert", "replace", "remove"

# -- attempt states, in an ATR entry --------------------------------------------------------
NOT_STARTED = "NOT_STARTED"
PENDING = "PENDING"
ABORTED = "ABORTED"
COMMITTED = "COMMITTED"
COMPLETED = "COMPLETED"
ROLLED_BACK = "ROLLED_BACK"

# -- server macros a mutation expands into xattr values -----------------------------------
MACRO_CAS = "${Mutation.CAS}"
MACRO_CRC32C = "${Mutation.value_crc32c}"
DOC_CAS = "${$document.CAS}"
DOC_EXPTIME = "${$document.exptime}"
DOC_REVID = "${$document.revid}"

# -- the durability level of an attempt, as an ATR entry spells it -----------------------
DURABILITY_CODES = {0: "n", 1: "m", 2: "pa", 3: "pm"}
