"""Deterministic generator for the demo order files, one per import preset.

Run `python resources/samples/generate.py` (from the repo root) to rewrite every sample file and
`expected.json`, the manifest tests check `read_order_file` against (the orders each file must
yield and the file rows that must be rejected or skipped).

The campaign: "Lanterns of the Deep", a board game with a deluxe upgrade, an art book, t-shirts,
stickers, an enamel pin and a playmat. US addresses use real ZIP/city/state triples so a USPS
address check accepts them; street numbers and names are invented.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import random
import re
import sys
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

HERE = Path(__file__).resolve().parent

# --- places -----------------------------------------------------------------------------------

#: Real (ZIP, city, state) triples across all USPS zones, AK/HI and Puerto Rico included.
US_PLACES: tuple[tuple[str, str, str], ...] = (
    ("10001", "New York", "NY"),
    ("02108", "Boston", "MA"),
    ("02139", "Cambridge", "MA"),
    ("03301", "Concord", "NH"),
    ("04101", "Portland", "ME"),
    ("05401", "Burlington", "VT"),
    ("06103", "Hartford", "CT"),
    ("07102", "Newark", "NJ"),
    ("08540", "Princeton", "NJ"),
    ("11201", "Brooklyn", "NY"),
    ("12207", "Albany", "NY"),
    ("14604", "Rochester", "NY"),
    ("15222", "Pittsburgh", "PA"),
    ("19103", "Philadelphia", "PA"),
    ("19801", "Wilmington", "DE"),
    ("20001", "Washington", "DC"),
    ("21201", "Baltimore", "MD"),
    ("22314", "Alexandria", "VA"),
    ("23219", "Richmond", "VA"),
    ("25301", "Charleston", "WV"),
    ("27601", "Raleigh", "NC"),
    ("28202", "Charlotte", "NC"),
    ("29201", "Columbia", "SC"),
    ("30303", "Atlanta", "GA"),
    ("32801", "Orlando", "FL"),
    ("33131", "Miami", "FL"),
    ("35203", "Birmingham", "AL"),
    ("37203", "Nashville", "TN"),
    ("39201", "Jackson", "MS"),
    ("40202", "Louisville", "KY"),
    ("43215", "Columbus", "OH"),
    ("44113", "Cleveland", "OH"),
    ("46204", "Indianapolis", "IN"),
    ("48226", "Detroit", "MI"),
    ("50309", "Des Moines", "IA"),
    ("53202", "Milwaukee", "WI"),
    ("55401", "Minneapolis", "MN"),
    ("57104", "Sioux Falls", "SD"),
    ("58102", "Fargo", "ND"),
    ("59601", "Helena", "MT"),
    ("60601", "Chicago", "IL"),
    ("63101", "Saint Louis", "MO"),
    ("64105", "Kansas City", "MO"),
    ("66603", "Topeka", "KS"),
    ("68102", "Omaha", "NE"),
    ("70112", "New Orleans", "LA"),
    ("72201", "Little Rock", "AR"),
    ("73102", "Oklahoma City", "OK"),
    ("75201", "Dallas", "TX"),
    ("77002", "Houston", "TX"),
    ("78701", "Austin", "TX"),
    ("80202", "Denver", "CO"),
    ("82001", "Cheyenne", "WY"),
    ("83702", "Boise", "ID"),
    ("84111", "Salt Lake City", "UT"),
    ("85004", "Phoenix", "AZ"),
    ("87102", "Albuquerque", "NM"),
    ("89101", "Las Vegas", "NV"),
    ("90012", "Los Angeles", "CA"),
    ("92101", "San Diego", "CA"),
    ("94103", "San Francisco", "CA"),
    ("95814", "Sacramento", "CA"),
    ("96813", "Honolulu", "HI"),
    ("97204", "Portland", "OR"),
    ("98101", "Seattle", "WA"),
    ("99501", "Anchorage", "AK"),
    ("00901", "San Juan", "PR"),
)
US_STATE_NAMES = {
    "NY": "New York",
    "MA": "Massachusetts",
    "NH": "New Hampshire",
    "ME": "Maine",
    "VT": "Vermont",
    "CT": "Connecticut",
    "NJ": "New Jersey",
    "PA": "Pennsylvania",
    "DE": "Delaware",
    "DC": "District of Columbia",
    "MD": "Maryland",
    "VA": "Virginia",
    "WV": "West Virginia",
    "NC": "North Carolina",
    "SC": "South Carolina",
    "GA": "Georgia",
    "FL": "Florida",
    "AL": "Alabama",
    "TN": "Tennessee",
    "MS": "Mississippi",
    "KY": "Kentucky",
    "OH": "Ohio",
    "IN": "Indiana",
    "MI": "Michigan",
    "IA": "Iowa",
    "WI": "Wisconsin",
    "MN": "Minnesota",
    "SD": "South Dakota",
    "ND": "North Dakota",
    "MT": "Montana",
    "IL": "Illinois",
    "MO": "Missouri",
    "KS": "Kansas",
    "NE": "Nebraska",
    "LA": "Louisiana",
    "AR": "Arkansas",
    "OK": "Oklahoma",
    "TX": "Texas",
    "CO": "Colorado",
    "WY": "Wyoming",
    "ID": "Idaho",
    "UT": "Utah",
    "AZ": "Arizona",
    "NM": "New Mexico",
    "NV": "Nevada",
    "CA": "California",
    "HI": "Hawaii",
    "OR": "Oregon",
    "WA": "Washington",
    "AK": "Alaska",
    "PR": "Puerto Rico",
}

#: (country code, country name, city, region, postal code, phone prefix)
FOREIGN_PLACES: tuple[tuple[str, str, str, str, str, str], ...] = (
    ("CA", "Canada", "Toronto", "ON", "M5V 2T6", "+1416"),
    ("CA", "Canada", "Vancouver", "BC", "V6B 1A1", "+1604"),
    ("CA", "Canada", "Montréal", "QC", "H2Y 1C6", "+1514"),
    ("GB", "United Kingdom", "London", "", "SW1A 1AA", "+4420"),
    ("GB", "United Kingdom", "Manchester", "", "M1 1AE", "+44161"),
    ("GB", "United Kingdom", "Edinburgh", "", "EH1 1YZ", "+44131"),
    ("DE", "Germany", "Berlin", "", "10115", "+4930"),
    ("DE", "Germany", "München", "", "80331", "+4989"),
    ("DE", "Germany", "Köln", "", "50667", "+49221"),
    ("AU", "Australia", "Sydney", "NSW", "2000", "+612"),
    ("AU", "Australia", "Melbourne", "VIC", "3000", "+613"),
    ("JP", "Japan", "Tokyo", "Tokyo", "100-0001", "+813"),
    ("JP", "Japan", "Osaka", "Osaka", "530-0001", "+816"),
    ("FR", "France", "Paris", "", "75001", "+331"),
    ("SE", "Sweden", "Tyresö", "Stockholms Län", "135 44", "+468"),
    ("NL", "Netherlands", "Amsterdam", "", "1012 JS", "+3120"),
    ("NZ", "New Zealand", "Auckland", "", "1010", "+649"),
    ("ES", "Spain", "Madrid", "", "28013", "+3491"),
    ("IT", "Italy", "Roma", "RM", "00184", "+3906"),
    ("BR", "Brazil", "São Paulo", "SP", "01310-100", "+5511"),
)

FIRST_NAMES = (
    "James",
    "Mary",
    "Robert",
    "Patricia",
    "John",
    "Jennifer",
    "Michael",
    "Linda",
    "David",
    "Elizabeth",
    "William",
    "Barbara",
    "Richard",
    "Susan",
    "Joseph",
    "Jessica",
    "Thomas",
    "Sarah",
    "Chris",
    "Karen",
    "Daniel",
    "Nancy",
    "Matthew",
    "Lisa",
    "Anthony",
    "Betty",
    "Mark",
    "Sandra",
    "Priya",
    "Wei",
    "Aisha",
    "Mateo",
    "Hannah",
    "Noah",
    "Olivia",
    "Liam",
    "Emma",
    "Ethan",
)
LAST_NAMES = (
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Clark",
    "Lewis",
    "Patel",
    "Nguyen",
    "Kim",
    "Chen",
    "O'Brien",
    "McAllister",
    "Okafor",
)
#: Names that exercise Unicode all the way to the label.
UNICODE_NAMES = (
    "José Núñez",
    "Zoë Brontë",
    "Łukasz Wiśniewski",
    "Søren Kierkegård",
    "Ólafur Arnalds",
    "François Lefèvre",
    "Çağla Çelik",
    "Björk Guðmundsdóttir",
    "Jürgen Müller",
    "Đorđe Petrović",
    "山田 太郎",
    "Ana-María Pérez",
    "Mikael Ångström",
    "Renée Dubois",
    "Ewa Żółkiewska",
    "Dmitri Volkov",
    "Seo-yeon Park",
    "Siobhán Ní Bhriain",
)
STREETS = (
    "Main St",
    "Oak Ave",
    "Maple Dr",
    "Cedar Ln",
    "Park Blvd",
    "Elm St",
    "Washington Ave",
    "Lakeview Rd",
    "Hillcrest Dr",
    "Sunset Blvd",
    "River Rd",
    "Church St",
    "2nd St",
    "Pine Ct",
)
FOREIGN_STREETS = {
    "CA": ("Queen St W", "Rue Saint-Paul O", "Granville St"),
    "GB": ("Baker Street", "High Street", "Princes Street"),
    "DE": ("Hauptstraße", "Schillerstraße", "Friedrichstraße"),
    "AU": ("George St", "Collins St", "Pitt St"),
    "JP": ("Chiyoda 1-1", "Umeda 3-1-1", "Marunouchi 2-4"),
    "FR": ("Rue de Rivoli", "Rue Saint-Honoré"),
    "SE": ("Storgatan", "Drottninggatan"),
    "NL": ("Damrak", "Keizersgracht"),
    "NZ": ("Queen Street", "Ponsonby Road"),
    "ES": ("Calle Mayor", "Gran Vía"),
    "IT": ("Via Nazionale", "Via del Corso"),
    "BR": ("Avenida Paulista", "Rua Augusta"),
}


@dataclass(frozen=True)
class Person:
    """One recipient, clean; each writer makes it messy in its own format's ways."""

    name: str
    email: str
    phone: str
    street1: str
    street2: str
    city: str
    state: str  # USPS code for US, region for others ("" when none)
    postal: str
    country: str  # ISO alpha-2
    country_name: str
    company: str = ""


