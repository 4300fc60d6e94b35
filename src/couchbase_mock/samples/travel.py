"""``travel-sample``: airlines, airports, routes, hotels and landmarks.

Keys and fields are those of Couchbase's travel-sample bucket (the Travel App
data model): ``airline_<id>`` (``id``, ``type``, ``name``, ``iata``,
``icao``, ``callsign``, ``country``), ``airport_<id>`` (``airportname``,
``city``, ``country``, ``faa``, ``icao``, ``tz``, ``geo`` {``lat``, ``lon``,
``alt``}), ``route_<id>`` (``airline``, ``airlineid``, ``sourceairport``,
``destinationairport``, ``stops``, ``equipment``, ``schedule`` [{``day``,
``utc``, ``flight``}], ``distance``), ``hotel_<id>`` and ``landmark_<id>``
(name, address, contact fields, ``geo``; hotels with ``reviews`` and
``public_likes``, landmarks with ``activity``). Places are in the United
States, the United Kingdom and France, as in the real set. The documents the
SDK guides read (``airline_10``, ``airline_24``, ``airline_137``,
``airport_1254``, ``route_10000``...) carry their published values.

As on a 7.x server, every document is in the default collection and again
in the ``inventory`` scope's collection of its type; the scopes
``tenant_agent_00`` .. ``tenant_agent_04`` each hold ``users`` and
``bookings``. The indexes are the ``def_*`` ones the server creates.

Counts: airlines, airports, hotels and landmarks as in the real set (187,
1,968, 917, 4,495); routes are fewer (:data:`ROUTES` of the real 24,024),
which keeps an install within a few seconds.
"""

from __future__ import annotations

import math
import random
from datetime import datetime
from functools import partial
from typing import Any, Iterator

from .dataset import DEFAULT, Document, Sample, encode, make_uuid, timestamp, unique

NAME = "travel-sample"
AIRLINES = 187
AIRPORTS = 1968
HOTELS = 917
LANDMARKS = 4495
ROUTES = 6006
TENANTS = [f"tenant_agent_{i:02d}" for i in range(5)]
USERS_PER_TENANT = 12
SEED = 31591
INVENTORY = "inventory"
TYPES = ("airline", "airport", "hotel", "landmark", "route")

# (city, state or None, country, lat, lon, time zone)
CITIES = [
    ("San Francisco", "California", "United States", 37.7749, -122.4194, "America/Los_Angeles"),
    ("Los Angeles", "California", "United States", 34.0522, -118.2437, "America/Los_Angeles"),
    ("San Diego", "California", "United States", 32.7157, -117.1611, "America/Los_Angeles"),
    ("Seattle", "Washington", "United States", 47.6062, -122.3321, "America/Los_Angeles"),
    ("Denver", "Colorado", "United States", 39.7392, -104.9903, "America/Denver"),
    ("Phoenix", "Arizona", "United States", 33.4484, -112.0740, "America/Phoenix"),
    ("Dallas", "Texas", "United States", 32.7767, -96.7970, "America/Chicago"),
    ("Houston", "Texas", "United States", 29.7604, -95.3698, "America/Chicago"),
    ("Chicago", "Illinois", "United States", 41.8781, -87.6298, "America/Chicago"),
    ("Atlanta", "Georgia", "United States", 33.7490, -84.3880, "America/New_York"),
    ("Miami", "Florida", "United States", 25.7617, -80.1918, "America/New_York"),
    ("New York", "New York", "United States", 40.7128, -74.0060, "America/New_York"),
    ("Boston", "Massachusetts", "United States", 42.3601, -71.0589, "America/New_York"),
    ("Anchorage", "Alaska", "United States", 61.2181, -149.9003, "America/Anchorage"),
    ("Honolulu", "Hawaii", "United States", 21.3069, -157.8583, "Pacific/Honolulu"),
    ("London", None, "United Kingdom", 51.5074, -0.1278, "Europe/London"),
    ("Manchester", None, "United Kingdom", 53.4808, -2.2426, "Europe/London"),
    ("Edinburgh", None, "United Kingdom", 55.9533, -3.1883, "Europe/London"),
    ("Bristol", None, "United Kingdom", 51.4545, -2.5879, "Europe/London"),
    ("Birmingham", None, "United Kingdom", 52.4862, -1.8904, "Europe/London"),
    ("Glasgow", None, "United Kingdom", 55.8642, -4.2518, "Europe/London"),
    ("Paris", "Île-de-France", "France", 48.8566, 2.3522, "Europe/Paris"),
    ("Lyon", "Rhône-Alpes", "France", 45.7640, 4.8357, "Europe/Paris"),
    ("Marseille", "Provence-Alpes-Côte d'Azur", "France", 43.2965, 5.3698, "Europe/Paris"),
    ("Nice", "Provence-Alpes-Côte d'Azur", "France", 43.7102, 7.2620, "Europe/Paris"),
    ("Toulouse", "Midi-Pyrénées", "France", 43.6047, 1.4442, "Europe/Paris"),
    ("Bordeaux", "Aquitaine", "France", 44.8378, -0.5792, "Europe/Paris"),
    ("Lille", "Nord-Pas-de-Calais", "France", 50.6292, 3.0573, "Europe/Paris"),
]
_US = [c for c in CITIES if c[2] == "United States"]

