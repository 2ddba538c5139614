"""The desk's catalogue for production: the shortage subjects and the training routes.

The subjects are seed 004's table 9 ("Onvervulde werkgelegenheid in fte per vak", all of
South-West Netherlands, secondary education), column 2026: the year the regional desk starts
(activity 1.1, Jan-Dec 2026), so the weights are the forecast for the desk's first year. The
table is copied here, not imported from lokaal.services, so that this migration always loads
the same rows whatever the code says later.

Idempotent: a subject or route that already exists (by code, by Dutch name) is left as it
is. Reversible: going back removes the rows of this table and this catalogue.
"""

from decimal import Decimal

from django.db import migrations

# (code, Dutch name, English name, unfilled FTE in 2026); seed 004, table 9.
SUBJECTS = (
    ("nederlands", "Nederlands", "Dutch", 189),
    ("wiskunde", "Wiskunde", "Mathematics", 116),
    ("duits", "Duits", "German", 56),
    ("natuurkunde", "Natuurkunde", "Physics", 42),
    ("frans", "Frans", "French", 41),
    ("scheikunde", "Scheikunde", "Chemistry", 31),
    ("economie", "Economie", "Economics", 28),
    ("informatica", "Informatica", "Computer science", 25),
    ("klassieke-talen", "Klassieke talen", "Classical languages", 21),
    ("aardrijkskunde", "Aardrijkskunde", "Geography", 8),
    ("levensbeschouwing", "Levensbeschouwing", "Religious and philosophical studies", 8),
    ("biologie", "Biologie", "Biology", 4),
    ("maatschappijleer", "Maatschappijleer", "Social studies", 4),
    ("engels", "Engels", "English", 3),
    ("geschiedenis", "Geschiedenis", "History", 3),
    ("ckv-kunstvakken", "CKV, kunstvakken", "Arts and culture", 3),
    ("gezondheidszorg-welzijn", "Gezondheidszorg en welzijn", "Health and welfare", 2),
    ("lichamelijke-opvoeding", "Lichamelijke opvoeding", "Physical education", 2),
    ("other", "Overige vakken", "Other subjects", 1),
)

# Table 9 covers secondary education only.
SUBJECT_SECTORS = ["vo"]

