"""``gamesim-sample``: the players, monsters and items of a simulated game.

Documents are in the default collection, told apart by ``jsonType``, with the
field names of Couchbase's gamesim-sample bucket: a player (key: its
``name``, like ``Aaron0``) has ``experience``, ``hitpoints``, ``level``,
``loggedIn``, ``name``, ``uuid``; a monster (``Bauchan9932``) has
``experienceWhenKilled``, ``hitpoints``, ``itemProbability``, ``name``,
``uuid``; an item (``Aaron0_Axe1``) has ``name``, ``ownerId`` (a player's
key) and ``uuid``. About 590 documents, as in the real set.

Views (design document ``players``): ``leaderboard`` emits each player's
``experience``, ``playerlist`` each player's id. N1QL: the primary index
``gamesim_primary``.
"""

from __future__ import annotations

import random
from typing import Any, Iterator

from .dataset import DEFAULT, Document, Sample, encode, make_uuid, unique

NAME = "gamesim-sample"
PLAYERS = 144
MONSTERS = 196
ITEMS = 246
SEED = 586

_FIRST_NAMES = [
    "Aaron", "Abigail", "Adam", "Alice", "Amos", "Anna", "Bart", "Bella", "Brandon", "Carla",
    "Cody", "Dana", "Derek", "Dmitri", "Elena", "Eli", "Fatima", "Finn", "Gina", "Hank",
    "Hugo", "Ines", "Ivan", "Jade", "Jonah", "Kai", "Kira", "Liam", "Lola", "Marco", "Mei",
    "Nadia", "Nils", "Olga", "Omar", "Pia", "Quinn", "Rosa", "Ruben", "Sara", "Sven",
    "Tara", "Theo", "Uma", "Vera", "Wade", "Xena", "Yuri", "Zoe",
]
_MONSTERS = [
    "Bauchan", "Brownie", "Bugbear", "Chimera", "Cockatrice", "Dryad", "Ghoul", "Gnoll",
    "Goblin", "Gremlin", "Harpy", "Hobgoblin", "Imp", "Kobold", "Manticore", "Minotaur",
    "Ogre", "Orc", "Sprite", "Troll", "Wight", "Wraith", "Wyvern", "Yeti",
]
_ITEMS = [
    "Axe", "Bow", "Buckler", "Cloak", "Crossbow", "Dagger", "Flail", "Gauntlets", "Halberd",
    "Helmet", "Katana", "Lance", "Mace", "Potion", "Ring", "Scroll", "Shield", "Spear",
    "Staff", "Sword", "Wand",
]


def generate() -> dict[str, dict[str, Any]]:
    """Every document, by key (the same on every call)."""
    rng = random.Random(SEED)
    docs: dict[str, dict[str, Any]] = {}
    counts: dict[str, int] = {}

    def player_name(r: random.Random) -> str:
        first = r.choice(_FIRST_NAMES)
        counts[first] = counts.get(first, -1) + 1
        return f"{first}{counts[first]}"

    taken: set[str] = set()
    players = []
    for _ in range(PLAYERS):
        name = unique(rng, player_name, taken)
        level = rng.randrange(1, 200)
        docs[name] = {"experience": level * rng.randrange(80, 120), "hitpoints":
                      level * rng.randrange(90, 180), "jsonType": "player", "level": level,
                      "loggedIn": rng.random() < 0.4, "name": name, "uuid": make_uuid(rng)}
        players.append(name)
    for _ in range(MONSTERS):
        name = unique(rng, lambda r: f"{r.choice(_MONSTERS)}{r.randrange(1000, 10000)}", taken)
        docs[name] = {"experienceWhenKilled": rng.randrange(10, 200),
                      "hitpoints": rng.randrange(100, 10000),
                      "itemProbability": round(rng.random() * 0.5, 16),
                      "jsonType": "monster", "name": name, "uuid": make_uuid(rng)}
    for i in range(ITEMS):
        owner = rng.choice(players)
        item = rng.choice(_ITEMS)
        key = f"{owner}_{item}{i}"
        docs[key] = {"jsonType": "item", "name": key, "ownerId": owner, "uuid": make_uuid(rng)}
    return docs


def _documents() -> Iterator[Document]:
    for key, doc in generate().items():
        yield DEFAULT, DEFAULT, key, encode(doc)


SAMPLE = Sample(
    name=NAME,
    documents=_documents,
    scopes={},
    design_docs={"players": {"views": {
        "leaderboard": {"map": 'function (doc, meta) {\n  if (doc.jsonType == "player") {\n'
                               "    emit(doc.experience, null);\n  }\n}"},
        "playerlist": {"map": 'function (doc, meta) {\n  if (doc.jsonType == "player") {\n'
                              "    emit(meta.id, null);\n  }\n}"},
    }}},
    indexes=["CREATE PRIMARY INDEX `gamesim_primary` ON `gamesim-sample`"],
)
