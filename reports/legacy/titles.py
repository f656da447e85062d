"""Telling a misspelt responsible-person title from a new one, without comparing every pair.

Both questions the importer asks — which known title an unknown one misspells, and which
unknown titles in a file are spellings of one another — are answered by an edit distance,
computed only for the few titles a `NearTitles` index finds close enough to matter, so the
work grows with the number of titles, not with its square.
"""

from collections import defaultdict

# An unknown title this many edits (insert, delete, replace, swap two letters) from a
# known one is taken for its misspelling: "Talusohtaja", "Talusojohtaja" and
# "Taloustohtaja" are all 1–2 edits from "Talousjohtaja", while distinct roles that share
# a suffix ("Talouspäällikkö", "Opetuspäällikkö") are 4 or more apart.
MISSPELLING_EDITS = 2
# A title shorter than this may be one edit off, not two: two edits change too much of it.
SHORT_TITLE = 8

# NearTitles files a title under stretches of this many letters (its first, its last and
# the whole ones in between), each spelt with up to MISSPELLING_EDITS letters deleted in
# every way. Two titles within MISSPELLING_EDITS of each other have a spelling in common
# at each stretch that both have (delete from each what the other lacks there), while
# two different eight-letter stretches rarely do.
STRETCH = 8


def closest_title(title, known_titles):
    """The known title that `title` is a likely misspelling of, or None.

    The first of the closest, in the order of `known_titles`.
    """
    best = min(known_titles, key=lambda known: edit_distance(title, known), default=None)
    if best is not None and edit_distance(title, best) <= misspelling_limit(title):
        return best
    return None


def misspelling_limit(title):
    """The edits that may turn a known title into `title` for it to count as a misspelling."""
    return MISSPELLING_EDITS if len(title) >= SHORT_TITLE else 1


def spelling_groups(titles):
    """Titles that look like spellings of one another, each mapped to all of its group.

    `titles` maps each title's comparison form to its form as written; a title with no
    other spelling in the file is left out. Two titles belong together if one is within
    `misspelling_limit` of the other, counted from the one that comes first in `titles`
    (and, through a third, if each is close to it).
    """
    keys = list(titles)
    near = NearTitles()
    group_of = {}
    for key in keys:
        group_of[key] = {key}
        for earlier in near.near(key):  # only titles before this one are filed yet
            if group_of[earlier] is group_of[key]:
                continue
            if edit_distance(earlier, key) <= misspelling_limit(earlier):
                smaller, larger = sorted((group_of[earlier], group_of[key]), key=len)
                larger |= smaller
                for member in smaller:
                    group_of[member] = larger
        near.add(key)
    return {
        key: sorted(titles[member] for member in group)
        for key, group in group_of.items()
        if len(group) > 1
    }


class NearTitles:
    """Titles filed so that those within MISSPELLING_EDITS of a given one are found fast.

    `near(title)` returns every filed title within MISSPELLING_EDITS of `title` and some
    more, in the order they were filed; an edit distance then decides. Any one stretch
    of the title finds all of them, so it is looked up by the stretch that the fewest
    filed titles share: a beginning ("Projekti…") or an ending ("…johtaja") common to
    many titles does not make them all candidates of one another.
    """

    def __init__(self):
        self.filed = {}  # title -> its position, to keep the callers' order
        self.index = defaultdict(list)

    def add(self, title):
        if title in self.filed:
            return
        self.filed[title] = len(self.filed)
        for stretch, text in _stretches(title, len(title)):
            for spelling in _deletions(text, MISSPELLING_EDITS):
                self.index[(stretch, spelling)].append(title)

    def near(self, title):
        # A stretch in the middle is looked up only where every close title has it whole.
        keys = [
            [(stretch, spelling) for spelling in _deletions(text, MISSPELLING_EDITS)]
            for stretch, text in _stretches(title, len(title) - MISSPELLING_EDITS)
        ]
        rarest = min(keys, key=lambda stretch: sum(len(self.index.get(key, ())) for key in stretch))
        found = {other for key in rarest for other in self.index.get(key, ())}
        return sorted(found, key=self.filed.__getitem__)


def _stretches(title, length):
    """(which stretch, its letters) of the title's first and last STRETCH letters and of
    the whole stretches in between that end within its first `length` letters."""
    yield "first", title[:STRETCH]
    yield "last", title[-STRETCH:]
    for start in range(STRETCH, length - STRETCH + 1, STRETCH):
        yield start, title[start : start + STRETCH]


def _deletions(title, count):
    """The title with up to `count` of its letters deleted, in every way."""
    spellings = {title}
    for _round in range(count):
        spellings |= {
            spelling[:index] + spelling[index + 1 :]
            for spelling in spellings
            for index in range(len(spelling))
        }
    return spellings


def edit_distance(first, second):
    """Edits (insert, delete, replace, swap of neighbours) that turn one string into the other."""
    previous2 = None
    previous = list(range(len(second) + 1))
    for i, a in enumerate(first, start=1):
        current = [i] + [0] * len(second)
        for j, b in enumerate(second, start=1):
            current[j] = min(
                previous[j] + 1,
                current[j - 1] + 1,
                previous[j - 1] + (a != b),
            )
            if i > 1 and j > 1 and a == second[j - 2] and first[i - 2] == b:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]
