"""Ranking the open places (rooms with places left) for one case, with the reasons why.

Pure Python over a list loaded beforehand (`places_for_matching`), so that ranking one case
against thousands of places costs a fixed number of queries and no query per place. Each
reason is kept as a code with its points and parameters, not as text: the advisor and the
board's desk contact read it in their own language (`describe`).
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F
from django.utils.translation import gettext as _

from .models import TargetSector

# Points per criterion; the maximum score is their sum (100).
SECTOR_POINTS = 30
# A shared subject scores a base plus a share of SUBJECT_SHORTAGE_POINTS by its shortage FTE
# (the subject with the largest shortage gets all of it).
SUBJECT_BASE_POINTS = 10
SUBJECT_SHORTAGE_POINTS = 15
SAME_MUNICIPALITY_POINTS = 20
SAME_REGION_POINTS = 10
SPECIAL_EDUCATION_POINTS = 10
HOURS_CLOSE_POINTS = 15  # the room's hours within HOURS_CLOSE of the candidate's
HOURS_NEAR_POINTS = 5  # within HOURS_NEAR
HOURS_CLOSE = 4
HOURS_NEAR = 8


@dataclass
class Candidate:
    """What matching needs of a case, read once."""

    target_sectors: frozenset
    subject_ids: frozenset
    municipality_id: int | None
    in_region: bool
    hours_per_week: int | None

    @classmethod
    def from_case(cls, case):
        municipality = case.municipality
        return cls(
            target_sectors=frozenset(case.target_sectors or ()),
            subject_ids=frozenset(subject.pk for subject in case.subjects.all()),
            municipality_id=case.municipality_id,
            in_region=bool(municipality and municipality.in_region),
            hours_per_week=case.hours_per_week,
        )


@dataclass(slots=True)
class Place:
    """What matching needs of one open room: plain values, no model instance."""

    pk: int
    sector: str
    subject_ids: frozenset
    municipality_id: int | None
    in_region: bool
    special_education: bool
    hours_per_week: int | None
    places_left: int

    @classmethod
    def from_room(cls, room):
        """A Place of a Room (loaded with `with_places_left()`, or it counts them)."""
        return cls(
            pk=room.pk,
            sector=room.sector,
            subject_ids=frozenset(subject.pk for subject in room.subjects.all()),
            municipality_id=room.municipality_id,
            in_region=bool(room.municipality and room.municipality.in_region),
            special_education=room.special_education,
            hours_per_week=room.hours_per_week,
            places_left=room.places_left,
        )


def places_for_matching(*, today=None):
    """The open rooms with places left, as Places: two queries, no model instances.

    Model instances with prefetched subjects cost most of the time at thousands of rooms;
    plain rows of the rooms and of their subject links cost a fraction of it.
    """
    from .models import Room

    rooms = Room.objects.open(today)
    rows = (
        rooms.with_places_left()
        .filter(accepted_count__lt=F("places"))
        .order_by("pk")
        .values_list(
            "pk",
            "sector",
            "municipality_id",
            "municipality__in_region",
            "special_education",
            "hours_per_week",
            "places",
            "accepted_count",
        )
    )
    subjects = {}
    links = Room.subjects.through.objects.filter(room__in=rooms).values_list(
        "room_id", "shortagesubject_id"
    )
    for room_id, subject_id in links:
        subjects.setdefault(room_id, set()).add(subject_id)
    empty = frozenset()
    return [
        Place(
            pk=pk,
            sector=sector,
            subject_ids=frozenset(subjects[pk]) if pk in subjects else empty,
            municipality_id=municipality_id,
            in_region=bool(in_region),
            special_education=special,
            hours_per_week=hours,
            places_left=places - accepted,
        )
        for pk, sector, municipality_id, in_region, special, hours, places, accepted in rows
    ]


def shortage_weights(subjects):
    """{subject id: (share of the largest shortage, 0..1; the FTE as text)}."""
    subjects = list(subjects)
    largest = max((subject.shortage_fte for subject in subjects), default=Decimal(0))
    return {
        subject.pk: (
            float(subject.shortage_fte / largest) if largest else 0.0,
            str(subject.shortage_fte),
        )
        for subject in subjects
    }


def _reason(code, points, **params):
    return {"code": code, "points": points, "params": params}


def _assess(candidate, place, weights):
    """The points per criterion: (sector, subject, subject id or None, municipality,
    municipality code, special education, hours). Plain numbers, so that ranking thousands
    of places builds no reason until one is read."""
    sector = SECTOR_POINTS if place.sector in candidate.target_sectors else 0

    subject, subject_id = 0, None
    shared = place.subject_ids & candidate.subject_ids
    if shared:
        # The shared subject with the largest shortage counts.
        subject_id = max(shared, key=lambda pk: (weights.get(pk, (0.0, ""))[0], -pk))
        weight = weights.get(subject_id, (0.0, "0"))[0]
        subject = SUBJECT_BASE_POINTS + round(SUBJECT_SHORTAGE_POINTS * weight)

    if candidate.municipality_id and place.municipality_id == candidate.municipality_id:
        municipality, where = SAME_MUNICIPALITY_POINTS, "municipality_same"
    elif candidate.in_region and place.in_region:
        municipality, where = SAME_REGION_POINTS, "municipality_region"
    else:
        municipality, where = 0, "municipality_outside"

    special = (
        SPECIAL_EDUCATION_POINTS
        if place.special_education and TargetSector.SO in candidate.target_sectors
        else 0
    )

    hours = 0
    if candidate.hours_per_week and place.hours_per_week:
        difference = abs(candidate.hours_per_week - place.hours_per_week)
        if difference <= HOURS_CLOSE:
            hours = HOURS_CLOSE_POINTS
        elif difference <= HOURS_NEAR:
            hours = HOURS_NEAR_POINTS
    return sector, subject, subject_id, municipality, where, special, hours


def _explain(candidate, place, weights, assessment):
    sector, subject, subject_id, municipality, where, special, hours = assessment
    reasons = [_reason("sector" if sector else "sector_other", sector, sector=place.sector)]
    if subject_id is not None:
        fte = weights.get(subject_id, (0.0, "0"))[1]
        reasons.append(_reason("subject", subject, subject_id=subject_id, fte=fte))
    reasons.append(_reason(where, municipality))
    if special:
        reasons.append(_reason("special_education", special))
    if candidate.hours_per_week and place.hours_per_week:
        reasons.append(
            _reason("hours", hours, wanted=candidate.hours_per_week, offered=place.hours_per_week)
        )
    return reasons


def score_place(candidate, place, weights):
    """(score, reasons) of one place for the candidate; reasons in the order they count."""
    assessment = _assess(candidate, place, weights)
    return _score(assessment), _explain(candidate, place, weights, assessment)


def _score(assessment):
    sector, subject, _subject_id, municipality, _where, special, hours = assessment
    return sector + subject + municipality + special + hours


class Ranked:
    """One place's score for a candidate; its reasons are built when first read."""

    __slots__ = ("place", "score", "wanted_sector", "_assessment", "_context", "_reasons")

    def __init__(self, place, assessment, candidate, weights):
        self.place = place
        self.score = _score(assessment)
        self.wanted_sector = assessment[0] > 0
        self._assessment = assessment
        self._context = (candidate, weights)
        self._reasons = None

    @property
    def reasons(self):
        """JSON values, as Match.explanation keeps them."""
        if self._reasons is None:
            candidate, weights = self._context
            self._reasons = _explain(candidate, self.place, weights, self._assessment)
        return self._reasons