ROUTES = (
    {
        "name_nl": "Zij-instroomtraject po/vo (twee jaar)",
        "name_en": "Career-switcher route po/vo (two years)",
        "description_nl": (
            "U werkt vanaf het begin als leraar op een school in het primair, speciaal of "
            "voortgezet onderwijs en haalt binnen twee jaar uw bevoegdheid. Het traject begint "
            "met een geschiktheidsonderzoek; de school neemt u in dienst en begeleidt u."
        ),
        "description_en": (
            "You work as a teacher at a primary, special or secondary school from the start "
            "and qualify within two years. The route starts with a suitability assessment; "
            "the school employs and coaches you."
        ),
        "eligibility_hint_nl": (
            "Voor wie een hbo- of wo-diploma heeft en een school vindt die u aanneemt. Voor "
            "het vo telt of uw opleiding past bij het vak dat u wilt geven."
        ),
        "eligibility_hint_en": (
            "For those with a higher professional (hbo) or university (wo) degree and a "
            "school that will employ them. For secondary education, your degree should fit "
            "the subject you want to teach."
        ),
        "sectors": ["po", "so", "vo"],
        "duration_months": 24,
        "min_education": "hbo",
    },
    {
        "name_nl": "PDG-traject mbo (maximaal 1,5 jaar)",
        "name_en": "PDG route for mbo (at most 1.5 years)",
        "description_nl": (
            "Het pedagogisch-didactisch getuigschrift (PDG): u geeft les op een mbo-school in "
            "uw eigen vakgebied en haalt naast uw werk in maximaal anderhalf jaar het "
            "getuigschrift dat u bekwaam maakt voor het mbo."
        ),
        "description_en": (
            "The teaching certificate for vocational education (PDG): you teach at an mbo "
            "school in your own field and earn the certificate alongside your job in at most "
            "eighteen months."
        ),
        "eligibility_hint_nl": (
            "Voor vakmensen met een hbo- of wo-diploma en werkervaring in het beroep dat zij "
            "gaan onderwijzen; u heeft een aanstelling op een mbo-school nodig."
        ),
        "eligibility_hint_en": (
            "For professionals with an hbo or university degree and work experience in the "
            "field they will teach; you need a job at an mbo school."
        ),
        "sectors": ["mbo"],
        "duration_months": 18,
        "min_education": "hbo",
    },
    {
        "name_nl": "Pabo in deeltijd",
        "name_en": "Part-time primary teacher training (pabo)",
        "description_nl": (
            "De lerarenopleiding basisonderwijs naast uw werk. Met een hbo- of wo-diploma "
            "volgt u vaak een verkort traject; daarna bent u bevoegd in het basisonderwijs en "
            "speciaal basisonderwijs."
        ),
        "description_en": (
            "Primary teacher training alongside your job. With an hbo or university degree "
            "you can often take a shortened route; it qualifies you for primary and special "
            "primary education."
        ),
        "eligibility_hint_nl": (
            "Voor wie in het basisonderwijs wil werken en een mbo-4-, havo- of vwo-diploma "
            "heeft (of slaagt voor het toelatingsonderzoek 21+)."
        ),
        "eligibility_hint_en": (
            "For those who want to work in primary education and hold an mbo level 4, havo or "
            "vwo diploma (or pass the entrance assessment for those over 21)."
        ),
        "sectors": ["po", "so"],
        "duration_months": 48,
        "min_education": "mbo",
    },
    {
        "name_nl": "Lerarenopleiding in deeltijd (tweedegraads)",
        "name_en": "Part-time teacher training (second degree)",
        "description_nl": (
            "Een hbo-lerarenopleiding voor één vak naast uw werk. De tweedegraads bevoegdheid "
            "geldt voor de onderbouw van havo en vwo, het hele vmbo en het mbo. Met een "
            "passende vooropleiding kan de opleiding korter."
        ),
        "description_en": (
            "Higher professional teacher training in one subject alongside your job. The "
            "second-degree qualification covers the lower years of havo and vwo, all of vmbo "
            "and mbo. A relevant earlier degree can shorten it."
        ),
        "eligibility_hint_nl": (
            "Voor wie een vak wil geven in het vo of mbo en een mbo-4-, havo- of vwo-diploma "
            "heeft; kansrijk bij tekortvakken zoals wiskunde, Nederlands en de talen."
        ),
        "eligibility_hint_en": (
            "For those who want to teach a subject in secondary or vocational education and "
            "hold an mbo level 4, havo or vwo diploma; promising for shortage subjects such as "
            "mathematics, Dutch and the languages."
        ),
        "sectors": ["vo", "mbo"],
        "duration_months": 48,
        "min_education": "mbo",
    },
    {
        "name_nl": "Educatieve master (eerstegraads)",
        "name_en": "Educational master (first degree)",
        "description_nl": (
            "Een universitaire lerarenopleiding die een eerstegraads bevoegdheid geeft: u mag "
            "dan in alle klassen van het voortgezet onderwijs lesgeven. Na een passende "
            "wo-master duurt zij een jaar (ook in deeltijd), na een bachelor twee jaar."
        ),
        "description_en": (
            "University teacher training leading to a first-degree qualification: you may "
            "then teach all years of secondary education. After a relevant university "
            "master it takes one year (part-time possible), after a bachelor two years."
        ),
        "eligibility_hint_nl": (
            "Voor wie een wo-bachelor of -master heeft in of dicht bij het schoolvak dat hij "
            "of zij wil geven."
        ),
        "eligibility_hint_en": (
            "For those with a university bachelor or master in, or close to, the school "
            "subject they want to teach."
        ),
        "sectors": ["vo", "mbo"],
        "duration_months": 24,
        "min_education": "wo_bachelor",
    },
)


def load_catalogue(apps, schema_editor):
    ShortageSubject = apps.get_model("lokaal", "ShortageSubject")
    TrainingRoute = apps.get_model("lokaal", "TrainingRoute")
    Sector = apps.get_model("partners", "Sector")

    for position, (code, name_nl, name_en, fte) in enumerate(SUBJECTS):
        # Historical models know nothing of modeltranslation: `name` is the Dutch default.
        ShortageSubject.objects.get_or_create(
            code=code,
            defaults={
                "name": name_nl,
                "name_nl": name_nl,
                "name_en": name_en,
                "shortage_fte": Decimal(fte),
                "sectors": SUBJECT_SECTORS,
                "position": position,
            },
        )

    sectors = {sector.code: sector for sector in Sector.objects.all()}
    for position, row in enumerate(ROUTES):
        fields = {key: value for key, value in row.items() if key != "sectors"}
        route, created = TrainingRoute.objects.get_or_create(
            name_nl=row["name_nl"],
            defaults={
                **fields,
                "name": row["name_nl"],
                "description": row["description_nl"],
                "eligibility_hint": row["eligibility_hint_nl"],
                "position": position,
            },
        )
        if created:
            route.sectors.set([sectors[code] for code in row["sectors"] if code in sectors])


def unload_catalogue(apps, schema_editor):
    apps.get_model("lokaal", "ShortageSubject").objects.filter(
        code__in=[code for code, *_ in SUBJECTS]
    ).delete()
    apps.get_model("lokaal", "TrainingRoute").objects.filter(
        name_nl__in=[row["name_nl"] for row in ROUTES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("lokaal", "0001_initial"),
        # The routes' sectors are rows of partners.Sector.
        ("partners", "0003_sectors"),
    ]

    operations = [migrations.RunPython(load_catalogue, unload_catalogue)]