def make_person(rng: random.Random, serial: int, *, domestic_share: float = 0.7) -> Person:
    """A plausible recipient; about 70% in the US (real ZIP/city/state), the rest abroad."""
    if rng.random() < 0.08:
        name = rng.choice(UNICODE_NAMES)
    else:
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
    handle = "".join(ch for ch in name.lower() if ch.isascii() and ch.isalnum()) or "backer"
    email = f"{handle}{serial}@example.com"
    street2 = ""
    if rng.random() < 0.2:
        street2 = rng.choice(("Apt ", "Suite ", "Unit ", "#")) + str(rng.randint(1, 450))
    if rng.random() < domestic_share:
        zip_code, city, state = rng.choice(US_PLACES)
        return Person(
            name=name,
            email=email,
            phone=f"+1{rng.randint(201, 989)}555{rng.randint(1000, 9999)}",
            street1=f"{rng.randint(1, 9899)} {rng.choice(STREETS)}",
            street2=street2,
            city=city,
            state=state,
            postal=zip_code,
            country="US",
            country_name="United States",
        )
    code, country_name, city, region, postal, phone = rng.choice(FOREIGN_PLACES)
    street = rng.choice(FOREIGN_STREETS[code])
    number = rng.randint(1, 220)
    street1 = f"{street} {number}" if code in ("DE", "SE", "NL") else f"{number} {street}"
    if code == "JP":
        street1 = f"{street}-{number}"
    return Person(
        name=name,
        email=email,
        phone=f"{phone}{rng.randint(100000, 999999)}",
        street1=street1,
        street2=street2,
        city=city,
        state=region,
        postal=postal,
        country=code,
        country_name=country_name,
    )