_WORDS = [
    "Alpine", "Arrow", "Atlantic", "Aurora", "Bay", "Blue", "Canyon", "Capital", "Cardinal",
    "Cloud", "Coastal", "Comet", "Condor", "Crown", "Delta", "Eagle", "Falcon", "Frontier",
    "Global", "Golden", "Harbor", "Horizon", "Island", "Jet", "Liberty", "Lone Star", "Meridian",
    "Midland", "North", "Ocean", "Pacific", "Pioneer", "Prairie", "Regal", "Royal", "Sierra",
    "Silver", "Sky", "Southern", "Star", "Summit", "Sun", "Swift", "Trans", "Valley", "Western",
]
_SURNAMES = ["Adams", "Baker", "Bennett", "Carter", "Collins", "Dupont", "Evans", "Fontaine",
             "Garnier", "Gray", "Hughes", "Lambert", "Lefebvre", "Martin", "Miller", "Moreau",
             "Parker", "Roux", "Smith", "Taylor", "Turner", "Walker", "Wilson", "Wright"]
_FIRST = ["Alex", "Beatrice", "Camille", "Daniel", "Emma", "Felix", "Grace", "Henri", "Isla",
          "Jack", "Lea", "Louis", "Maya", "Noah", "Olivia", "Paul", "Rose", "Sam", "Tom", "Zoe"]
_STREETS = ["High Street", "Station Road", "Main Street", "Rue de la Paix", "Church Lane",
            "Avenue des Fleurs", "Park Road", "Ocean Drive", "Market Square", "Mill Lane",
            "Rue Victor Hugo", "Bridge Street", "Sunset Boulevard", "King Street"]
_EQUIPMENT = ["737", "738", "73W", "319", "320", "321", "757", "767", "777", "CRJ", "ERJ",
              "E90", "AT7", "DH8"]
_ACTIVITIES = ["see", "do", "eat", "drink", "buy", "listing"]
_LANDMARK_KINDS = ["Museum", "Park", "Gardens", "Castle", "Cathedral", "Gallery", "Market",
                   "Bridge", "Theatre", "Cafe", "Pub", "Bistro", "Viewpoint", "Abbey", "Beach"]
_HOTEL_KINDS = ["Hotel", "Inn", "Guest House", "Youth Hostel", "Lodge", "Suites",
                "Bed and Breakfast", "Resort"]
_REVIEW = ["Great location and friendly staff.", "The room was clean but a bit small.",
           "Breakfast was excellent.", "Noisy at night, would not stay again.",
           "Good value for the price.", "Lovely view from the balcony.",
           "Check-in took a long time.", "Comfortable beds and a quiet street."]