def rank(candidate, places, weights):
    """The places ranked for `candidate`, best first: a list of Ranked.

    `places` are Places (`places_for_matching`, `Place.from_room`); `weights` come from
    `shortage_weights`. Places in a wanted sector come first, whatever else the others
    offer; ties go to more places left, then to the older room.
    """
    ranked = [
        Ranked(place, _assess(candidate, place, weights), candidate, weights) for place in places
    ]
    ranked.sort(key=lambda r: (not r.wanted_sector, -r.score, -r.place.places_left, r.place.pk))
    return ranked


def rank_case(case, *, today=None):
    """The open places ranked for `case`: a fixed number of queries, whatever their number.

    `case` should have its subjects prefetched and its municipality loaded.
    """
    from .models import ShortageSubject

    places = places_for_matching(today=today)
    weights = shortage_weights(ShortageSubject.objects.all())
    return rank(Candidate.from_case(case), places, weights)


def rank_room(case, room):
    """The Ranked of one room for `case`: the score and reasons a proposal stores."""
    from .models import ShortageSubject

    weights = shortage_weights(ShortageSubject.objects.all())
    return rank(Candidate.from_case(case), [Place.from_room(room)], weights)[0]


def reason_text(reason, subject_names):
    """A reason (as kept in Match.explanation) as a sentence in the current language."""
    params = reason.get("params", {})
    code = reason.get("code")
    if code == "sector":
        return _("wants to teach in %(sector)s") % {"sector": _sector_label(params.get("sector"))}
    if code == "sector_other":
        return _("another sector than the candidate wants (%(sector)s)") % {
            "sector": _sector_label(params.get("sector"))
        }
    if code == "subject":
        return _("subject %(subject)s (shortage %(fte)s FTE)") % {
            "subject": subject_names.get(params.get("subject_id"), "?"),
            "fte": params.get("fte"),
        }
    if code == "municipality_same":
        return _("same municipality")
    if code == "municipality_region":
        return _("in the region")
    if code == "municipality_outside":
        return _("outside the candidate's municipality and region")
    if code == "special_education":
        return _("special education, as the candidate wants")
    if code == "hours":
        return _("%(offered)s hours a week offered, %(wanted)s wanted") % params
    return code or ""


def _sector_label(value):
    return TargetSector(value).label if value in TargetSector.values else value


def subject_names():
    """{id: name in the current language} of every shortage subject (one query)."""
    from .models import ShortageSubject

    return {subject.pk: subject.name for subject in ShortageSubject.objects.all()}


def describe(reasons, names=None):
    """[(text, points)] of a list of reasons, for templates; `names` from subject_names()."""
    names = subject_names() if names is None else names
    return [(reason_text(reason, names), reason.get("points", 0)) for reason in reasons]
