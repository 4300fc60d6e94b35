"""The error catalogue FINDERR() searches (metafun.adoc, FINDERR; n1ql-error-codes.adoc).

One entry per code the local cluster's query engine and service raise (and the
cbq shell's codes the error page lists), worded like the server's catalogue:
``description`` with «placeholders», ``reason`` and ``user_action`` lists (an
item may be a list of lines: a cause and its example), ``user_error`` Yes/No/Maybe.
The ``symbol`` is searched but never shown, as the page says.
"""

from __future__ import annotations

from typing import Any, Optional, Union

from .regex import RegexError
from .regex import compile as compile_regex

Lines = list[Union[str, list[str]]]

_Y, _N, _M = "Yes", "No", "Maybe"


class Entry:
    __slots__ = ("code", "symbol", "description", "reason", "user_action", "user_error",
                 "applies_to")

    def __init__(self, code: int, symbol: str, description: str, reason: Optional[Lines] = None,
                 user_action: Optional[Lines] = None, user_error: Optional[str] = None,
                 applies_to: str = "Server") -> None:
        self.code = code
        self.symbol = symbol
        self.description = description
        self.reason = reason
        self.user_action = user_action
        self.user_error = user_error
        self.applies_to = applies_to

    def shown(self) -> dict[str, Any]:
        """The entry as FINDERR returns it (fields in the page's order, the symbol left out)."""
        out: dict[str, Any] = {"applies_to": self.applies_to, "code": self.code,
                               "description": self.description}
        if self.reason is not None:
            out["reason"] = [list(r) if isinstance(r, list) else r for r in self.reason]
        if self.user_action is not None:
            out["user_action"] = [list(r) if isinstance(r, list) else r for r in self.user_action]
        if self.user_error is not None:
            out["user_error"] = self.user_error
        return out

    def texts(self) -> list[str]:
        """Every field a search looks at: all but ``user_error``."""
        out = [self.symbol, self.description]
        for lines in (self.reason or []), (self.user_action or []):
            for item in lines:
                out.extend(item if isinstance(item, list) else [item])
        return out


_REVISE = "Revise the statement and re-submit."
_SUPPORT = "Contact support."

