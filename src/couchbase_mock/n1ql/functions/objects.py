"""Object functions (objectfun.html) and the utility functions of metafun.html.

Names are sorted by byte order of their UTF-8 text (N1QL string collation).
Nested paths are written with the nested operators: ``a.b``, ``a[0]``, and
names with characters outside ``[A-Za-z0-9_-]`` in backticks.
"""

from __future__ import annotations

import base64
import binascii
import json
import random
import re
from typing import Any, Callable, Iterator, Optional

from ..errors import N1QLError
from ..regex import RegexError
from ..regex import compile as compile_regex
from ..values import MISSING, Binary, equal, to_json_value, type_name
from . import encode_json, format_number, register

_PLAIN_NAME = re.compile(r"[A-Za-z0-9_-]+")


def _name(k: str) -> str:
    return k if _PLAIN_NAME.fullmatch(k) else "`" + k.replace("`", "``") + "`"


def _join(prefix: str, k: str) -> str:
    return f"{prefix}.{_name(k)}" if prefix else _name(k)


def _option(options: dict, key: str, default: Any) -> Any:
    v = options.get(key, default)
    return v if type(v) is type(default) else default


def _options(options: Any) -> Optional[dict]:
    """None (argument left out) is no options; anything else but an object is
    invalid (the caller returns NULL)."""
    if options is None:
        return {}
    return options if type(options) is dict else None


def _options_and_pattern(options: Any) -> Optional[tuple[dict, Callable[[str], bool]]]:
    """The options object and its ``pattern`` as a matcher (no pattern: all match),
    or None when either is invalid (the caller returns NULL)."""
    opts = _options(options)
    match = _search(opts.get("pattern")) if opts is not None else None
    return (opts, match) if opts is not None and match is not None else None


def _search(pattern: Any) -> Optional[Callable[[str], bool]]:
    if type(pattern) is not str:
        return lambda s: True
    try:
        rx = compile_regex(pattern)  # Go's syntax, linear time (the regex package)
    except RegexError:
        return None
    return lambda s: rx.search(s) is not None


# -- OBJECT_* -------------------------------------------------------------------


@register("OBJECT_ADD")
def object_add(obj: Any, key: Any = MISSING, value: Any = MISSING) -> Any:
    if obj is MISSING:
        return MISSING
    if type(obj) is not dict:
        return None
    if key is MISSING or value is MISSING or key is None:
        return obj
    if type(key) is not str or key in obj:
        return None
    return {**obj, key: value}


@register("OBJECT_PUT")
def object_put(obj: Any, key: Any = MISSING, value: Any = MISSING) -> Any:
    if obj is MISSING or key is MISSING:
        return MISSING
    if type(obj) is not dict or type(key) is not str:
        return None
    out = dict(obj)
    if value is MISSING:
        out.pop(key, None)
    else:
        out[key] = value
    return out


register("OBJECT_CONCAT", strict=("o",))(
    lambda *objs: {k: v for o in objs for k, v in o.items()})


@register("OBJECT_CONCAT2")
def object_concat2(first: Any, *rest: Any) -> Any:
    """Like OBJECT_CONCAT, and the arguments after the first may be arrays of objects."""
    args = (first, *rest)
    if any(a is MISSING for a in args):
        return MISSING
    if type(first) is not dict:
        return None
    out = dict(first)
    for a in rest:
        objs = a if type(a) is list else [a]
        if not all(type(o) is dict for o in objs):
            return None
        for o in objs:
            out.update(o)
    return out


register("OBJECT_RENAME", strict=("o", "s", "s"))(
    lambda o, old, new: o if old not in o else
    {**{k: v for k, v in o.items() if k != old}, new: o[old]})
register("OBJECT_REPLACE", strict=("o", "*", "*"))(
    lambda o, old, new: {k: new if equal(v, old) else v for k, v in o.items()})
register("OBJECT_UNWRAP", strict=("o",))(
    lambda o: next(iter(o.values())) if len(o) == 1 else None)
