"""``beer-sample``: breweries and their beers, and the ``beer`` design document.

Documents are in the default collection, with the fields and key patterns of
Couchbase's beer-sample bucket: a brewery is ``<brewery_id>`` (``name``,
``city``, ``state``, ``code``, ``country``, ``phone``, ``website``, ``type``
``"brewery"``, ``updated``, ``description``, ``address`` [list], ``geo``
{``accuracy``, ``lat``, ``lon``}); a beer is ``<brewery_id>-<beer_id>``
(``name``, ``abv``, ``ibu``, ``srm``, ``upc``, ``type`` ``"beer"``,
``brewery_id``, ``updated``, ``description``, ``style``, ``category``). As in
the real set, some breweries have no ``geo`` and some beers no style or
category. The documents the developer guide reads (``aass_brewery-juleol``,
``21st_amendment_brewery_cafe`` and its beers) carry the guide's values; the
rest (1,412 breweries and 5,891 beers in all, the real set's size) are made
up from word lists.

Views (design document ``beer``): ``brewery_beers`` emits ``[brewery id]`` for
a brewery and ``[brewery_id, beer id]`` for a beer (so a brewery's beers
follow it); ``by_location`` emits ``[country, state, city]`` (shorter when the
city or state is missing) with ``_count``. N1QL: the primary index
``beer_primary``.
"""

from __future__ import annotations

import random
from datetime import datetime
from typing import Any, Iterator, Optional

from .dataset import DEFAULT, Document, Sample, encode, slug, timestamp, unique

NAME = "beer-sample"
BREWERIES = 1412
BEERS = 5891
SEED = 1412

_UPDATED_FROM = datetime(2010, 7, 22, 20, 0, 20)