_RATINGS = ["Service", "Cleanliness", "Overall", "Value", "Location", "Rooms"]

_FROM = datetime(2012, 1, 1)
_IATA_SECOND = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"
_AIRPORT_KINDS = ["Intl", "Regional", "Municipal", "Field", "County"]
_UTC_TIMES = [f"{h:02d}:{m:02d}:00" for h in range(24) for m in range(60)]

# -- the documents the SDK guides read -----------------------------------------------

_KNOWN_AIRLINES = [
    (10, "40-Mile Air", "Q5", "MLA", "MILE-AIR", "United States"),
    (24, "American Airlines", "AA", "AAL", "AMERICAN", "United States"),
    (137, "Air France", "AF", "AFR", "AIRFRANS", "France"),
    (1355, "British Airways", "BA", "BAW", "SPEEDBIRD", "United Kingdom"),
    (2009, "Delta Air Lines", "DL", "DAL", "DELTA", "United States"),
    (5209, "United Airlines", "UA", "UAL", "UNITED", "United States"),
    (5265, "US Airways", "US", "USA", "U S AIR", "United States"),
]
_KNOWN_AIRPORTS = [
    (1254, "Calais Dunkerque", "Calais", "France", "CQF", "LFAC", "Europe/Paris",
     50.962097, 1.954764, 12),
    (3469, "San Francisco Intl", "San Francisco", "United States", "SFO", "KSFO",
     "America/Los_Angeles", 37.618972, -122.374889, 13),
    (3484, "Los Angeles Intl", "Los Angeles", "United States", "LAX", "KLAX",
     "America/Los_Angeles", 33.942536, -118.408075, 126),
    (3797, "John F Kennedy Intl", "New York", "United States", "JFK", "KJFK",
     "America/New_York", 40.639751, -73.778925, 13),
    (507, "Heathrow", "London", "United Kingdom", "LHR", "EGLL", "Europe/London",
     51.4775, -0.461389, 83),
    (1382, "Charles De Gaulle", "Paris", "France", "CDG", "LFPG", "Europe/Paris",
     49.012779, 2.55, 392),
]


def _ids(rng: random.Random, count: int, low: int, high: int, known: set[int]) -> list[int]:
    ids = set(known)
    while len(ids) < count:
        ids.add(rng.randrange(low, high))
    return sorted(ids - known)


def _letters(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(n))


def _icao(prefix: str, rng: random.Random) -> str:
    return prefix + _letters(rng, 4 - len(prefix))


def _airlines(rng: random.Random) -> list[dict[str, Any]]:
    docs: list[dict[str, Any]] = [
        {"id": i, "type": "airline", "name": n, "iata": iata, "icao": icao, "callsign": call,
         "country": country}
        for i, n, iata, icao, call, country in _KNOWN_AIRLINES]
    names = {d["name"] for d in docs}
    iatas = {d["iata"] for d in docs}
    icaos = {d["icao"] for d in docs}
    for ident in _ids(rng, AIRLINES, 10, 20000, {d["id"] for d in docs}):
        name = unique(rng, lambda r: r.choice(["{} Air", "{} Airlines", "Air {}", "{} Airways"])
                      .format(r.choice(_WORDS)), names)
        country = rng.choice(["United States", "United States", "United Kingdom", "France"])
        docs.append({
            "id": ident, "type": "airline", "name": name,
            "iata": unique(rng, lambda r: _letters(r, 1) + r.choice(_IATA_SECOND), iatas)
            if rng.random() < 0.8 else None,
            "icao": unique(rng, lambda r: _letters(r, 3), icaos),
            "callsign": name.upper().replace("AIRLINES", "").replace("AIRWAYS", "").strip(),
            "country": country,
        })
    return docs