# --- the campaign -----------------------------------------------------------------------------

CORE, DELUXE, ART_BOOK = (
    "Lanterns of the Deep: Core Game",
    "Deluxe Upgrade Pack",
    "Art Book (Hardcover)",
)
TEE_M, TEE_L, TEE_XL = "T-Shirt (M)", "T-Shirt (L)", "T-Shirt (XL)"
STICKERS, PIN, PLAYMAT = "Sticker Sheet", "Enamel Pin", "Neoprene Playmat"
KS_ITEMS = (CORE, DELUXE, ART_BOOK, TEE_M, TEE_L, TEE_XL, STICKERS)
KS_ADDONS = ((10750435, ART_BOOK), (10750436, PLAYMAT), (10750437, PIN), (10750438, STICKERS))
TEES = (TEE_M, TEE_L, TEE_XL)


@dataclass(frozen=True)
class Tier:
    title: str
    reward_id: int
    minimum: int
    items: tuple[str, ...]  # one of each; "TEE" picks a size


TIERS = (
    Tier("Explorer", 8123401, 49, (CORE,)),
    Tier("Deep Diver", 8123402, 89, (CORE, DELUXE, STICKERS)),
    Tier("Lantern Keeper", 8123403, 149, (CORE, DELUXE, ART_BOOK, "TEE", STICKERS)),
    Tier("Merch Only", 8123404, 35, ("TEE", STICKERS)),
)
ADDON_PRICES = {ART_BOOK: 35, PLAYMAT: 25, PIN: 12, STICKERS: 5}


def _money(amount: int, currency: str = "USD") -> str:
    symbol = {"USD": "$", "AUD": "$", "CAD": "$", "GBP": "£", "EUR": "€"}.get(currency)
    text = f"{amount:,.2f}"
    return f"{symbol}{text} {currency}" if symbol else f"{currency} {text}"


# --- manifest bookkeeping ---------------------------------------------------------------------


@dataclass
class Manifest:
    """What a sample file must read as."""

    orders: int = 0
    rejected_rows: list[int] = field(default_factory=list)
    skipped_rows: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "orders": self.orders,
            "rejected_rows": self.rejected_rows,
            "skipped_rows": self.skipped_rows,
        }


class _Sheet:
    """A CSV being written, counting rows so planted rows know their row numbers.

    Rows are numbered as a spreadsheet shows them (the importer's errors do the same): a quoted
    cell's line breaks do not move later rows down.
    """

    def __init__(self, handle: io.TextIOBase, header: Sequence[str], line_end: str = "\n") -> None:
        self.writer = csv.writer(handle, lineterminator=line_end)
        self.writer.writerow(header)
        self.next_row = 2
        self.width = len(header)

    def add(self, cells: Sequence[str]) -> int:
        """Write a row; return its spreadsheet row number."""
        row = self.next_row
        self.writer.writerow(cells)
        self.next_row += 1
        return row

    def blank(self) -> None:
        self.writer.writerow([""] * self.width)
        self.next_row += 1


def _spread(rng: random.Random, n_total: int, count: int) -> list[int]:
    """`count` distinct positions in range(1, n_total), spread over the file (never the first)."""
    return sorted(rng.sample(range(1, n_total), min(count, n_total - 1)))