CATALOG: list[Entry] = [
    # -- service (1xxx)
    Entry(1000, "E_SERVICE_READONLY", "The server or request is read-only and cannot accept "
          "this write statement.", ["A write statement was sent with readonly=true, or as a "
          "GET request."], ["Send the statement as a POST request without readonly=true."], _Y),
    Entry(1010, "E_SERVICE_HTTP_UNSUPPORTED_METHOD", "Unsupported http method: «method»",
          ["The REST endpoint does not accept the HTTP method used."],
          ["Use a method the endpoint documents."], _Y),
    Entry(1040, "E_SERVICE_BAD_VALUE", "Error processing «feature»",
          ["A request parameter's value could not be used: a duration that does not "
           "parse, an unknown scan_consistency or durability_level."],
          ["Send the parameter in the form the query settings reference gives."], _Y),
    Entry(1050, "E_SERVICE_NO_VALUE", "No «feature» value",
          ["The request has neither a statement nor a prepared statement name."],
          ["Include a statement or a prepared parameter in the request."], _Y),
    Entry(1060, "E_SERVICE_MULTIPLE_VALUES", "Multiple values for «feature».",
          ["A request parameter was given more than once, or in a form it does not take."],
          ["Send each request parameter once."], _Y),
    Entry(1065, "E_SERVICE_UNRECOGNIZED_PARAMETER", "Unrecognized parameter in request: "
          "«parameter»", ["The request names a parameter the query service does not know."],
          ["Check the spelling of the request parameters."], _Y),
    Entry(1070, "E_SERVICE_TYPE_MISMATCH", "«feature» has to be of type «type»",
          ["A request parameter has the wrong JSON type (txid not a string, tximplicit "
           "not a boolean, args not an array...)."],
          ["Send the parameter with the type the query settings reference gives."], _Y),
    Entry(1080, "E_SERVICE_TIMEOUT", "Timeout «duration» exceeded",
          ["The statement ran longer than the request's timeout or the node's timeout setting."],
          ["Raise the timeout, add an index, or reduce the work the statement does."], _M),
    # -- admin (2xxx)
    Entry(2180, "E_ADMIN_SETTING", "Invalid admin setting: «setting»",
          ["A value sent to the /admin/settings endpoint is not of the right type or range."],
          ["Correct the setting's value."], _Y),
    # -- parse (3xxx)
    Entry(3000, "E_PARSE_SYNTAX", "syntax error - «details»",
          ["The statement does not follow the SQL++ grammar."],
          ["Correct the statement at the position the message gives."], _Y),
    Entry(3006, "E_PARSE_INVALID_ESCAPE", "invalid escape sequence",
          ["A string literal contains a backslash escape SQL++ does not know."],
          ["Use one of the JSON escape sequences."], _Y),
    Entry(3080, "E_AMBIGUOUS_REFERENCE", "Ambiguous reference to field «name»«where».",
          ["A field name without its keyspace alias was used where more than one keyspace "
           "is in scope."], ["Qualify the field with the alias of its keyspace."], _Y),
    Entry(3100, "E_SEMANTICS", "A semantic error is present in the statement.",
          ["The statement includes portions that violate semantic constraints."],
          ["The cause will contain more detail on the violation; revise the statement "
           "and re-submit."], _Y),
    Entry(3150, "E_MERGE_INSERT_NO_KEY", "MERGE with ON KEY clause cannot have document key "
          "specification in INSERT action.",
          [["A lookup merge statement specified a document key.",
            "e.g. MERGE INTO default USING [{},{}] AS source ON KEY 'aaa' WHEN NOT MATCHED "
            "THEN INSERT ('key',{})"]],
          ["Refer to the documentation for lookup merge statements."], _Y),
    # (joins: join.adoc; joinrules.py)
    Entry(3110, "E_JOIN_NEST_NO_JOIN_HINT", "«op» on «alias» cannot have join hint (USE HASH "
          "or USE NL)", ["A lookup or index join or nest carries a join hint; only ANSI "
          "joins and nests take them."], ["Remove the hint or write an ANSI join."], _Y),
    Entry(3120, "E_JOIN_NEST_NO_USE_KEYS", "«op» on «alias» cannot have USE KEYS.",
          ["The right-hand side of a lookup or index join or nest has USE KEYS."],
          ["Remove USE KEYS from that term."], _Y),
    Entry(3200, "E_MIXED_JOIN", "Cannot mix «op1» on «alias1» with «op2» on «alias2».",
          ["One FROM clause has ANSI joins (ON expr) and lookup or index joins (ON KEYS, "
           "ON KEY ... FOR)."], ["Use one kind of join throughout the FROM clause."], _Y),
    Entry(3220, "E_WINDOW_SEMANTIC", "«name» window function «clause» «reason»",
          ["A violation of the window function semantic restrictions was present in the "
           "statement."], ["Revise the statement to remove the violation."], _Y),
    Entry(3290, "E_JOIN_HINT_FIRST_FROM_TERM", "Join hint (USE HASH or USE NL) cannot be "
          "specified on the first from term «term»", ["The first FROM term, the left-hand "
          "side of the first join, carries USE HASH or USE NL."],
          ["Put the hint on the right-hand side of the join."], _Y),
    Entry(3300, "E_RECURSIVE_WITH_SEMANTIC", "recursive_with semantics: «cause»",
          ["The statement specifies restricted syntax in a recursive common table expression "
           "definition."], ["Revise the statement removing the restricted syntax."], _Y),
    Entry(3307, "E_CYCLE_FIELDS_VALIDATION", "Cycle fields validation failed for with term: "
          "«name» - cause: «cause»", ["A CYCLE clause names something other than a field "
          "path of the recursive term."], ["List field paths in the CYCLE clause."], _Y),
    # -- plan (4xxx)
    Entry(4000, "E_PLAN", "No index available on keyspace «keyspace» that matches your query. "
          "Use CREATE PRIMARY INDEX ON «keyspace» to create a primary index, or check that "
          "your expected index is online.", ["No index can serve the statement's keyspace."],
          ["Create a primary index or an index that matches the predicate."], _Y),
    Entry(4020, "E_DUPLICATE_ALIAS", "Duplicate «what» alias «alias»",
          ["A subquery's FROM term has an alias (implicit or explicit) that an enclosing "
           "query block already binds (subqueries.adoc Q6B)."],
          ["Give the subquery's FROM term an alias of its own."], _Y),
    Entry(4025, "E_UNKNOWN_FOR", "Unknown keyspace for alias «alias»",
          ["The FOR alias of an index join (ON KEY ... FOR alias) names no earlier FROM "
           "term."], ["Name the left-hand keyspace's alias after FOR."], _Y),
    Entry(4040, "E_NO_SUCH_PREPARED", "No such prepared statement: «name»",
          ["The prepared statement was never prepared on this node, or has been deleted."],
          ["Prepare the statement again."], _Y),
    Entry(4060, "E_PREPARED_NAME", "Unable to add name: duplicate name: «name»",
          ["PREPARE gave a name that another statement text already has (prepare.adoc, "
           "Statement Cache)."], ["Use another name, or the statement's own text."], _Y),
    Entry(4070, "E_PREPARED_DECODING", "Unable to decode prepared statement «name»",
          ["The encoded_plan parameter is not a plan this service encoded."],
          ["Send the encoded plan as the PREPARE statement returned it."], _Y),
    Entry(4100, "E_NO_INDEX_JOIN", "No index available for join term «alias»",
          ["An index join or nest (ON KEY rhs.key FOR lhs) needs an index of the right-hand "
           "keyspace whose leading key is the ON KEY expression."],
          ["Create that index."], _Y),
    Entry(4210, "E_NOT_GROUP_KEY_OR_AGG", "Expression «expression» must depend only on group "
          "keys or aggregates.", ["A projection of a grouped query uses a field that is "
          "neither a GROUP BY key nor inside an aggregate."],
          ["Add the expression to GROUP BY or aggregate it."], _Y),
    Entry(4300, "E_INDEX_ALREADY_EXISTS", "The index «name» already exists.",
          ["An index of that name is already defined on the keyspace."],
          ["Use another name, or IF NOT EXISTS."], _Y),
    Entry(4330, "E_NO_ANSI_JOIN", "No index available for ANSI «join» term «alias»",
          ["The right-hand keyspace of an ANSI JOIN or NEST has no index the ON clause "
           "can use."], ["Create an index on the join key, or a primary index."], _Y),
    # -- execution (5xxx)
    Entry(5000, "E_INTERNAL", "Internal Error: «details»",
          ["An unexpected condition occurred while the statement ran."], [_SUPPORT], _N),
    Entry(5003, "E_EXECUTE_PARAMETERS", "cannot have both USING clause and request parameters",
          ["EXECUTE ... USING was sent with request-level parameters too (execute.adoc)."],
          ["Give the parameters in one place only."], _Y),
    Entry(5010, "E_EVALUATION", "Error evaluating «expression»«cause»",
          ["An expression could not be evaluated: a missing parameter, a statement that is "
           "not read-only in EVALUATE(), a CURL() URL that is not allowed..."],
          ["The cause gives the detail; correct the expression or its inputs."], _Y),
    Entry(5011, "E_EVALUATION_ABORT", "Abort: «reason»",
          [["The SQL++ abort() function was called in the statement.",
            "e.g. SELECT abort('An example cause')"]], None, _Y),
    Entry(5030, "E_INVALID_VALUE", "Invalid «what» value «value».",
          ["A LIMIT or OFFSET is not a non-negative integer."],
          ["Use a non-negative integer."], _Y),
    Entry(5035, "E_RANGE", "Out of range evaluating «function»",
          ["A function was asked to build a value larger than the node allows."],
          ["Reduce the size of the requested value."], _Y),
    Entry(5036, "W_DIVIDE_BY_ZERO", "Division by 0.",
          ["A division or modulo by zero in the statement gave NULL (a warning)."],
          ["Guard the divisor, e.g. with NULLIF()."], _Y),
    Entry(5070, "E_INSERT_KEY_TYPE", "Cannot INSERT non-string key «key» of type «type».",
          ["The document key of an INSERT is not a string."], ["Use a string key."], _Y),
    Entry(5072, "E_UPSERT_KEY", "No UPSERT key for «value»", None, [_SUPPORT]),
    Entry(5078, "E_UPSERT_KEY_TYPE", "Cannot UPSERT non-string key «key» of type «type».",
          ["The document key of an UPSERT is not a string."], ["Use a string key."], _Y),
    Entry(5100, "E_UPDATE_WHOLE_DOCUMENT", "Cannot SET or UNSET the whole document.",
          ["An UPDATE names the keyspace alias itself as the path to change."],
          ["Name a field path of the document."], _Y),
    # (users, groups, roles: statements/users.py; 5212-5218 are the local cluster's own)
    Entry(5210, "E_USER_NOT_FOUND", "Unable to find user «user».",
          ["GRANT, REVOKE, ALTER USER or DROP USER names a user that does not exist."],
          ["Create the user, or use DROP USER IF EXISTS."], _Y),
    Entry(5212, "E_USER_EXISTS", "User «user» already exists.",
          ["CREATE USER names a user that exists."], ["Use IF NOT EXISTS, or ALTER USER."], _Y),
    Entry(5214, "E_GROUP_NOT_FOUND", "Unable to find group «group».",
          ["A statement names a group that does not exist."],
          ["Create the group, or use DROP GROUP IF EXISTS."], _Y),
    Entry(5216, "E_GROUP_EXISTS", "Group «group» already exists.",
          ["CREATE GROUP names a group that exists."], ["Use IF NOT EXISTS, or ALTER GROUP."],
          _Y),
    Entry(5218, "E_MANAGEMENT_REFUSED", "«statement» failed: «reason»",
          ["The cluster manager refused the user, group or bucket change: a password shorter "
           "than 6 characters, a bad name, bucket settings out of range..."],
          ["Correct what the reason names."], _Y),
    Entry(5220, "E_ROLE_REQUIRES_KEYSPACE", "Role «role» requires a keyspace.",
          ["GRANT or REVOKE of a bucket or collection role without ON."],
          ["Name the keyspace with ON."], _Y),
    Entry(5230, "E_ROLE_TAKES_NO_KEYSPACE", "Role «role» does not take a keyspace.",
          ["A cluster-wide role is given with ON (parameterized and unparameterized roles "
           "mixed in one statement)."], ["Grant such roles in a statement without ON."], _Y),
    Entry(5240, "E_NO_SUCH_KEYSPACE", "Keyspace «keyspace» is not valid.",
          ["The role's bucket, scope or collection does not exist, or is finer than the role "
           "applies to."], ["Check the keyspace path."], _Y),
    Entry(5250, "E_ROLE_NOT_FOUND", "Role «role» is not valid.",
          ["The role name is not one of the RBAC roles."], ["Check the role's name."], _Y),
    Entry(5260, "W_ROLE_ALREADY_PRESENT", "User «user» already has role «role».",
          ["GRANT of a role the user or group holds: nothing changes."], None, _Y),
    Entry(5270, "W_ROLE_NOT_PRESENT", "User «user» did not have role «role».",
          ["REVOKE of a role the user or group does not hold: nothing changes."], None, _Y),
    Entry(5280, "W_USER_WITH_NO_ROLES", "User «user» has no roles. Connecting with this user "
          "may not be possible", ["REVOKE left the user with no roles."], None, _Y),
    Entry(5320, "E_MERGE_MULTI_UPDATE", "Multiple UPDATE/DELETE of the same document "
          "(document key '«key»') in a MERGE statement", ["More than one source row matched "
          "the same target document."], ["Make the MERGE condition match one source row per "
          "document."], _Y),
    Entry(5330, "E_MERGE_MULTI_INSERT", "Multiple INSERT of the same document (document key "
          "'«key»') in a MERGE statement", ["Two source rows insert the same key."],
          ["Make the keys of the inserted documents distinct."], _Y),
    Entry(5500, "E_MEMORY_QUOTA_EXCEEDED", "Request has exceeded memory quota",
          ["The documents and rows the request holds (sorts, groups, windows, WITH "
           "results...) are over its memory_quota (or the node's memory-quota)."],
          ["Raise memory_quota, or make the request hold less (LIMIT, filters, fewer "
           "fields)."], _Y),
    Entry(5503, "W_MISSING_KEY", "Key(s) in USE KEYS hint not found",
          ["USE KEYS VALIDATE names a key no document has (a warning)."],
          ["Check the keys in the USE KEYS clause."], _Y),
    # -- INFER (7xxx)
    Entry(7014, "E_INFER_OPTIONS", "INFER «option» «problem»",
          ["The WITH object of INFER has an option of the wrong type or value."],
          ["Correct the INFER options."], _Y),
    # -- authorization and functions (10xxx)
    Entry(10000, "E_DATASTORE_AUTHORIZATION", "Authentication Failed",
          ["The request's credentials are wrong or missing."],
          ["Send a valid user name and password."], _Y),
    Entry(10100, "E_FUNCTIONS_NOT_SUPPORTED", "Invalid function namespace «namespace»",
          ["A user-defined function was named in a namespace other than default."],
          ["Use the default namespace or a bucket.scope path."], _Y),
    Entry(10101, "E_FUNCTION_NOT_FOUND", "Function not found «name»",
          ["No user-defined function of that name exists in the path."],
          ["Create the function, or correct its name or query_context."], _Y),
    Entry(10102, "E_DUPLICATE_FUNCTION", "Function «name» already exists",
          ["CREATE FUNCTION names a function that exists."],
          ["Use CREATE OR REPLACE FUNCTION, or another name."], _Y),
    Entry(10104, "E_ARGUMENTS_MISMATCH", "Incorrect number of arguments supplied to function "
          "«name»", ["The call passes more or fewer arguments than the function declares."],
          ["Pass the declared number of arguments."], _Y),
    Entry(10109, "E_FUNCTION_EXECUTION", "Error executing function «name» : «reason»",
          ["The function's body failed, or called abort()."],
          ["The cause gives the detail; correct the function or its arguments."], _M),
    Entry(10112, "E_FUNCTION_RECURSION", "Error executing function «name»: functions nested "
          "too deep", ["User-defined functions call each other beyond the nesting limit."],
          ["Remove the recursion."], _Y),
    # -- system datastore (11xxx)
    Entry(11003, "E_SYSTEM_NOT_IMPLEMENTED", "System datastore : Not implemented «keyspace»",
          ["The system keyspace does not support the operation."], None, _Y),
    Entry(11007, "E_SYSTEM_STATEMENT_NOT_FOUND", "System datastore : Statement not found «key»",
          ["The request or prepared statement named is not in the catalogue."], None, _Y),
    # -- Couchbase datastore (12xxx)
    Entry(12002, "E_CB_NAMESPACE_NOT_FOUND", "Namespace not found in CB datastore: «name»",
          ["The statement names a namespace other than default or system."],
          ["Use the default namespace."], _Y),
    Entry(12003, "E_CB_KEYSPACE_NOT_FOUND", "Keyspace not found in CB datastore: «keyspace»",
          ["The bucket, scope or collection named does not exist, or is not visible to the "
           "user."], ["Check the keyspace path and the query_context."], _Y),
    Entry(12004, "E_CB_PRIMARY_INDEX_NOT_FOUND", "Primary index «name» not online.",
          ["The keyspace has no primary index to scan."], ["Create a primary index."], _Y),
    Entry(12009, "E_CB_DML", "DML Error, possible causes include concurrent modification. "
          "Failed to perform «operation» - cause: «cause»",
          ["A key already exists (INSERT), or the document changed under the statement."],
          ["Use UPSERT, or retry the statement."], _M),
    Entry(12016, "E_CB_INDEX_NOT_FOUND", "Index Not Found - cause: GSI index «name» not found.",
          ["The index named does not exist on the keyspace."], ["Check the index name."], _Y),
    Entry(12021, "E_CB_SCOPE_NOT_FOUND", "Scope not found in CB datastore «scope»",
          ["The scope named, or the query_context's scope, does not exist."],
          ["Create the scope, or correct its name."], _Y),
    Entry(12025, "E_CB_CREATE_SCOPE", "Error while creating scope «scope»",
          ["The scope exists already, or its name is not allowed."], None, _Y),
    Entry(12026, "E_CB_DROP_SCOPE", "Error while dropping scope «scope»",
          ["The scope does not exist."], None, _Y),
    Entry(12027, "E_CB_CREATE_COLLECTION", "Error while creating collection «collection»",
          ["The collection exists already, or its name is not allowed."], None, _Y),
    Entry(12028, "E_CB_DROP_COLLECTION", "Error while dropping collection «collection»",
          ["The collection does not exist."], None, _Y),
    # -- access (13xxx)
    Entry(13014, "E_ACCESS_DENIED", "User does not have credentials to «operation». Add role "
          "«role» to allow the statement to run.",
          ["The user's roles do not allow the statement on that keyspace."],
          ["Grant the role the message names."], _Y),
    # -- key-value datastore (15xxx)
    Entry(15005, "E_NO_KEYS_INSERT", "No keys to insert «details»"),
    # -- sequences (19xxx; the local cluster's own codes: statements/sequences.py)
    Entry(19101, "E_SEQUENCE_EXISTS", "Sequence «name» already exists",
          ["CREATE SEQUENCE names a sequence that exists."],
          ["Use IF NOT EXISTS, or another name."], _Y),
    Entry(19102, "E_SEQUENCE_NOT_FOUND", "Sequence «name» not found",
          ["No sequence of that name exists in the scope."],
          ["Create the sequence, or correct its name or query_context."], _Y),
    Entry(19103, "E_SEQUENCE_OPTION", "Invalid sequence option «option»",
          ["An option is unknown, of the wrong type, or out of range (cache below 1, "
           "increment 0, min not below max, start outside min..max)."], [_REVISE], _Y),
    Entry(19104, "E_SEQUENCE_EXHAUSTED", "Sequence «name» has reached its limit",
          ["The sequence does not cycle and its next value is past its maximum or minimum."],
          ["Alter the sequence: CYCLE, RESTART, or another MAXVALUE/MINVALUE."], _Y),
    Entry(19105, "E_SEQUENCE_NO_VALUE", "No value has been generated for sequence «name»",
          ["PREV VALUE FOR a sequence this node has given no value yet."],
          ["Take NEXT VALUE first."], _Y),
    Entry(19201, "E_ALTER_INDEX", "Fail to alter index: «reason»",
          ["ALTER INDEX asks for an action the index or the cluster cannot take: an unknown "
           "action, too many replicas for the index nodes, a replica that does not exist."],
          ["Correct the WITH clause (alterindex.adoc)."], _Y),
    Entry(19301, "E_VECTOR_INDEX_OPTION", "Invalid vector index option: «reason»",
          ["CREATE VECTOR INDEX has no WITH object, or its dimension, similarity or "
           "description is missing or not one the index supports."],
          ["Give dimension, similarity and description (createvectorindex.adoc)."], _Y),
]