def _airports(rng: random.Random) -> list[dict[str, Any]]:
    docs: list[dict[str, Any]] = [
        {"id": i, "type": "airport", "airportname": n, "city": city, "country": country,
         "faa": faa, "icao": icao, "tz": tz, "geo": {"lat": lat, "lon": lon, "alt": alt}}
        for i, n, city, country, faa, icao, tz, lat, lon, alt in _KNOWN_AIRPORTS]
    faas = {d["faa"] for d in docs}
    icaos = {d["icao"] for d in docs}
    for ident in _ids(rng, AIRPORTS, 1200, 9600, {d["id"] for d in docs}):
        city, _, country, lat, lon, tz = rng.choice(CITIES)
        faa = unique(rng, lambda r: _letters(r, 3), faas)
        prefix = {"United States": "K", "United Kingdom": "EG", "France": "LF"}[country]
        icao = unique(rng, partial(_icao, prefix), icaos)
        place = rng.choice([city, f"{rng.choice(_WORDS)} {city}", rng.choice(_SURNAMES)])
        docs.append({
            "id": ident, "type": "airport",
            "airportname": f"{place} {rng.choice(_AIRPORT_KINDS)}",
            "city": city, "country": country, "faa": faa, "icao": icao, "tz": tz,
            "geo": {"lat": round(lat + rng.uniform(-2, 2), 6),
                    "lon": round(lon + rng.uniform(-2, 2), 6), "alt": rng.randrange(0, 6000)},
        })
    return docs


def _distance(a: dict[str, Any], b: dict[str, Any]) -> float:
    """Great-circle distance in km between two airports' ``geo``."""
    la1, lo1, la2, lo2 = map(math.radians, (a["lat"], a["lon"], b["lat"], b["lon"]))
    h = (math.sin((la2 - la1) / 2) ** 2
         + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2)
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def _routes(rng: random.Random, airlines: list[dict[str, Any]],
            airports: list[dict[str, Any]]) -> list[dict[str, Any]]:
    docs = [{"id": 10000, "type": "route", "airline": "AF", "airlineid": "airline_137",
             "sourceairport": "TLV", "destinationairport": "MRS", "stops": 0,
             "equipment": "320", "schedule": [
                 {"day": 0, "utc": "10:13:00", "flight": "AF198"},
                 {"day": 1, "utc": "19:14:00", "flight": "AF547"},
                 {"day": 3, "utc": "07:07:00", "flight": "AF661"},
                 {"day": 5, "utc": "23:32:00", "flight": "AF303"}],
             "distance": 2881.617376098415}]
    carriers = [a for a in airlines if a["iata"]]
    for ident in _ids(rng, ROUTES, 10000, 70000, {10000}):
        airline = rng.choice(carriers)
        src, dst = rng.sample(airports, 2)
        flights = rng.randrange(3, 25)
        schedule = [{"day": day, "utc": utc, "flight": f"{airline['iata']}{number}"}
                    for day, utc, number in zip(rng.choices(range(7), k=flights),
                                                rng.choices(_UTC_TIMES, k=flights),
                                                rng.choices(range(100, 1000), k=flights))]
        docs.append({
            "id": ident, "type": "route", "airline": airline["iata"],
            "airlineid": f"airline_{airline['id']}", "sourceairport": src["faa"],
            "destinationairport": dst["faa"], "stops": 0,
            "equipment": " ".join(rng.sample(_EQUIPMENT, rng.randrange(1, 3))),
            "schedule": schedule, "distance": _distance(src["geo"], dst["geo"]),
        })
    return docs


def _place(rng: random.Random, kind: str, name: str) -> dict[str, Any]:
    """The fields hotels and landmarks share."""
    city, state, country, lat, lon, _ = rng.choice(CITIES)
    slug_name = name.lower().replace(" ", "")
    return {
        "title": city, "name": name, "address": f"{rng.randrange(1, 300)} {rng.choice(_STREETS)}",
        "directions": rng.choice([None, f"{rng.randrange(2, 15)} minutes from the station"]),
        "phone": rng.choice([None, f"+{rng.choice(['1', '44', '33'])} {rng.randrange(100, 999)}"
                                   f" {rng.randrange(1000, 9999)}"]),
        "tollfree": None, "email": rng.choice([None, f"info@{slug_name[:20]}.example.com"]),
        "url": rng.choice([None, f"http://www.{slug_name[:20]}.example.com/"]),
        "geo": {"lat": round(lat + rng.uniform(-0.3, 0.3), 5),
                "lon": round(lon + rng.uniform(-0.3, 0.3), 5),
                "accuracy": rng.choice(["ROOFTOP", "RANGE_INTERPOLATED", "APPROXIMATE"])},
        "type": kind, "country": country, "city": city, "state": state,
    }