register("OBJECT_LENGTH", strict=("o",))(len)
register("OBJECT_NAMES", strict=("o",))(lambda o: sorted(o))
register("OBJECT_TYPES", strict=("o",))(lambda o: {k: type_name(v) for k, v in o.items()})


def _types_nested(v: Any) -> Any:
    if type(v) is dict:
        return {k: _types_nested(x) for k, x in v.items()}
    if type(v) is list:
        return [_types_nested(x) for x in v]
    return type_name(v)


register("OBJECT_TYPES_NESTED", strict=("o",))(_types_nested)


def _inner(v: Any) -> Any:
    """A value gathered by ``array[*]``: MISSING elements are left out, and one
    value left stands alone (objectfun.adoc OBJECT_INNER_PAIRS Example 2:
    "alert" found in one of three objects is "red", not ["red"])."""
    if type(v) is not list or not any(x is MISSING for x in v):
        return v
    kept = [x for x in v if x is not MISSING]
    return kept[0] if len(kept) == 1 else kept


def _outer(v: Any) -> Any:
    """... or kept as NULL."""
    if type(v) is list:
        return [None if x is MISSING else _outer(x) for x in v]
    if type(v) is dict:
        return {k: _outer(x) for k, x in v.items() if x is not MISSING}
    return v


register("OBJECT_VALUES", "OBJECT_OUTER_VALUES", strict=("o",))(
    lambda o: [_outer(o[k]) for k in sorted(o)])
register("OBJECT_INNER_VALUES", strict=("o",))(lambda o: [_inner(o[k]) for k in sorted(o)])
register("OBJECT_INNER_PAIRS", strict=("o",))(
    lambda o: [{"name": k, "val": _inner(o[k])} for k in sorted(o)])


@register("OBJECT_PAIRS", "OBJECT_OUTER_PAIRS", strict=("o", "*"))
def object_pairs(o: dict, options: Any = None) -> Any:
    opts = _options(options)
    if opts is None:
        return None
    if _option(opts, "types", False):
        return [{"name": k, "type": type_name(o[k])} for k in sorted(o)]
    return [{"name": k, "val": _outer(o[k])} for k in sorted(o)]


def _walk(v: Any, prefix: str, subscripts: bool) -> Iterator[tuple[str, Any, bool]]:
    """(path, value, is_composite) for every field and element under ``v``."""
    if type(v) is dict:
        for k in sorted(v):
            x = v[k]
            if x is MISSING:
                continue
            path = _join(prefix, k)
            yield path, x, type(x) in (dict, list)
            yield from _walk(x, path, subscripts)
    elif type(v) is list:
        for i, x in enumerate(v):
            path = f"{prefix}[{i if subscripts else '*'}]"
            yield path, _outer(x), type(x) in (dict, list)
            yield from _walk(x, path, subscripts)


@register("OBJECT_PAIRS_NESTED", strict=("o", "*"))
def object_pairs_nested(o: dict, options: Any = None) -> Any:
    found = _options_and_pattern(options)
    if found is None:
        return None
    opts, match = found
    composites = _option(opts, "composites", False)
    types = _option(opts, "types", False)
    out = []
    for path, v, composite in _walk(_outer(o), "", True):
        if (composite and not composites) or not match(path):
            continue
        out.append({"name": path, "type": type_name(v)} if types else {"name": path, "val": v})
    return sorted(out, key=lambda p: p["name"])


def _last_name(path: str) -> str:
    m = re.search(r"(?:^|\.)(`(?:[^`]|``)*`|[^.`\[]+)(?:\[[^\]]*\])*$", path)
    if not m:
        return path
    name = m.group(1)
    return name[1:-1].replace("``", "`") if name.startswith("`") else name