# --- Kickstarter ------------------------------------------------------------------------------

KS_HEADER = (
    "Backer Number",
    "Backer UID",
    "Backer Name",
    "Email",
    "Shipping Country",
    "Shipping Amount",
    "Reward Title",
    "Backing Minimum",
    "Reward ID",
    "Bonus Support",
    "Pledge Amount",
    "Pledged At",
    "Fulfillment Status",
    "Pledged Status",
    "Notes",
    *KS_ITEMS,
    *(f"[Addon: {addon_id}] {name}" for addon_id, name in KS_ADDONS),
    "Survey Response",
    "Shipping Name",
    "Shipping Address 1",
    "Shipping Address 2",
    "Shipping City",
    "Shipping State",
    "Shipping Postal Code",
    "Shipping Country Name",
    "Shipping Country Code",
    "Shipping Phone Number",
    "Shipping Delivery Notes",
)
_KS_BAD = ("no-survey", "atlantis", "no-state", "bad-addon-qty", "state-mismatch", "no-street")
_KS_SKIP = ("errored", "dropped", "errored", "no-reward")
_US_ONLY = frozenset({"no-state", "state-mismatch", "no-postal", "letter-zip"})


def _ks_row(rng: random.Random, number: int, person: Person, kind: str = "") -> list[str]:
    tier = rng.choices(TIERS, weights=(30, 35, 25, 10))[0]
    items = dict.fromkeys(KS_ITEMS, 0)
    for item in tier.items:
        items[rng.choice(TEES) if item == "TEE" else item] += 1
    addons = {addon_id: 0 for addon_id, _name in KS_ADDONS}
    if rng.random() < 0.35:
        for addon_id, _name in rng.sample(KS_ADDONS, rng.randint(1, 2)):
            addons[addon_id] = rng.choice((1, 1, 1, 2))
    addon_total = sum(ADDON_PRICES[name] * addons[aid] for aid, name in KS_ADDONS)
    currency = {"AU": "AUD", "CA": "CAD", "GB": "GBP", "SE": "SEK"}.get(person.country, "USD")
    shipping = 0 if person.country == "US" else rng.choice((15, 20, 25))
    bonus = rng.choice((0, 0, 0, 0, 5, 10, 1000)) if rng.random() < 0.3 else 0
    pledge = tier.minimum + addon_total + shipping + bonus
    status = "collected"
    title, reward_id, minimum = tier.title, str(tier.reward_id), _money(tier.minimum, currency)
    if kind in ("errored", "dropped"):
        status = kind
    if kind == "no-reward":
        items = dict.fromkeys(KS_ITEMS, 0)
        addons = dict.fromkeys(addons, 0)
        title, reward_id, minimum, pledge, shipping = "No reward", "", "", 10, 0
    day = 1 + (number * 7) % 28
    pledged_at = f"2025/03/{day:02d}, {8 + number % 12:02d}:{number % 60:02d}"
    survey = f"2025/06/{day:02d}, {9 + number % 10:02d}:{(number * 13) % 60:02d}"
    state, postal = person.state, person.postal
    if person.country == "US":
        if rng.random() < 0.15:
            state = US_STATE_NAMES[state]  # the survey lets backers type the state name
        if postal.startswith("0") and rng.random() < 0.5:
            postal = postal.lstrip("0")  # re-saved through a spreadsheet
        elif rng.random() < 0.1:
            postal = f"{postal}-{rng.randint(1000, 9999)}"
    street1, street2 = person.street1, person.street2
    if street2 and rng.random() < 0.1:
        street1, street2 = f"{street1}\n{street2}", ""  # typed on two lines in one box
    country_name, country_code = person.country_name, person.country
    notes = "Please leave at the back door" if rng.random() < 0.03 else ""
    if kind == "no-survey" or kind == "no-reward":
        survey = ""
    if kind == "atlantis":
        country_name, country_code = "Atlantis", ""
    if kind == "no-state":
        state = ""
    if kind == "state-mismatch":
        state, postal = "TX", "10001"
    if kind == "no-street":
        street1, street2 = "", ""
    row = [
        str(number),
        str(1_600_000_000 + number * 7919),
        person.name,
        person.email,
        person.country,
        _money(shipping, currency),
        title,
        minimum,
        reward_id,
        _money(bonus, currency) if bonus else "",
        _money(pledge, currency),
        pledged_at,
        "",
        status,
        "",
        *(str(items[item]) if items[item] else "0" for item in KS_ITEMS),
        *(str(addons[aid]) if addons[aid] else "" for aid, _name in KS_ADDONS),
    ]
    if kind == "bad-addon-qty":
        row[15 + len(KS_ITEMS)] = "two"
    if survey:
        row += [
            survey,
            person.name,
            street1,
            street2,
            person.city,
            state,
            postal,
            country_name,
            country_code,
            person.phone if rng.random() < 0.6 else "",
            notes,
        ]
    else:
        row += [""] * 11
    return row


