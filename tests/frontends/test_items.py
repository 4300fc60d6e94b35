"""The Item API keeps CAS safety and updates items as 2.x did, on every front end."""

from __future__ import annotations

import pytest

from couchbase import FMT_UTF8
from couchbase.exceptions import KeyExistsError, NotFoundError
from couchbase.items import Item, ItemOptionDict, ItemSequence


def _stale_item(cb, key: str) -> Item:
    """An Item holding the CAS of a version of ``key`` that was overwritten since."""
    item = Item(key, "v1")
    cb.upsert_multi(ItemSequence([item]))
    assert item.cas
    cb.upsert(key, "someone else's write")
    return item


@pytest.mark.parametrize("method", ["upsert_multi", "replace_multi"])
def test_a_stale_item_cas_is_refused_not_overwritten(cb, key, method):
    item = _stale_item(cb, key)
    item.value = "mine"
    with pytest.raises(KeyExistsError):
        getattr(cb, method)(ItemSequence([item]))
    assert cb.get(key).value == "someone else's write"
    with pytest.raises(KeyExistsError):
        getattr(cb, method)(ItemOptionDict({item: {"ttl": 100}}))
    assert cb.get(key).value == "someone else's write"


def test_ignore_cas_and_an_explicit_cas_option(cb, key):
    item = _stale_item(cb, key)
    item.value = "forced"
    cb.upsert_multi(item.as_itcoll(ignore_cas=True))
    assert cb.get(key).value == "forced"
    current = cb.get(key).cas
    item.value = "with the option's cas"
    cb.replace_multi(ItemOptionDict({item: {"cas": current}}))
    assert cb.get(key).value == "with the option's cas" and item.cas != current


def test_remove_multi_of_items_uses_their_cas(cb, key):
    item = _stale_item(cb, key)
    with pytest.raises(KeyExistsError):
        cb.remove_multi(ItemSequence([item]))
    assert cb.get(key).value == "someone else's write"
    fresh = Item(key)
    cb.get_multi(ItemSequence([fresh]))
    cb.remove_multi(ItemSequence([fresh]))
    with pytest.raises(NotFoundError):
        cb.get(key)


def test_append_and_prepend_items_update_the_item_value(cb, key):
    item = Item(key, "middle")
    cb.upsert_multi(ItemSequence([item]), format=FMT_UTF8)
    cb.append_items(ItemOptionDict({item: {"fragment": "-end"}}), format=FMT_UTF8)
    assert item.value == "middle-end"
    cb.prepend_items(ItemOptionDict({item: {"fragment": "start-"}}), format=FMT_UTF8)
    assert item.value == "start-middle-end" == cb.get(key).value


def test_collections_as_2x_built_them(cb, key):
    items = ItemOptionDict()
    items.create_and_add(f"{key}-a", {"a": 1}, ttl=100)
    items.create_and_add(f"{key}-b", {"b": 2})
    assert [(i.key, opts) for i, opts in items] == [(f"{key}-a", {"ttl": 100}),
                                                   (f"{key}-b", None)]
    cb.upsert_multi(items)
    one = Item(f"{key}-a")
    single = one.as_itcoll()
    assert isinstance(single, ItemSequence) and single.sequence == [one]
    assert list(single) == [(one, None)] and len(ItemSequence(one)) == 1
    cb.get_multi(single)
    assert one.value == {"a": 1} and one.cas