# (city, state, country, lat, lon, postal code, phone prefix); state "" where
# the real set has none.
CITIES = [
    ("San Francisco", "California", "United States", 37.7749, -122.4194, "941", "1-415"),
    ("San Diego", "California", "United States", 32.7157, -117.1611, "921", "1-619"),
    ("Chico", "California", "United States", 39.7285, -121.8375, "959", "1-530"),
    ("Portland", "Oregon", "United States", 45.5152, -122.6784, "972", "1-503"),
    ("Bend", "Oregon", "United States", 44.0582, -121.3153, "977", "1-541"),
    ("Seattle", "Washington", "United States", 47.6062, -122.3321, "981", "1-206"),
    ("Denver", "Colorado", "United States", 39.7392, -104.9903, "802", "1-303"),
    ("Fort Collins", "Colorado", "United States", 40.5853, -105.0844, "805", "1-970"),
    ("Boulder", "Colorado", "United States", 40.0150, -105.2705, "803", "1-303"),
    ("Austin", "Texas", "United States", 30.2672, -97.7431, "787", "1-512"),
    ("Houston", "Texas", "United States", 29.7604, -95.3698, "770", "1-713"),
    ("Chicago", "Illinois", "United States", 41.8781, -87.6298, "606", "1-312"),
    ("Milwaukee", "Wisconsin", "United States", 43.0389, -87.9065, "532", "1-414"),
    ("Madison", "Wisconsin", "United States", 43.0731, -89.4012, "537", "1-608"),
    ("Minneapolis", "Minnesota", "United States", 44.9778, -93.2650, "554", "1-612"),
    ("Saint Louis", "Missouri", "United States", 38.6270, -90.1994, "631", "1-314"),
    ("Kalamazoo", "Michigan", "United States", 42.2917, -85.5872, "490", "1-269"),
    ("Grand Rapids", "Michigan", "United States", 42.9634, -85.6681, "495", "1-616"),
    ("Cleveland", "Ohio", "United States", 41.4993, -81.6944, "441", "1-216"),
    ("Philadelphia", "Pennsylvania", "United States", 39.9526, -75.1652, "191", "1-215"),
    ("Pittsburgh", "Pennsylvania", "United States", 40.4406, -79.9959, "152", "1-412"),
    ("Brooklyn", "New York", "United States", 40.6782, -73.9442, "112", "1-718"),
    ("Cooperstown", "New York", "United States", 42.7006, -74.9243, "133", "1-607"),
    ("Boston", "Massachusetts", "United States", 42.3601, -71.0589, "021", "1-617"),
    ("Portland", "Maine", "United States", 43.6591, -70.2568, "041", "1-207"),
    ("Burlington", "Vermont", "United States", 44.4759, -73.2121, "054", "1-802"),
    ("Milton", "Delaware", "United States", 38.7776, -75.3099, "199", "1-302"),
    ("Asheville", "North Carolina", "United States", 35.5951, -82.5515, "288", "1-828"),
    ("Atlanta", "Georgia", "United States", 33.7490, -84.3880, "303", "1-404"),
    ("Tampa", "Florida", "United States", 27.9506, -82.4572, "336", "1-813"),
    ("Anchorage", "Alaska", "United States", 61.2181, -149.9003, "995", "1-907"),
    ("Toronto", "Ontario", "Canada", 43.6532, -79.3832, "M5V", "1-416"),
    ("Montreal", "Quebec", "Canada", 45.5017, -73.5673, "H2X", "1-514"),
    ("Vancouver", "British Columbia", "Canada", 49.2827, -123.1207, "V6B", "1-604"),
    ("Munich", "Bayern", "Germany", 48.1351, 11.5820, "80331", "49-89"),
    ("Bamberg", "Bayern", "Germany", 49.8988, 10.9028, "96047", "49-951"),
    ("Cologne", "Nordrhein-Westfalen", "Germany", 50.9375, 6.9603, "50667", "49-221"),
    ("Brussels", "Brussel", "Belgium", 50.8503, 4.3517, "1000", "32-2"),
    ("Bruges", "West-Vlaanderen", "Belgium", 51.2093, 3.2247, "8000", "32-50"),
    ("London", "London", "United Kingdom", 51.5074, -0.1278, "SE1", "44-20"),
    ("Edinburgh", "Scotland", "United Kingdom", 55.9533, -3.1883, "EH1", "44-131"),
    ("Dublin", "", "Ireland", 53.3498, -6.2603, "", "353-1"),
    ("Prague", "", "Czech Republic", 50.0755, 14.4378, "110 00", "420-2"),
    ("Amsterdam", "Noord-Holland", "Netherlands", 52.3676, 4.9041, "1012", "31-20"),
    ("Copenhagen", "", "Denmark", 55.6761, 12.5683, "1050", "45-33"),
    ("Tokyo", "Tokyo", "Japan", 35.6762, 139.6503, "100", "81-3"),
    ("Melbourne", "Victoria", "Australia", -37.8136, 144.9631, "3000", "61-3"),
    ("Mexico City", "Distrito Federal", "Mexico", 19.4326, -99.1332, "06000", "52-55"),
]
# Most of the real set's breweries are American.
_CITY_WEIGHTS = [6 if c[2] == "United States" else 2 for c in CITIES]