def _write_kickstarter(handle: io.TextIOBase, n_orders: int, seed: int) -> Manifest:
    rng = random.Random(seed)
    sheet = _Sheet(handle, KS_HEADER)
    specials = list(_KS_BAD) + list(_KS_SKIP)
    total = n_orders + len(specials)
    positions = dict(zip(_spread(rng, total, len(specials)), specials, strict=False))
    manifest = Manifest()
    number = 0
    for index in range(total):
        number += rng.choice((1, 1, 1, 1, 2))  # cancelled backers leave gaps in the numbering
        kind = positions.get(index, "")
        person = make_person(rng, number, domestic_share=1.0 if kind in _US_ONLY else 0.7)
        row = sheet.add(_ks_row(rng, number, person, kind))
        if kind in _KS_BAD:
            manifest.rejected_rows.append(row)
        elif kind in _KS_SKIP:
            manifest.skipped_rows.append(row)
        else:
            manifest.orders += 1
    sheet.blank()
    sheet.blank()
    return manifest


def write_kickstarter_csv(path: Path, n_orders: int, seed: int = 1) -> None:
    """A 2025-layout Kickstarter backer report (UTF-8 with BOM, as Kickstarter writes it).

    `n_orders` valid, collected, shippable backers, plus six planted bad rows (no survey answer,
    unknown country, missing state, a non-numeric add-on quantity, a state that does not match
    its ZIP, no street) and four skipped pledges (two errored, one dropped, one without reward),
    spread over the file, and two blank rows at the end.
    """
    _kickstarter_file(path, n_orders, seed)


def _kickstarter_file(path: Path, n_orders: int, seed: int) -> Manifest:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        return _write_kickstarter(handle, n_orders, seed)


# --- BackerKit --------------------------------------------------------------------------------

BK_SKUS = {
    CORE: "LOD-CORE",
    DELUXE: "LOD-DELUXE",
    ART_BOOK: "LOD-ARTBOOK-HC",
    TEE_M: "TEE-LANTERN-M",
    TEE_L: "TEE-LANTERN-L",
    TEE_XL: "TEE-LANTERN-XL",
    STICKERS: "STICKER-SHEET",
    PIN: "PIN-LANTERN",
    PLAYMAT: "PLAYMAT-NEO",
}
BK_HEADER = (
    "Backer ID",
    "Backer Number",
    "Backer Name",
    "Email",
    "Pledge Level",
    "Pledge Total",
    "Pledged At",
    "Order Status",
    "Shipping Name",
    "Shipping Company",
    "Shipping Address 1",
    "Shipping Address 2",
    "Shipping City",
    "Shipping State",
    "Shipping Postal Code",
    "Shipping Country",
    "Shipping Phone",
    "Notes",
    "What is your favourite deep-sea creature?",
    *BK_SKUS.values(),
)
_BK_BAD = ("negative-qty", "eu-country", "bad-ca-postal", "no-city", "duplicate-id")
_BK_SKIP = ("dropped", "canceled", "nothing")


def write_backerkit_csv(
    path: Path, n_orders: int, seed: int = 2, first_id: int = 48213
) -> Manifest:
    """A BackerKit "SKU per Column" export (UTF-8, CRLF line ends, as Excel on Windows saves)."""
    rng = random.Random(seed)
    manifest = Manifest()
    with path.open("w", encoding="utf-8", newline="") as handle:
        sheet = _Sheet(handle, BK_HEADER, line_end="\r\n")
        specials = list(_BK_BAD) + list(_BK_SKIP)
        total = n_orders + len(specials)
        positions = dict(zip(_spread(rng, total, len(specials)), specials, strict=False))
        last_id = ""
        for index in range(total):
            kind = positions.get(index, "")
            person = make_person(rng, index, domestic_share=0.65)
            tier = rng.choices(TIERS, weights=(30, 35, 25, 10))[0]
            quantities = dict.fromkeys(BK_SKUS.values(), 0)
            for item in tier.items:
                quantities[BK_SKUS[rng.choice(TEES) if item == "TEE" else item]] += 1
            if rng.random() < 0.3:
                for name in rng.sample((ART_BOOK, PLAYMAT, PIN, STICKERS), 2):
                    quantities[BK_SKUS[name]] += 1
            backer_id = f"BK-{first_id + index * 3}"
            status = "complete"
            country = person.country if rng.random() < 0.6 else person.country_name
            city, postal, state = person.city, person.postal, person.state
            if kind == "negative-qty":
                quantities[BK_SKUS[STICKERS]] = -1
            if kind == "eu-country":
                country = "EU"
            if kind == "bad-ca-postal":
                country, city, state, postal = "CA", "Toronto", "ON", "12345"
            if kind == "no-city":
                city = ""
            if kind == "duplicate-id" and last_id:
                backer_id = last_id
            if kind in ("dropped", "canceled"):
                status = kind
            if kind == "nothing":
                quantities = dict.fromkeys(quantities, 0)
            last_id = backer_id
            pledge = tier.minimum + (0 if person.country == "US" else 20)
            row = sheet.add(
                [
                    backer_id,
                    str(index + 1),
                    person.name,
                    person.email,
                    tier.title,
                    f"${pledge:,.2f}",
                    f"2025-07-{1 + index % 28:02d} 14:{index % 60:02d}:00 UTC",
                    status,
                    person.name,
                    "Deep Games LLC" if rng.random() < 0.02 else "",
                    person.street1,
                    person.street2,
                    city,
                    state,
                    postal,
                    country,
                    person.phone if rng.random() < 0.5 else "",
                    "",
                    rng.choice(("Anglerfish", "Vampire squid", "", "Giant isopod", "")),
                    *(str(q) if q else "" for q in quantities.values()),
                ]
            )
            if kind in _BK_BAD:
                manifest.rejected_rows.append(row)
            elif kind in _BK_SKIP:
                manifest.skipped_rows.append(row)
            else:
                manifest.orders += 1
        sheet.blank()
    return manifest