@register("OBJECT_PATHS", strict=("o", "*"))
def object_paths(o: dict, options: Any = None) -> Any:
    """Elements of arrays are not paths of their own: an array of objects
    gives the paths inside its elements, ``a[0].b`` (or ``a[*].b``)."""
    found = _options_and_pattern(options)
    if found is None:
        return None
    opts, match = found
    composites = _option(opts, "composites", True)
    subscripts = _option(opts, "arraysubscript", True)
    unique = _option(opts, "unique", True)
    by_field = _option(opts, "patternspace", "path") == "field"
    out = []
    for path, v, composite in _walk(o, "", subscripts):
        if path.endswith("]"):
            continue
        leaf = not composite or not any(type(x) in (dict, list) for x in _descend(v))
        if not leaf and not composites:
            continue
        if not match(_last_name(path) if by_field else path):
            continue
        out.append(path)
    if unique:
        out = list(dict.fromkeys(out))
    return sorted(out)


def _descend(v: Any) -> list:
    """The direct elements of an array (an object's fields are not elements)."""
    return v if type(v) is list else [{}] if type(v) is dict and v else []


_STEP = re.compile(r"`((?:[^`]|``)*)`|([^.`\[\]]+)|\[\s*(-?\d+)\s*\]|(\.)")


def _parse_path(path: str) -> Optional[list]:
    steps: list = []
    pos = 0
    expect_name = True
    while pos < len(path):
        m = _STEP.match(path, pos)
        if not m:
            return None
        quoted, plain, index, dot = m.groups()
        if dot:
            if expect_name:
                return None
            expect_name = True
        elif index is not None:
            if expect_name and steps:
                return None
            steps.append(int(index))
            expect_name = False
        else:
            if not expect_name:
                return None
            steps.append(quoted.replace("``", "`") if quoted is not None else plain.strip())
            expect_name = False
        pos = m.end()
    return steps if steps and not expect_name else None


@register("OBJECT_FIELD", strict=("o", "s"))
def object_field(o: dict, path: str) -> Any:
    steps = _parse_path(path)
    if steps is None:
        return None
    v: Any = o
    for step in steps:
        if type(step) is int:
            if type(v) is not list or not -len(v) <= step < len(v):
                return None
        elif type(v) is not dict or step not in v:
            return None
        v = v[step]
    return v


# -- metafun.html -----------------------------------------------------------------


@register("ABORT")
def abort(v: Any = MISSING) -> Any:
    text = json.dumps(to_json_value(v if v is not MISSING else None), sort_keys=True)
    raise N1QLError(5011, f"Abort: {text}. - cause: {text}")


def _encode(v: Any) -> bytes:
    if isinstance(v, Binary):
        return v.data
    return encode_json(v).encode()


register("BASE64", "BASE64_ENCODE")(
    lambda v: MISSING if v is MISSING else base64.b64encode(_encode(v)).decode("ascii"))


@register("BASE64_DECODE", strict=("s",))
def base64_decode(s: str) -> Any:
    try:
        return json.loads(base64.b64decode(s, validate=True).decode())
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None


@register("LEN")
def length(v: Any) -> Any:
    if v is MISSING or v is None:
        return v
    t = type(v)
    if t in (str, list, dict):
        return len(v)
    if t is bool:
        return 1
    if t in (int, float):
        return len(format_number(v))
    if isinstance(v, Binary):
        return len(v.data)
    return None


@register("PAIRS")
def pairs(v: Any) -> Any:
    if v is MISSING:
        return MISSING
    if type(v) is list:
        return [p for x in v if type(x) is dict for p in _pairs(x)]
    return _pairs(v) if type(v) is dict else None


def _pairs(o: dict) -> list:
    out: list = []
    nested: list = []
    for k in sorted(o):
        x = o[k]
        out.append([k, x])
        if type(x) is list:
            out.extend([k, e] for e in x)
            nested.extend(e for e in x if type(e) is dict)
        elif type(x) is dict:
            nested.append(x)
    for x in nested:
        out.extend(_pairs(x))
    return out


@register("DS_VERSION")
def ds_version() -> str:
    from ...configjson import SERVER_VERSION

    return SERVER_VERSION


@register("RANDOM")
def random_(seed: Any = MISSING) -> Any:
    """RANDOM(): a number in [0, 1); RANDOM(seed): the same number for a seed."""
    if seed is MISSING:
        return random.random()
    if type(seed) not in (int, float, str):
        return None
    return random.Random(seed).random()