# (category, style); a beer has one pair, or (15%) neither field.
STYLES = [
    ("North American Ale", "American-Style Pale Ale"),
    ("North American Ale", "American-Style India Pale Ale"),
    ("North American Ale", "American-Style Amber/Red Ale"),
    ("North American Ale", "American-Style Stout"),
    ("North American Ale", "American-Style Brown Ale"),
    ("North American Ale", "Imperial or Double India Pale Ale"),
    ("North American Ale", "Golden or Blonde Ale"),
    ("North American Lager", "American-Style Lager"),
    ("North American Lager", "American-Style Light Lager"),
    ("North American Lager", "American-Style Premium Lager"),
    ("British Ale", "Special Bitter or Best Bitter"),
    ("British Ale", "Extra Special Bitter"),
    ("British Ale", "Porter"),
    ("British Ale", "Old Ale"),
    ("British Ale", "Scotch Ale"),
    ("Irish Ale", "Irish-Style Red Ale"),
    ("Irish Ale", "Irish-Style Dry Stout"),
    ("German Lager", "German-Style Pilsener"),
    ("German Lager", "Traditional German-Style Bock"),
    ("German Lager", "German-Style Oktoberfest"),
    ("German Ale", "South German-Style Hefeweizen"),
    ("German Ale", "German-Style Brown Ale/Altbier"),
    ("German Ale", "Kolsch-Style Ale"),
    ("Belgian and French Ale", "Belgian-Style Tripel"),
    ("Belgian and French Ale", "Belgian-Style Dubbel"),
    ("Belgian and French Ale", "Belgian-Style White"),
    ("Belgian and French Ale", "French & Belgian-Style Saison"),
    ("Other Style", "Fruit Beer"),
    ("Other Style", "Spice, Herb, or Vegetable Beer"),
    ("Other Style", "Strong Ale"),
    ("International Lager", "Dortmunder/Helles"),
]
_STYLE_WORDS = {
    "American-Style Pale Ale": "Pale Ale", "American-Style India Pale Ale": "IPA",
    "American-Style Amber/Red Ale": "Amber", "American-Style Stout": "Stout",
    "American-Style Brown Ale": "Brown Ale", "Imperial or Double India Pale Ale": "Double IPA",
    "Golden or Blonde Ale": "Blonde", "American-Style Lager": "Lager",
    "American-Style Light Lager": "Light", "American-Style Premium Lager": "Premium Lager",
    "Special Bitter or Best Bitter": "Bitter", "Extra Special Bitter": "ESB",
    "Porter": "Porter", "Old Ale": "Old Ale", "Scotch Ale": "Wee Heavy",
    "Irish-Style Red Ale": "Red", "Irish-Style Dry Stout": "Dry Stout",
    "German-Style Pilsener": "Pils", "Traditional German-Style Bock": "Bock",
    "German-Style Oktoberfest": "Oktoberfest", "South German-Style Hefeweizen": "Hefeweizen",
    "German-Style Brown Ale/Altbier": "Alt", "Kolsch-Style Ale": "Kolsch",
    "Belgian-Style Tripel": "Tripel", "Belgian-Style Dubbel": "Dubbel",
    "Belgian-Style White": "Wit", "French & Belgian-Style Saison": "Saison",
    "Fruit Beer": "Fruit Ale", "Spice, Herb, or Vegetable Beer": "Spiced Ale",
    "Strong Ale": "Strong Ale", "Dortmunder/Helles": "Helles",
}
# Typical alcohol by volume per style word (the real set's values spread around these).
_ABV = {"Double IPA": 8.5, "IPA": 6.8, "Tripel": 8.8, "Dubbel": 7.0, "Wee Heavy": 8.0,
        "Strong Ale": 9.0, "Bock": 6.6, "Old Ale": 7.5, "Light": 4.2, "Bitter": 4.3}

_ADJECTIVES = [
    "Amber", "Ancient", "Bald", "Bearded", "Big", "Black", "Blue", "Bold", "Broken", "Brown",
    "Copper", "Crooked", "Dark", "Dead", "Double", "Dry", "Dusty", "Early", "Fat", "Flying",
    "Foggy", "Golden", "Grand", "Great", "Green", "Grey", "Happy", "Hidden", "High", "Hollow",
    "Honest", "Hoppy", "Iron", "Lazy", "Little", "Lost", "Lucky", "Mad", "Mighty", "Misty",
    "Noble", "Old", "Pale", "Quiet", "Red", "Rusty", "Salty", "Silver", "Sleepy", "Smoky",
    "Stone", "Storm", "Sunny", "Tall", "Twisted", "Wild", "Windy", "Wise", "Yellow", "Young",
]
_NOUNS = [
    "Anchor", "Badger", "Barrel", "Bear", "Bison", "Boar", "Bridge", "Brook", "Canyon",
    "Castle", "Cedar", "Coast", "Coyote", "Creek", "Crow", "Dog", "Dragon", "Eagle", "Elk",
    "Falcon", "Ferry", "Fox", "Frog", "Goat", "Harbor", "Hawk", "Heron", "Hill", "Horse",
    "Island", "Lake", "Lantern", "Lighthouse", "Lion", "Mill", "Moose", "Mountain", "Oak",
    "Otter", "Owl", "Peak", "Pelican", "Pine", "Rabbit", "Raven", "Ridge", "River", "Rock",
    "Rooster", "Salmon", "Stag", "Summit", "Trail", "Tree", "Valley", "Whale", "Wolf",
]
_SURNAMES = [
    "Abbott", "Baker", "Becker", "Brandt", "Carter", "Dawson", "Eastman", "Fischer", "Foster",
    "Gallagher", "Hartmann", "Hayes", "Jansen", "Keller", "Krause", "Larsen", "Lehmann",
    "Maes", "McAllister", "Morgan", "Murphy", "Nolan", "Olsen", "Peeters", "Quinn", "Reilly",
    "Schmidt", "Schneider", "Sullivan", "Thornton", "Vogel", "Walsh", "Weber", "Wright",
]
_KINDS = ["Brewing Company", "Brewery", "Brewing Co.", "Brewpub", "Brewery and Pub",
          "Beer Company", "Ales", "Brewhouse", "Brewing", "Bier Haus"]