# --- Shopify ----------------------------------------------------------------------------------

_SHOPIFY_HEADER_LINE = (
    "Name,Email,Financial Status,Paid at,Fulfillment Status,Fulfilled at,Accepts Marketing,"
    "Currency,Subtotal,Shipping,Taxes,Total,Discount Code,Discount Amount,Shipping Method,"
    "Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem compare at price,"
    "Lineitem sku,Lineitem requires shipping,Lineitem taxable,Lineitem fulfillment status,"
    "Billing Name,Billing Street,Billing Address1,Billing Address2,Billing Company,Billing City,"
    "Billing Zip,Billing Province,Billing Country,Billing Phone,Shipping Name,Shipping Street,"
    "Shipping Address1,Shipping Address2,Shipping Company,Shipping City,Shipping Zip,"
    "Shipping Province,Shipping Country,Shipping Phone,Notes,Note Attributes,Cancelled at,"
    "Payment Method,Payment Reference,Refunded Amount,Vendor,Outstanding Balance,Employee,"
    "Location,Device ID,Id,Tags,Risk Level,Source,Lineitem discount,Tax 1 Name,Tax 1 Value,"
    "Tax 2 Name,Tax 2 Value,Tax 3 Name,Tax 3 Value,Tax 4 Name,Tax 4 Value,Tax 5 Name,"
    "Tax 5 Value,Phone,Receipt Number,Duties,Billing Province Name,Shipping Province Name,"
    "Payment ID,Payment Terms Name,Next Payment Due At,Payment References"
)
SHOPIFY_HEADER = tuple(_SHOPIFY_HEADER_LINE.split(","))
SHOP_PRODUCTS = (
    ("LOD-CORE", CORE, "59.00"),
    ("LOD-DELUXE", DELUXE, "39.00"),
    ("LOD-ARTBOOK-HC", ART_BOOK, "35.00"),
    ("TEE-LANTERN-M", TEE_M, "24.00"),
    ("TEE-LANTERN-L", TEE_L, "24.00"),
    ("STICKER-SHEET", STICKERS, "5.00"),
    ("PIN-LANTERN", PIN, "12.00"),
    ("PLAYMAT-NEO", PLAYMAT, "25.00"),
)
_SHOP_BAD = ("half-quantity", "no-address1", "zz-country", "letter-zip")
_SHOP_SKIP = ("cancelled", "digital-only", "fulfilled")


def write_shopify_csv(path: Path, n_orders: int, seed: int = 3) -> Manifest:
    """A Shopify orders_export.csv: one row per line item, order fields on the first row only."""
    rng = random.Random(seed)
    manifest = Manifest()
    col = {name: i for i, name in enumerate(SHOPIFY_HEADER)}
    with path.open("w", encoding="utf-8", newline="") as handle:
        sheet = _Sheet(handle, SHOPIFY_HEADER)
        specials = list(_SHOP_BAD) + list(_SHOP_SKIP)
        total = n_orders + len(specials)
        positions = dict(zip(_spread(rng, total, len(specials)), specials, strict=False))
        for index in range(total):
            kind = positions.get(index, "")
            person = make_person(rng, index, domestic_share=1.0 if kind in _US_ONLY else 0.75)
            name = f"#{1001 + index}"
            lines = rng.sample(SHOP_PRODUCTS, rng.choice((1, 1, 1, 2, 2, 3)))
            with_gift_card = rng.random() < 0.05 or kind == "digital-only"
            if kind == "digital-only":
                lines = []
            created = f"2025-10-{1 + index % 28:02d} {9 + index % 12:02d}:{index % 60:02d}:07 -0400"
            rows: list[list[str]] = []
            all_lines = [(sku, title, price, "true") for sku, title, price in lines]
            if with_gift_card:
                all_lines.append(("", "Gift Card $25", "25.00", "false"))
            for position, (sku, title, price, ships) in enumerate(all_lines):
                cells = [""] * len(SHOPIFY_HEADER)
                cells[col["Name"]], cells[col["Email"]] = name, person.email
                cells[col["Created at"]] = created
                quantity = "2" if rng.random() < 0.1 else "1"
                if kind == "half-quantity" and position == len(lines) - 1:
                    quantity = "1.5"
                cells[col["Lineitem quantity"]] = quantity
                cells[col["Lineitem name"]] = title
                cells[col["Lineitem price"]] = price
                # One product was set up without a SKU: the reader derives one from its name.
                cells[col["Lineitem sku"]] = "" if sku == "PIN-LANTERN" else sku
                cells[col["Lineitem requires shipping"]] = ships
                cells[col["Lineitem taxable"]] = "true"
                cells[col["Lineitem fulfillment status"]] = "pending"
                cells[col["Vendor"]] = "Deep Games"
                cells[col["Lineitem discount"]] = "0.00"
                if position == 0:
                    _shopify_order_fields(cells, col, person, index, kind, rng)
                rows.append(cells)
            if not rows:
                cells = [""] * len(SHOPIFY_HEADER)
                cells[col["Name"]], cells[col["Email"]] = name, person.email
                cells[col["Lineitem quantity"]], cells[col["Lineitem name"]] = "1", "Gift Card $25"
                cells[col["Lineitem price"]], cells[col["Lineitem requires shipping"]] = (
                    "25.00",
                    "false",
                )
                rows.append(cells)
            written = [sheet.add(cells) for cells in rows]
            if kind in _SHOP_BAD:
                manifest.rejected_rows.extend(written)
            elif kind in _SHOP_SKIP:
                manifest.skipped_rows.extend(written)
            else:
                manifest.orders += 1
    return manifest


