"""US ZIP prefixes -> states: the one table the importer and the offline sandbox share.

USPS assigns the first three digits of a ZIP to a state (or a territory, or a military "state":
AA, AE, AP). Prefixes along a border or shared by territories list every state they serve.
"""

from __future__ import annotations

from functools import lru_cache

# (first ZIP3, last ZIP3, state), inclusive; unassigned prefixes (099, 213, ...) are absent.
ZIP3_RANGES: tuple[tuple[int, int, str], ...] = (
    (5, 5, "NY"),
    (6, 7, "PR"),
    (8, 8, "VI"),
    (9, 9, "PR"),
    (10, 27, "MA"),
    (28, 29, "RI"),
    (30, 38, "NH"),
    (39, 49, "ME"),
    (50, 54, "VT"),
    (55, 55, "MA"),
    (56, 59, "VT"),
    (60, 69, "CT"),
    (70, 89, "NJ"),
    (90, 98, "AE"),
    (100, 149, "NY"),
    (150, 196, "PA"),
    (197, 199, "DE"),
    (200, 200, "DC"),
    (201, 201, "VA"),
    (202, 205, "DC"),
    (206, 219, "MD"),
    (220, 246, "VA"),
    (247, 268, "WV"),
    (270, 289, "NC"),
    (290, 299, "SC"),
    (300, 319, "GA"),
    (320, 339, "FL"),
    (340, 340, "AA"),
    (341, 349, "FL"),
    (350, 369, "AL"),
    (370, 385, "TN"),
    (386, 397, "MS"),
    (398, 399, "GA"),
    (400, 427, "KY"),
    (430, 459, "OH"),
    (460, 479, "IN"),
    (480, 499, "MI"),
    (500, 528, "IA"),
    (530, 549, "WI"),
    (550, 567, "MN"),
    (569, 569, "DC"),
    (570, 577, "SD"),
    (580, 588, "ND"),
    (590, 599, "MT"),
    (600, 629, "IL"),
    (630, 658, "MO"),
    (660, 679, "KS"),
    (680, 693, "NE"),
    (700, 714, "LA"),
    (716, 729, "AR"),
    (730, 732, "OK"),
    (733, 733, "TX"),
    (734, 749, "OK"),
    (750, 799, "TX"),
    (800, 816, "CO"),
    (820, 831, "WY"),
    (832, 838, "ID"),
    (840, 847, "UT"),
    (850, 865, "AZ"),
    (870, 884, "NM"),
    (885, 885, "TX"),
    (889, 898, "NV"),
    (900, 961, "CA"),
    (962, 966, "AP"),
    (967, 968, "HI"),
    (969, 969, "GU"),
    (970, 979, "OR"),
    (980, 994, "WA"),
    (995, 999, "AK"),
)
# Border prefixes and territories that share a prefix: any of these states is consistent.
ZIP3_SHARED: dict[int, frozenset[str]] = {
    969: frozenset({"GU", "MP", "MH", "FM", "PW"}),
    967: frozenset({"HI", "AS"}),
    865: frozenset({"AZ", "NM"}),
    845: frozenset({"UT", "AZ"}),
    839: frozenset({"ID", "WA"}),
    739: frozenset({"OK", "TX"}),
    835: frozenset({"ID", "WA"}),
    971: frozenset({"OR", "CA"}),
    976: frozenset({"OR", "CA"}),
    979: frozenset({"OR", "ID"}),
    993: frozenset({"WA", "ID"}),
    63: frozenset({"CT", "NY"}),  # 06390 Fishers Island, NY
    834: frozenset({"ID", "WY"}),  # 83414 Alta, WY is served from Idaho
    885: frozenset({"TX", "NM"}),
    897: frozenset({"NV", "CA"}),
}


@lru_cache(maxsize=1)
def _zip3_table() -> dict[int, frozenset[str]]:
    table: dict[int, frozenset[str]] = {}
    for low, high, state in ZIP3_RANGES:
        for prefix in range(low, high + 1):
            table[prefix] = frozenset({state})
    table.update(ZIP3_SHARED)
    return table


@lru_cache(maxsize=1)
def _primary_table() -> dict[int, str]:
    return {prefix: state for low, high, state in ZIP3_RANGES for prefix in range(low, high + 1)}


def states_for_zip(zip_code: str) -> frozenset[str]:
    """The states a US ZIP's first three digits belong to (empty when the prefix is unknown)."""
    prefix = zip_code[:3]
    return _zip3_table().get(int(prefix), frozenset()) if prefix.isdigit() else frozenset()


def primary_state_for_zip(zip_code: str) -> str | None:
    """The one state USPS files a ZIP prefix under (the first of a shared prefix), or None."""
    prefix = zip_code[:3]
    return _primary_table().get(int(prefix)) if prefix.isdigit() else None