_STREETS = ["Main Street", "Second Street", "Market Street", "Mill Road", "Harbor Way",
            "Water Street", "Industrial Drive", "Oak Avenue", "Railroad Avenue", "Elm Street",
            "Front Street", "Lake Road", "Commerce Way", "River Road", "Broadway"]
_BEER_WORDS = [
    "Anniversary", "Autumn", "Bitter End", "Black Cat", "Boathouse", "Breakfast", "Campfire",
    "Cascade", "Centennial", "Citra", "Cliffside", "Dockside", "Dreadnought", "Equinox",
    "Evening", "Farmhouse", "Fireside", "Frostbite", "Full Moon", "Gold Rush", "Harvest",
    "Haymaker", "Headwaters", "Hopscotch", "Hurricane", "Jubilee", "Lighthouse", "Longboard",
    "Midnight", "Morning Glory", "Nightshade", "Nor'easter", "Old Faithful", "Orchard",
    "Outlaw", "Pioneer", "Porch", "Prairie", "Red Barn", "Riverbend", "Saint", "Sawtooth",
    "Session", "Solstice", "Spring", "Sundown", "Thunderhead", "Trailhead", "Tumbleweed",
    "Vagabond", "Wanderlust", "Wildfire", "Winter", "Yeti",
]
_DESCRIPTIONS = [
    "Brewed with {hop} hops for a crisp, clean finish.",
    "A {adj} {word} with notes of caramel, toffee and a touch of roast.",
    "Our flagship {word}, brewed in small batches since the brewery opened.",
    "Light bodied and refreshing, with a subtle {hop} hop aroma.",
    "Aged on oak for a smooth, rich character.",
    "",
]
_HOPS = ["Cascade", "Centennial", "Chinook", "Saaz", "Hallertau", "Fuggle", "Goldings",
         "Simcoe", "Amarillo", "Willamette"]

# -- the documents the developer guide and its examples read -----------------------------