def _shopify_order_fields(
    cells: list[str],
    col: dict[str, int],
    person: Person,
    index: int,
    kind: str,
    rng: random.Random,
) -> None:
    cells[col["Financial Status"]] = "paid"
    cells[col["Paid at"]] = cells[col["Created at"]]
    cells[col["Fulfillment Status"]] = "fulfilled" if kind == "fulfilled" else "unfulfilled"
    cells[col["Accepts Marketing"]] = rng.choice(("yes", "no"))
    cells[col["Currency"]] = "USD"
    cells[col["Shipping Method"]] = "Standard"
    zip_code = person.postal
    if person.country == "US" and rng.random() < 0.3:
        zip_code = "'" + zip_code  # numeric-looking ZIPs get Excel's text apostrophe
    country, address1 = person.country, person.street1
    if kind == "no-address1":
        address1 = ""
        person = replace(person, street2="")
    if kind == "zz-country":
        country = "ZZ"
    if kind == "letter-zip":
        country, zip_code = "US", "ABCDE"
    street = f"{address1}, {person.street2}" if person.street2 else address1
    for prefix in ("Billing", "Shipping"):
        cells[col[f"{prefix} Name"]] = person.name
        cells[col[f"{prefix} Street"]] = street
        cells[col[f"{prefix} Address1"]] = address1
        cells[col[f"{prefix} Address2"]] = person.street2
        cells[col[f"{prefix} City"]] = person.city
        cells[col[f"{prefix} Zip"]] = zip_code
        cells[col[f"{prefix} Province"]] = person.state if len(person.state) <= 3 else ""
        cells[col[f"{prefix} Country"]] = country
        cells[col[f"{prefix} Phone"]] = person.phone
        cells[col[f"{prefix} Province Name"]] = (
            US_STATE_NAMES.get(person.state, person.state) if person.state else ""
        )
    if rng.random() < 0.03:
        cells[col["Note Attributes"]] = "gift-wrap: yes\nmessage: Happy birthday!"
    if kind == "cancelled":
        cells[col["Cancelled at"]] = "2025-10-30 10:00:00 -0400"
    cells[col["Id"]] = str(6_100_000_000_000 + index * 97)
    cells[col["Source"]] = "web"
    cells[col["Risk Level"]] = "Low"
    cells[col["Payment Method"]] = "Shopify Payments"


# --- generic (ShipStation-style one row per SKU) ----------------------------------------------

GENERIC_HEADER = (
    "Order #",
    "Recipient Full Name",
    "Recipient Email",
    "Recipient Phone",
    "Recipient Company",
    "Address Line 1",
    "Address Line 2",
    "Address Line 3",
    "City",
    "State",
    "Postal Code",
    "Country Code",
    "Item SKU",
    "Item Name / Title",
    "Item Quantity",
    "Item Weight (oz)",
)
GENERIC_MAPPING = {
    "version": 1,
    "name": "ShipStation-style fulfilment CSV (one row per SKU)",
    "columns": {
        "Order #": "external_id",
        "Recipient Full Name": "name",
        "Recipient Email": "email",
        "Recipient Phone": "phone",
        "Recipient Company": "company",
        "Address Line 1": "street1",
        "Address Line 2": "street2",
        "Address Line 3": "street2",
        "City": "city",
        "State": "state",
        "Postal Code": "postal_code",
        "Country Code": "country",
        "Item SKU": "sku",
        "Item Name / Title": "item_name",
        "Item Quantity": "quantity",
        "Item Weight (oz)": "item_weight_oz",
    },
}
GENERIC_WEIGHTS = {
    "LOD-CORE": "52.0",
    "LOD-DELUXE": "28.5",
    "LOD-ARTBOOK-HC": "30.0",
    "TEE-LANTERN-M": "6.2",
    "TEE-LANTERN-L": "6.8",
    "STICKER-SHEET": "0.4",
    "PIN-LANTERN": "0.9",
    "PLAYMAT-NEO": "17.6",
}
_GEN_BAD = ("abc-qty", "no-postal", "narnia")