def _hotels(rng: random.Random) -> list[dict[str, Any]]:
    docs = []
    for ident in _ids(rng, HOTELS, 10025, 40000, {10025}) + [10025]:
        if ident == 10025:
            name, rng2 = "Medway Youth Hostel", random.Random(10025)
        else:
            name, rng2 = (f"{rng.choice(_WORDS + _SURNAMES)} {rng.choice(_HOTEL_KINDS)}", rng)
        doc = _place(rng2, "hotel", name)
        if ident == 10025:
            doc.update(title="Gillingham (Kent)", city="Medway", state=None,
                       country="United Kingdom", address="Capstone Road, ME7 3JE",
                       phone="+44 870 770 5964", url="http://www.yha.org.uk",
                       geo={"lat": 51.35785, "lon": 0.55818, "accuracy": "RANGE_INTERPOLATED"})
        doc.update({
            "id": ident, "checkin": rng2.choice([None, "2PM", "3PM", "4PM"]),
            "checkout": rng2.choice([None, "10AM", "11AM", "noon"]),
            "price": rng2.choice([None, f"£{rng2.randrange(30, 300)}",
                                  f"${rng2.randrange(60, 400)}"]),
            "vacancy": rng2.random() < 0.7, "alias": None, "fax": None,
            "description": f"{rng2.choice(['Cosy', 'Modern', 'Historic', 'Family-run'])} "
                           f"{doc['type']} in {doc['city']}.",
            "pets_ok": rng2.random() < 0.5, "free_breakfast": rng2.random() < 0.5,
            "free_internet": rng2.random() < 0.6, "free_parking": rng2.random() < 0.5,
            "reviews": [{"content": rng2.choice(_REVIEW),
                         "ratings": {k: rng2.randrange(1, 6) for k in _RATINGS},
                         "author": f"{rng2.choice(_FIRST)} {rng2.choice(_SURNAMES)}",
                         "date": timestamp(rng2, _FROM, 1500) + " +0300"}
                        for _ in range(rng2.randrange(0, 6))],
            "public_likes": [f"{rng2.choice(_FIRST)} {rng2.choice(_SURNAMES)}"
                             for _ in range(rng2.randrange(0, 8))],
        })
        docs.append(doc)
    return docs


def _landmarks(rng: random.Random) -> list[dict[str, Any]]:
    docs = []
    for ident in _ids(rng, LANDMARKS, 10019, 40000, set()):
        name = f"{rng.choice(_WORDS + _SURNAMES)} {rng.choice(_LANDMARK_KINDS)}"
        doc = _place(rng, "landmark", name)
        doc.update({
            "id": ident, "alt": None, "hours": rng.choice([None, "9AM-5PM", "10AM-6PM daily"]),
            "image": None, "price": rng.choice([None, "free", f"£{rng.randrange(2, 20)}"]),
            "content": f"A {rng.choice(['popular', 'quiet', 'famous', 'small'])} "
                       f"{name.split()[-1].lower()} in {doc['city']}.",
            "activity": rng.choice(_ACTIVITIES),
        })
        docs.append(doc)
    return docs