_KNOWN_BREWERIES: dict[str, dict[str, Any]] = {
    "21st_amendment_brewery_cafe": {
        "name": "21st Amendment Brewery Cafe", "city": "San Francisco", "state": "California",
        "code": "94107", "country": "United States", "phone": "1-415-369-0900",
        "website": "http://www.21st-amendment.com/", "type": "brewery",
        "updated": "2010-10-24 13:54:07",
        "description": "The 21st Amendment Brewery offers a variety of award winning house "
                       "made brews and American grilled cuisine in a comfortable loft like "
                       "setting.",
        "address": ["563 Second Street"],
        "geo": {"accuracy": "ROOFTOP", "lat": 37.7825, "lon": -122.393},
    },
    "aass_brewery": {
        "name": "Aass Brewery", "city": "Drammen", "state": "", "code": "",
        "country": "Norway", "phone": "47-32-26-60-00", "website": "http://www.aass.no",
        "type": "brewery", "updated": "2010-07-22 20:00:20",
        "description": "The oldest brewery in Norway, brewing in Drammen since 1834.",
        "address": ["Ole Steensgt. 10 Postboks 1530"],
        "geo": {"accuracy": "RANGE_INTERPOLATED", "lat": 59.7451, "lon": 10.2135},
    },
}
# brewery id -> [(beer name, abv, category, style)]
_KNOWN_BEERS = {
    "21st_amendment_brewery_cafe": [
        ("21A IPA", 7.2, "North American Ale", "American-Style India Pale Ale"),
        ("563 Stout", 5.0, "North American Ale", "American-Style Stout"),
        ("Amendment Pale Ale", 5.2, "North American Ale", "American-Style Pale Ale"),
        ("Bitter American", 4.4, "British Ale", "Special Bitter or Best Bitter"),
        ("Double Trouble IPA", 9.8, "North American Ale", "Imperial or Double India Pale Ale"),
        ("General Pippo's Porter", 5.5, "Irish Ale", "Porter"),
        ("North Star Red", 6.1, "North American Ale", "American-Style Amber/Red Ale"),
        ("Oyster Point Oyster Stout", 5.9, "North American Ale", "American-Style Stout"),
        ("Potrero ESB", 5.2, "British Ale", "Extra Special Bitter"),
        ("South Park Blonde", 5.0, "North American Ale", "Golden or Blonde Ale"),
        ("Watermelon Wheat", 5.5, "Other Style", "Fruit Beer"),
    ],
    "aass_brewery": [
        ("Juleøl", 5.9, "North American Lager", "American-Style Lager"),
        ("Genuine Pilsner", 5.0, "German Lager", "German-Style Pilsener"),
        ("Bock", 6.5, "German Lager", "Traditional German-Style Bock"),
    ],
}


def _beer_doc(name: str, abv: float, brewery: str, updated: str, description: str,
              style: Optional[tuple[str, str]]) -> dict[str, Any]:
    doc: dict[str, Any] = {"name": name, "abv": abv, "ibu": 0.0, "srm": 0.0, "upc": 0,
                           "type": "beer", "brewery_id": brewery, "updated": updated,
                           "description": description}
    if style is not None:
        doc["style"], doc["category"] = style[1], style[0]
    return doc


def _known() -> dict[str, dict[str, Any]]:
    docs: dict[str, dict[str, Any]] = dict(_KNOWN_BREWERIES)
    for brewery, beers in _KNOWN_BEERS.items():
        for name, abv, category, style in beers:
            docs[f"{brewery}-{slug(name)}"] = _beer_doc(
                name, abv, brewery, "2010-07-22 20:00:20", "", (category, style))
    # As the guide shows it (Hello Couchbase reads its name and abv).
    juleol = docs["aass_brewery-juleol"]
    juleol["ibu"], juleol["srm"] = 0, 0
    return docs


def _brewery_name(rng: random.Random, city: str) -> str:
    form = rng.randrange(5)
    if form == 0:
        return f"{rng.choice(_ADJECTIVES)} {rng.choice(_NOUNS)} {rng.choice(_KINDS)}"
    if form == 1:
        return f"{rng.choice(_SURNAMES)} {rng.choice(_KINDS)}"
    if form == 2:
        return f"{city} {rng.choice(_KINDS)}"
    if form == 3:
        return f"{rng.choice(_NOUNS)} & {rng.choice(_NOUNS)} {rng.choice(_KINDS)}"
    return f"{rng.choice(_SURNAMES)} {rng.choice(_NOUNS)} {rng.choice(_KINDS)}"


