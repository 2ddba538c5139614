"""Ranking the open places (rooms with places left) for one case, with the reasons why.

Pure Python over a list loaded beforehand (`places_for_matching`), so that ranking one case
against thousands of places costs a fixed number of queries and no query per place. Each
reason is kept as a code with its points and parameters, not as text: the advisor and the
board's desk contact read it in their own language (`describe`).
"""

from dataclasses import dataclass, field
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


@dataclass
class Ranked:
    room: object
    score: int
    # JSON values, as Match.explanation keeps them.
    reasons: list = field(default_factory=list)


def places_for_matching(*, today=None):
    """Open rooms with places left, their subjects and municipality loaded: three queries."""
    from .selectors import open_rooms

    return list(open_rooms(today=today).filter(accepted_count__lt=F("places")).order_by("pk"))


def shortage_weights(subjects):
    """{subject id: share of the largest shortage (0..1)} for the given ShortageSubjects."""
    subjects = list(subjects)
    largest = max((subject.shortage_fte for subject in subjects), default=Decimal(0))
    if not largest:
        return {subject.pk: 0.0 for subject in subjects}
    return {subject.pk: float(subject.shortage_fte / largest) for subject in subjects}


def _reason(code, points, **params):
    return {"code": code, "points": points, "params": params}


def score_place(candidate, room, weights):
    """(score, reasons) of one room for the candidate; reasons in the order they count."""
    reasons = []
    if room.sector in candidate.target_sectors:
        reasons.append(_reason("sector", SECTOR_POINTS, sector=room.sector))
    else:
        reasons.append(_reason("sector_other", 0, sector=room.sector))

    best = None
    for subject in room.subjects.all():
        if subject.pk in candidate.subject_ids:
            points = SUBJECT_BASE_POINTS + round(SUBJECT_SHORTAGE_POINTS * weights[subject.pk])
            if best is None or points > best[0]:
                best = (points, subject)
    if best is not None:
        points, subject = best
        reasons.append(
            _reason(
                "subject",
                points,
                subject_id=subject.pk,
                fte=str(subject.shortage_fte),
            )
        )

    if candidate.municipality_id and room.municipality_id == candidate.municipality_id:
        reasons.append(_reason("municipality_same", SAME_MUNICIPALITY_POINTS))
    elif candidate.in_region and room.municipality is not None and room.municipality.in_region:
        reasons.append(_reason("municipality_region", SAME_REGION_POINTS))
    else:
        reasons.append(_reason("municipality_outside", 0))

    if room.special_education and TargetSector.SO in candidate.target_sectors:
        reasons.append(_reason("special_education", SPECIAL_EDUCATION_POINTS))

    if candidate.hours_per_week and room.hours_per_week:
        difference = abs(candidate.hours_per_week - room.hours_per_week)
        if difference <= HOURS_CLOSE:
            points = HOURS_CLOSE_POINTS
        elif difference <= HOURS_NEAR:
            points = HOURS_NEAR_POINTS
        else:
            points = 0
        reasons.append(
            _reason("hours", points, wanted=candidate.hours_per_week, offered=room.hours_per_week)
        )
    return sum(reason["points"] for reason in reasons), reasons


def rank(candidate, places, *, weights=None):
    """The places ranked for `candidate`, best first: a list of Ranked.

    `places` are rooms as `places_for_matching` loads them (subjects prefetched). Places in
    a wanted sector come first; ties go to more places left, then to the older room.
    """
    if weights is None:
        subjects = {s.pk: s for room in places for s in room.subjects.all()}
        weights = shortage_weights(subjects.values())
    ranked = []
    for room in places:
        score, reasons = score_place(candidate, room, weights)
        ranked.append(Ranked(room=room, score=score, reasons=reasons))
    # A place in a sector the candidate does not want comes after every one it does want,
    # whatever else it offers.
    ranked.sort(
        key=lambda r: (
            r.reasons[0]["code"] != "sector",
            -r.score,
            -r.room.places_left,
            r.room.pk,
        )
    )
    return ranked


def rank_case(case, *, today=None):
    """The open places ranked for `case` (a fixed number of queries, whatever their number)."""
    from .models import ShortageSubject

    places = places_for_matching(today=today)
    weights = shortage_weights(ShortageSubject.objects.all())
    return rank(Candidate.from_case(case), places, weights=weights)


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