def _tenant_docs(rng: random.Random, scope: str, taken: set[str]) -> Iterator[Document]:
    for _ in range(USERS_PER_TENANT):
        username = unique(rng, lambda r: f"{r.choice(_FIRST)}_{r.choice(_SURNAMES)}"
                                         f"{r.randrange(10, 100)}".lower(), taken)
        bookings = [make_uuid(rng) for _ in range(rng.randrange(0, 4))]
        for booking in bookings:
            yield scope, "bookings", booking, encode({
                "_type": "Booking", "user": username,
                "flight": f"route_{rng.randrange(10000, 70000)}",
                "date": timestamp(rng, _FROM, 1500), "seats": rng.randrange(1, 5),
                "class": rng.choice(["economy", "business", "first"])})
        yield scope, "users", username, encode({
            "_type": "User", "name": username, "email": f"{username}@example.com",
            "created": timestamp(rng, _FROM, 1500), "flights": bookings})


def _documents() -> Iterator[Document]:
    rng = random.Random(SEED)
    airlines = _airlines(rng)
    airports = _airports(rng)
    by_type = {"airline": airlines, "airport": airports, "route": _routes(rng, airlines, airports),
               "hotel": _hotels(rng), "landmark": _landmarks(rng)}
    for kind in TYPES:
        for doc in by_type[kind]:
            key, body = f"{kind}_{doc['id']}", encode(doc)
            yield DEFAULT, DEFAULT, key, body
            yield INVENTORY, kind, key, body
    taken: set[str] = set()
    for scope in TENANTS:
        yield from _tenant_docs(rng, scope, taken)


_ROUTE_DAYS = "`sourceairport`,`destinationairport`,ARRAY `v`.`day` FOR `v` IN `schedule` END"
_UTC = "ARRAY `s`.`utc` FOR `s` IN `schedule` END"
_INV = "`travel-sample`.`inventory`"

SAMPLE = Sample(
    name=NAME,
    documents=_documents,
    scopes={INVENTORY: list(TYPES), **{t: ["users", "bookings"] for t in TENANTS}},
    design_docs={},
    # As the server installs them, except that this engine has no DISTINCT
    # array keys: the route-day keys are plain arrays.
    indexes=[
        "CREATE PRIMARY INDEX `def_primary` ON `travel-sample`",
        "CREATE INDEX `def_airportname` ON `travel-sample`(`airportname`)",
        "CREATE INDEX `def_city` ON `travel-sample`(`city`)",
        "CREATE INDEX `def_faa` ON `travel-sample`(`faa`)",
        "CREATE INDEX `def_icao` ON `travel-sample`(`icao`)",
        'CREATE INDEX `def_name_type` ON `travel-sample`(`name`) WHERE (`_type` = "User")',
        f"CREATE INDEX `def_route_src_dst_day` ON `travel-sample`({_ROUTE_DAYS})"
        ' WHERE (`type` = "route")',
        f"CREATE INDEX `def_schedule_utc` ON `travel-sample`({_UTC})",
        "CREATE INDEX `def_sourceairport` ON `travel-sample`(`sourceairport`)",
        "CREATE INDEX `def_type` ON `travel-sample`(`type`)",
        *[f"CREATE PRIMARY INDEX `def_inventory_{t}_primary` ON {_INV}.`{t}`" for t in TYPES],
        f"CREATE INDEX `def_inventory_airport_airportname` ON {_INV}.`airport`(`airportname`)",
        f"CREATE INDEX `def_inventory_airport_city` ON {_INV}.`airport`(`city`)",
        f"CREATE INDEX `def_inventory_airport_faa` ON {_INV}.`airport`(`faa`)",
        f"CREATE INDEX `def_inventory_hotel_city` ON {_INV}.`hotel`(`city`)",
        f"CREATE INDEX `def_inventory_landmark_city` ON {_INV}.`landmark`(`city`)",
        f"CREATE INDEX `def_inventory_route_route_src_dst_day` ON {_INV}.`route`({_ROUTE_DAYS})",
        f"CREATE INDEX `def_inventory_route_schedule_utc` ON {_INV}.`route`({_UTC})",
        f"CREATE INDEX `def_inventory_route_sourceairport` ON {_INV}.`route`(`sourceairport`)",
    ],
)