def _brewery(rng: random.Random, taken: set[str]) -> tuple[str, dict[str, Any]]:
    city, state, country, lat, lon, code, phone = rng.choices(CITIES, _CITY_WEIGHTS)[0]
    while True:
        name = _brewery_name(rng, city)
        key = slug(name)
        if key not in taken:
            taken.add(key)
            break
    doc: dict[str, Any] = {
        "name": name, "city": city, "state": state,
        "code": f"{code}{rng.randrange(10, 99)}" if country == "United States" else code,
        "country": country,
        "phone": f"{phone}-{rng.randrange(200, 999)}-{rng.randrange(1000, 9999)}",
        "website": rng.choice([f"http://www.{key.replace('_', '')}.com/", ""]),
        "type": "brewery", "updated": timestamp(rng, _UPDATED_FROM, 400),
        "description": rng.choice(["", f"A {rng.choice(['family', 'craft', 'neighborhood'])}"
                                       f" brewery in {city}."]),
        "address": [f"{rng.randrange(1, 9999)} {rng.choice(_STREETS)}"]
        if rng.random() < 0.9 else [],
    }
    if rng.random() < 0.85:
        doc["geo"] = {"accuracy": rng.choice(["ROOFTOP", "RANGE_INTERPOLATED", "APPROXIMATE"]),
                      "lat": round(lat + rng.uniform(-0.2, 0.2), 4),
                      "lon": round(lon + rng.uniform(-0.2, 0.2), 4)}
    return key, doc


def _beer(rng: random.Random, brewery: str, taken: set[str]) -> tuple[str, dict[str, Any]]:
    style = rng.choice(STYLES) if rng.random() < 0.85 else None
    word = _STYLE_WORDS[style[1]] if style is not None else rng.choice(["Ale", "Lager"])

    def name_of(r: random.Random) -> str:
        if r.random() < 0.5:
            return f"{r.choice(_BEER_WORDS)} {word}"
        return f"{r.choice(_ADJECTIVES)} {r.choice(_NOUNS)} {word}"

    name = unique(rng, name_of, taken)
    description = rng.choice(_DESCRIPTIONS).format(
        hop=rng.choice(_HOPS), adj=rng.choice(_ADJECTIVES).lower(), word=word.lower())
    abv = round(max(0.0, rng.gauss(_ABV.get(word, 5.4), 0.9)), 1)
    doc = _beer_doc(name, abv, brewery, timestamp(rng, _UPDATED_FROM, 400), description, style)
    return f"{brewery}-{slug(name)}", doc


def generate() -> dict[str, dict[str, Any]]:
    """Every document, by key (the same on every call)."""
    rng = random.Random(SEED)
    docs = _known()
    taken = set(_KNOWN_BREWERIES)
    breweries = []
    for _ in range(BREWERIES - len(_KNOWN_BREWERIES)):
        key, doc = _brewery(rng, taken)
        docs[key] = doc
        breweries.append(key)
    # A few breweries make many beers, most a handful.
    weights = [min(rng.paretovariate(1.5), 25.0) for _ in breweries]
    names: dict[str, set[str]] = {}
    beers = BEERS - sum(len(b) for b in _KNOWN_BEERS.values())
    for brewery in rng.choices(breweries, weights, k=beers):
        key, doc = _beer(rng, brewery, names.setdefault(brewery, set()))
        docs[key] = doc
    return docs


def _documents() -> Iterator[Document]:
    for key, doc in generate().items():
        yield DEFAULT, DEFAULT, key, encode(doc)


BREWERY_BEERS = """function (doc, meta) {
  if (doc.type == "brewery") {
    emit([meta.id], null);
  } else if (doc.type == "beer" && doc.brewery_id) {
    emit([doc.brewery_id, meta.id], null);
  }
}"""

BY_LOCATION = """function (doc, meta) {
  if (doc.city) {
    emit([doc.country, doc.state, doc.city], 1);
  } else if (doc.state) {
    emit([doc.country, doc.state], 1);
  } else if (doc.country) {
    emit([doc.country], 1);
  }
}"""

SAMPLE = Sample(
    name=NAME,
    documents=_documents,
    scopes={},
    design_docs={"beer": {"views": {
        "brewery_beers": {"map": BREWERY_BEERS},
        "by_location": {"map": BY_LOCATION, "reduce": "_count"},
    }}},
    indexes=["CREATE PRIMARY INDEX `beer_primary` ON `beer-sample`"],
)