# The cbq shell's codes (n1ql-error-codes.adoc, 1xx Codes (shell)).
_SHELL = [
    (100, "CONNECTION_REFUSED", "Connection refused."),
    (101, "UNSUPPORTED_PROTOCOL", "Unsupported protocol scheme."),
    (102, "NO_SUCH_HOST", "No such host."),
    (103, "NO_HOST_IN_URL", "No host in request URL."),
    (104, "UNKNOWN_PORT_TCP", "Unknown port."),
    (105, "NO_ROUTE_TO_HOST", "No route to host."),
    (106, "UNREACHABLE_NETWORK", "Network is unreachable."),
    (107, "NO_CONNECTION", "Not connected to any cluster. Use \\CONNECT command."),
    (108, "DRIVER_OPEN", "Driver open."),
    (109, "INVALID_URL", "Invalid input URL."),
    (116, "READ_FILE", "Error during file read."),
    (117, "WRITE_FILE", "Error during file write."),
    (118, "FILE_OPEN", "Unable to open file."),
    (119, "FILE_CLOSE", "Unable to close file."),
    (121, "INVALID_PASSWORD", "Invalid password."),
    (122, "INVALID_USERNAME", "Invalid username."),
    (123, "MISSING_CREDENTIAL", "Username missing in -credentials/-c option."),
    (124, "INVALID_CREDENTIAL", "Invalid format for credentials. Separate username and "
                                "password by a colon."),
    (136, "NO_SUCH_COMMAND", "Command does not exist."),
    (137, "NO_SUCH_PARAM", "Parameter does not exist."),
    (138, "TOO_MANY_ARGS", "Too many input arguments to command."),
    (139, "TOO_FEW_ARGS", "Too few input arguments to command."),
    (140, "STACK_EMPTY", "Stack empty."),
    (141, "NO_SUCH_ALIAS", "Alias does not exist."),
    (142, "BATCH_MODE", "Error when running in batch mode. Incorrect input value."),
    (143, "STRING_WRITE", "Cannot write to string buffer."),
    (170, "OPERATION_TIMEOUT", "Operation timed out. Check query service URL."),
    (171, "ROWS_SCAN", "Error in scanning a row."),
    (172, "JSON_MARSHAL", "Error in marshalling the JSON data."),
    (173, "JSON_UNMARSHAL", "Error in unmarshalling the JSON data."),
    (174, "DRIVER_QUERY", "Error in the query driver."),
    (175, "WRITER_OUTPUT", "Error with I/O Writer."),
    (176, "UNBALANCED_PAREN", "Unbalanced parenthesis in the input."),
    (177, "ROWS_CLOSE", "Error in closing the row."),
    (178, "CMD_LINE_ARG", "Place input argument URL at the end, after input flags."),
    (179, "INVALID_INPUT_ARGUMENTS", "Input Argument format is invalid."),
    (199, "UNKNOWN_ERROR", "Unknown error."),
]
CATALOG[:0] = [Entry(c, s, d, applies_to="cbq-shell") for c, s, d in _SHELL]

BY_CODE: dict[int, Entry] = {e.code: e for e in CATALOG}


def find(what: Union[int, str]) -> list[dict[str, Any]]:
    """The entries FINDERR(what) returns: the one with that code, or every entry
    a field of which (``user_error`` aside) matches ``what`` as a regular
    expression (a pattern that does not compile is looked for as plain text),
    in code order."""
    if isinstance(what, int):
        entry = BY_CODE.get(what)
        return [entry.shown()] if entry is not None else []
    try:  # (the service's Go syntax, in linear time: a pattern cannot stall the request)
        pattern = compile_regex(what)
        found = lambda t: pattern.search(t) is not None  # noqa: E731
    except RegexError:
        found = lambda t: what in t  # noqa: E731
    return [e.shown() for e in sorted(CATALOG, key=lambda e: e.code)
            if any(found(t) for t in e.texts())]