def write_generic_csv(path: Path, n_orders: int, seed: int = 4) -> Manifest:
    """A 3PL-style CSV (one row per SKU, order columns repeated) for the generic preset."""
    rng = random.Random(seed)
    manifest = Manifest()
    with path.open("w", encoding="utf-8", newline="") as handle:
        sheet = _Sheet(handle, GENERIC_HEADER)
        total = n_orders + len(_GEN_BAD)
        positions = dict(zip(_spread(rng, total, len(_GEN_BAD)), _GEN_BAD, strict=False))
        for index in range(total):
            kind = positions.get(index, "")
            person = make_person(rng, index, domestic_share=1.0 if kind in _US_ONLY else 0.7)
            lines = rng.sample(SHOP_PRODUCTS, rng.choice((1, 2, 2, 3)))
            postal, country = person.postal, person.country
            if kind == "no-postal":
                country, postal = "US", ""
            if kind == "narnia":
                country = "Narnia"
            written = []
            for position, (sku, title, _price) in enumerate(lines):
                quantity = str(rng.choice((1, 1, 1, 2)))
                if kind == "abc-qty" and position == 0:
                    quantity = "abc"
                written.append(
                    sheet.add(
                        [
                            f"SO-{20250 + index}",
                            person.name,
                            person.email,
                            person.phone,
                            "",
                            person.street1,
                            person.street2,
                            "",
                            person.city,
                            person.state,
                            postal,
                            country,
                            sku,
                            title,
                            quantity,
                            GENERIC_WEIGHTS[sku],
                        ]
                    )
                )
            if kind:
                manifest.rejected_rows.extend(written)
            else:
                manifest.orders += 1
    return manifest


# --- XLSX -------------------------------------------------------------------------------------


def write_xlsx_from_csv(csv_path: Path, xlsx_path: Path) -> None:
    """The same rows as a workbook (numbers typed as numbers, as Excel would store them)."""
    import openpyxl  # only needed for this one sample

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    with csv_path.open(encoding="utf-8-sig", newline="") as handle:
        for cells in csv.reader(handle):
            sheet.append([int(c) if c.isdigit() and not c.startswith("0") else c for c in cells])
    fixed = datetime.datetime(2025, 11, 1, 12, 0, 0)
    workbook.properties.created = workbook.properties.modified = fixed
    workbook.save(xlsx_path)
    _freeze_zip(xlsx_path, fixed)


def _freeze_zip(path: Path, when: datetime.datetime) -> None:
    """Rewrite a zip with fixed entry times and metadata, so each run writes the same bytes."""
    with zipfile.ZipFile(path) as source:
        entries = [(info, source.read(info)) for info in source.infolist()]
    stamp = f"{when:%Y-%m-%dT%H:%M:%SZ}".encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in entries:
            info.date_time = when.timetuple()[:6]
            if info.filename == "docProps/core.xml":
                # openpyxl stamps the save time into dcterms:modified whatever was set.
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + stamp, data)
            target.writestr(info, data)


# --- main -------------------------------------------------------------------------------------


def generate_all(folder: Path = HERE) -> dict[str, dict[str, object]]:
    """Write every sample file into `folder`; return (and write) the expected.json manifest."""
    expected: dict[str, dict[str, object]] = {}
    expected["kickstarter_backer_report.csv"] = {
        "preset": "kickstarter",
        **_kickstarter_file(folder / "kickstarter_backer_report.csv", 500, 1).as_dict(),
    }
    expected["backerkit_sku_per_column.csv"] = {
        "preset": "backerkit",
        **write_backerkit_csv(folder / "backerkit_sku_per_column.csv", 500).as_dict(),
    }
    expected["shopify_orders_export.csv"] = {
        "preset": "shopify",
        **write_shopify_csv(folder / "shopify_orders_export.csv", 500).as_dict(),
    }
    generic = write_generic_csv(folder / "generic_3pl_orders.csv", 500)
    (folder / "generic_3pl_mapping.json").write_text(
        json.dumps(GENERIC_MAPPING, indent=2) + "\n", encoding="utf-8"
    )
    expected["generic_3pl_orders.csv"] = {
        "preset": "generic",
        "mapping": "generic_3pl_mapping.json",
        **generic.as_dict(),
    }
    small = folder / "_small.csv"
    manifest = write_backerkit_csv(small, 60, seed=5, first_id=90001)  # its own backers
    write_xlsx_from_csv(small, folder / "backerkit_small.xlsx")
    small.unlink()
    expected["backerkit_small.xlsx"] = {
        "preset": "backerkit",
        # CRLF rows are one line each, so the CSV's row numbers are the sheet's.
        **manifest.as_dict(),
    }
    (folder / "expected.json").write_text(
        json.dumps(expected, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    return expected


def main(argv: Iterable[str] = ()) -> int:
    """Regenerate the samples in this folder (or the folder given as the only argument)."""
    args = list(argv)
    folder = Path(args[0]) if args else HERE
    for name, info in generate_all(folder).items():
        print(f"{name}: {info['orders']} orders, {len(info['rejected_rows'])} rejected rows")  # type: ignore[arg-type]
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))


__all__ = [
    "Manifest",
    "Person",
    "generate_all",
    "make_person",
    "write_backerkit_csv",
    "write_generic_csv",
    "write_kickstarter_csv",
    "write_shopify_csv",
]
