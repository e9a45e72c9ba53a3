"""Generate the fictional sample conference `data/rome-2023/` (Rome Peace Conference 2023).

Deterministic: every random choice comes from `random.Random(2023)`, so running

    .venv/bin/python data/tools/make_rome_2023.py

rewrites the folder with identical bytes. People, sessions and numbers are invented.

Before writing anything the script checks, in plain Python, that the data set is solvable: every session has a
room that suits it, the session-minutes fit the room-minutes, pins lie inside open periods, `after` is acyclic,
every interpretation pair has a team, every speaker's sessions fit their availability, and a greedy placement
that respects every hard rule exists (a constructive witness). It also checks that a simple local search lowers
the attendee conflicts of that attendee-blind witness, and that a naive placement (sessions in id order into the
first free room) either gets stuck or costs more, so the sample is a real optimisation problem.
"""

from __future__ import annotations

import csv
import random
import textwrap
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "rome-2023"
SEED = 2023

NAME = "Rome Peace Conference 2023"
SLUG = "rome-peace-2023"  # calendar UIDs and frab guids: kept when the name is edited
TIMEZONE = "Europe/Rome"
GRANULARITY_MIN = 15
CHANGEOVER_MIN = 15
LANGUAGES = ("it", "en", "de", "ru", "uk", "es", "fr")
DAYS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("2023-10-13", ("09:30-13:00", "14:30-19:00")),
    ("2023-10-14", ("09:00-13:00", "14:30-19:00")),
    ("2023-10-15", ("09:00-13:30", "14:30-16:00")),
)
FIRST_DAY = date.fromisoformat(DAYS[0][0])
N_ATTENDEES = 300
MAX_SESSIONS_PER_SPEAKER = 3
MIN_STARTS = 12  # a speaker's availability leaves each of their sessions at least this many starts
MAX_UTILISATION = 0.80  # session-minutes / room-minutes must stay below this
WITNESS_ATTEMPTS = 40  # greedy retries before the data set is declared unproven


# --------------------------------------------------------------------------------------------------------------
# Time: minutes since local midnight of the first day (no DST change between 13 and 15 October 2023 in Rome).


def to_min(stamp: str) -> int:
    """Minutes since the first day's midnight for a local ISO datetime such as `2023-10-13T09:30:00`."""
    moment = datetime.fromisoformat(stamp)
    return int((moment - datetime.combine(FIRST_DAY, datetime.min.time())).total_seconds() // 60)


def to_iso(minute: int) -> str:
    """The local ISO datetime (seconds precision, no offset) of a minute count from `to_min`."""
    moment = datetime.combine(FIRST_DAY, datetime.min.time()) + timedelta(minutes=minute)
    return moment.isoformat(timespec="seconds")


def open_periods() -> list[tuple[int, int]]:
    """All open periods of the conference as (start, end) minute pairs, in time order."""
    periods = []
    for day, spans in DAYS:
        for span in spans:
            start, end = span.split("-")
            periods.append((to_min(f"{day}T{start}:00"), to_min(f"{day}T{end}:00")))
    return periods


PERIODS = open_periods()
OPEN_MIN = sum(end - start for start, end in PERIODS)


def overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Whether two half-open intervals share a minute."""
    return a[0] < b[1] and b[0] < a[1]


def inside(windows: Iterable[tuple[int, int]], start: int, end: int) -> bool:
    """Whether [start, end) lies inside one of `windows`."""
    return any(ws <= start and end <= we for ws, we in windows)


# --------------------------------------------------------------------------------------------------------------
# Rooms.


@dataclass(frozen=True)
class Room:
    room_id: str
    name: str
    capacity: int
    booths: int
    features: tuple[str, ...]


ROOMS = (
    Room("aula-magna", "Aula Magna", 400, 4, ("stage", "streaming")),
    Room("sala-moro", "Sala Aldo Moro", 150, 2, ("streaming",)),
    Room("sala-dolci", "Sala Danilo Dolci", 90, 1, ()),
    Room("sala-menapace", "Sala Lidia Menapace", 60, 0, ()),
    Room("laboratorio", "Laboratorio Don Milani", 40, 0, ("workshop",)),
)
ROOM_BY_ID = {r.room_id: r for r in ROOMS}


# --------------------------------------------------------------------------------------------------------------
# Sessions (written by hand; speakers are drawn below).


@dataclass(frozen=True)
class SessionSpec:
    session_id: str
    language: str
    interpretation: tuple[str, ...]
    track: str
    kind: str
    duration_min: int
    audience: int
    title: str
    abstract: str
    needs: tuple[str, ...] = ()
    hints: tuple[str, ...] = ()  # speaker countries to draw from first
    after: tuple[str, ...] = ()
    overflow: tuple[str, ...] = ()
    priority: int = 0
    fixed_start: str = ""
    fixed_room: str = ""
    plenary: bool = False

    @property
    def pairs(self) -> set[tuple[str, str]]:
        """The interpretation pairs (sorted) the session needs a team for."""
        return {pair(self.language, t) for t in self.interpretation}


def pair(a: str, b: str) -> tuple[str, str]:
    """The canonical (sorted) form of an interpretation pair."""
    return (a, b) if a <= b else (b, a)


IT, UA, RU, DE, AT, FR, ES = "Italy", "Ukraine", "Russia", "Germany", "Austria", "France", "Spain"
GE, KZ, US = "Georgia", "Kazakhstan", "USA"
LATAM = ("Argentina", "Brazil", "Colombia", "Chile")
AFRICA = ("Nigeria", "Kenya", "Senegal", "Cameroon", "Ghana", "DR Congo", "South Africa")
WS = ("workshop",)

SESSIONS: tuple[SessionSpec, ...] = (
    # Plenaries, pinned in the Aula Magna.
    SessionSpec(
        "PL-OPEN", "it", ("en", "ru", "uk", "de"), "plenary", "plenary", 90, 380,
        "Apertura: costruire la pace, insieme",
        "Saluti delle organizzazioni promotrici e delle delegazioni internazionali, presentazione del programma "
        "e dell'appello di Roma.",
        hints=(IT, UA, RU), priority=10, fixed_start="2023-10-13T09:30:00", fixed_room="aula-magna", plenary=True,
    ),
    SessionSpec(
        "PL-CLOSE", "en", ("it", "ru", "uk", "fr"), "plenary", "plenary", 90, 380,
        "Closing Plenary: The Rome Appeal for Peace",
        "Adoption of the Rome Appeal drafted during the conference, commitments of the participating movements "
        "and next steps.",
        hints=(US, *AFRICA, IT), after=("JA-10",), priority=10, fixed_start="2023-10-15T14:30:00",
        fixed_room="aula-magna", plenary=True,
    ),
    # Causes of the war.
    SessionSpec(
        "CA-01", "it", ("en",), "causes", "panel", 90, 90,
        "Le radici della guerra: la NATO, la Russia e l'ordine europeo dopo il 1991",
        "Storici e politologi ricostruiscono tre decenni di occasioni mancate per un sistema di sicurezza "
        "condiviso in Europa.",
        hints=(IT,),
    ),
    SessionSpec(
        "CA-02", "en", ("it", "ru"), "causes", "panel", 120, 220,
        "Roots of the War in Ukraine: Competing Narratives, Shared Responsibilities",
        "Scholars from Ukraine, Russia, the USA and Italy compare how the war is explained in their countries "
        "and where the accounts meet.",
        hints=(UA, RU, US, IT), priority=3,
    ),
    SessionSpec(
        "CA-03", "de", ("it", "en"), "causes", "panel", 90, 110,
        "Ursachen des Krieges: Osterweiterung, Sicherheitsinteressen und verpasste Chancen",
        "Friedensforscherinnen und Friedensforscher aus Deutschland und Österreich diskutieren die "
        "sicherheitspolitischen Weichenstellungen seit 1990.",
        hints=(DE, AT),
    ),
    SessionSpec(
        "CA-04", "ru", ("en",), "causes", "panel", 90, 80,
        "Истоки войны: взгляд российского антивоенного движения",
        "Российские активисты и исследователи в эмиграции о политических и социальных причинах войны.",
        hints=(RU,),
    ),
    SessionSpec(
        "CA-05", "fr", (), "causes", "round-table", 60, 40,
        "Les causes économiques de la guerre : énergie, armement, céréales",
        "Une table ronde sur les intérêts économiques qui alimentent le conflit et ses effets sur l'Afrique et "
        "l'Europe.",
        hints=(FR, *AFRICA),
    ),
    SessionSpec(
        "CA-06", "es", (), "causes", "panel", 60, 55,
        "Las causas de la guerra vistas desde el Sur global",
        "Voces de América Latina sobre la guerra, el orden mundial y las consecuencias para sus pueblos.",
        hints=LATAM,
    ),
    SessionSpec(
        "CA-07", "en", (), "causes", "workshop", 90, 35,
        "Reading Propaganda: A Hands-On Workshop on War Narratives",
        "Participants analyse news items from several countries and learn to recognise the patterns of war "
        "propaganda.",
        needs=WS, hints=(US, DE),
    ),
    SessionSpec(
        "CA-08", "uk", (), "causes", "report", 60, 60,
        "Передісторія війни: Донбас 2014–2022",
        "Свідчення правозахисників про вісім років конфлікту на сході України до повномасштабного вторгнення.",
        hints=(UA,),
    ),
    SessionSpec(
        "CA-09", "it", (), "causes", "panel", 60, 55,
        "Il ruolo dell'industria delle armi nella guerra",
        "Ricercatori e giornalisti d'inchiesta sui profitti dell'industria bellica e sulle esportazioni italiane "
        "di armamenti.",
        hints=(IT,),
    ),
    # Reports from the war zone.
    SessionSpec(
        "WZ-01", "uk", ("it", "en", "ru"), "war-zone", "report", 120, 390,
        "Голоси з Харкова та Запоріжжя: свідчення з прифронтових міст",
        "Волонтерки, лікарі та вчителі з прифронтових міст розповідають про повсякденне життя під час війни.",
        hints=(UA,), overflow=("sala-moro",), priority=5,
    ),
    SessionSpec(
        "WZ-02", "uk", ("it",), "war-zone", "report", 90, 120,
        "Життя під обстрілами: волонтери Херсона",
        "Досвід волонтерських мереж, які доставляють допомогу на правий берег Херсонщини.",
        hints=(UA,),
    ),
    SessionSpec(
        "WZ-03", "ru", ("it", "en"), "war-zone", "report", 90, 150,
        "Отказники и дезертиры: истории тех, кто не хочет воевать",
        "Российские отказники от военной службы рассказывают о преследованиях и поиске убежища.",
        hints=(RU,),
    ),
    SessionSpec(
        "WZ-04", "en", (), "war-zone", "report", 60, 85,
        "Humanitarian Corridors: What Worked, What Failed",
        "Aid workers review the evacuation corridors and prisoner exchanges of 2022 and 2023, and what "
        "negotiators can learn from them.",
        hints=(US, UA, AFRICA[1]),
    ),
    SessionSpec(
        "WZ-05", "it", (), "war-zone", "report", 60, 85,
        "Carovane di pace: diario dei viaggi in Ucraina",
        "Le carovane nonviolente italiane raccontano i viaggi a Leopoli, Kyiv e Odessa con aiuti e delegazioni "
        "di pace.",
        hints=(IT,),
    ),
    SessionSpec(
        "WZ-06", "de", (), "war-zone", "report", 60, 60,
        "Ärztinnen und Ärzte im Kriegsgebiet: Erfahrungsberichte",
        "Medizinisches Personal berichtet von der Versorgung Verwundeter und Zivilisten in frontnahen "
        "Krankenhäusern.",
        hints=(DE, AT),
    ),
    SessionSpec(
        "WZ-07", "en", ("it", "uk"), "war-zone", "panel", 90, 240,
        "Reporting from the Front Line: Journalists on Truth and Safety",
        "War correspondents discuss censorship on both sides, the safety of local reporters and the duty to "
        "tell what they see.",
        hints=(US, UA, IT), priority=3,
    ),
    SessionSpec(
        "WZ-08", "fr", (), "war-zone", "report", 60, 50,
        "Zaporijjia : la centrale nucléaire sous l'occupation",
        "Un expert et une journaliste font le point sur les risques nucléaires et la mission de l'AIEA.",
        hints=(FR,),
    ),
    SessionSpec(
        "WZ-09", "it", (), "war-zone", "workshop", 90, 30,
        "Laboratorio: sostegno psicologico a chi fugge dalla guerra",
        "Esercitazioni pratiche per volontari che accolgono profughi: ascolto, trauma, cura di sé.",
        needs=WS, hints=(IT,),
    ),
    SessionSpec(
        "WZ-10", "es", (), "war-zone", "report", 60, 40,
        "Testimonios de voluntarios humanitarios en Ucrania",
        "Voluntarios de España y América Latina relatan su trabajo en centros de acogida cerca del frente.",
        hints=(ES, *LATAM),
    ),
    SessionSpec(
        "WZ-11", "ru", (), "war-zone", "round-table", 90, 60,
        "Мирные жители по обе стороны фронта",
        "Гражданские из оккупированных и прифронтовых территорий о жизни, страхе и надежде на мир.",
        hints=(UA, RU),
    ),
    # The future of Europe.
    SessionSpec(
        "EU-01", "it", ("en", "de"), "europe", "panel", 120, 260,
        "Il futuro dell'Europa: difesa comune o casa comune?",
        "Parlamentari, sindacalisti e movimenti discutono se l'Europa debba riarmarsi o diventare un soggetto "
        "di pace.",
        hints=(IT, DE, AT), priority=3,
    ),
    SessionSpec(
        "EU-02", "de", (), "europe", "panel", 90, 90,
        "Neutralität als Friedensmodell? Das Beispiel Österreich",
        "Was kann die österreichische Neutralität für eine künftige europäische Friedensordnung bedeuten?",
        hints=(AT,),
    ),
    SessionSpec(
        "EU-03", "en", (), "europe", "panel", 90, 90,
        "Rethinking European Security: An Architecture That Includes Everyone",
        "From the Helsinki Final Act to the OSCE today: proposals for common security in Europe.",
        hints=(DE, IT, US),
    ),
    SessionSpec(
        "EU-04", "fr", ("it", "en"), "europe", "panel", 90, 110,
        "L'Europe entre réarmement et diplomatie",
        "Chercheurs et élus français débattent du rôle de l'Union européenne dans la recherche d'un "
        "cessez-le-feu.",
        hints=(FR,),
    ),
    SessionSpec(
        "EU-05", "es", (), "europe", "round-table", 60, 55,
        "Europa y América Latina: diálogo por la paz",
        "Cómo pueden cooperar los movimientos de ambos continentes para impulsar una solución negociada.",
        hints=(ES, *LATAM),
    ),
    SessionSpec(
        "EU-06", "it", (), "europe", "workshop", 60, 35,
        "Laboratorio: scrivere al Parlamento europeo",
        "Come si prepara una petizione e come si organizza un incontro con i deputati europei.",
        needs=WS, hints=(IT,),
    ),
    SessionSpec(
        "EU-07", "en", (), "europe", "panel", 60, 60,
        "Central Asia and the Caucasus in Europe's Future",
        "Speakers from Georgia and Kazakhstan on neutrality, migration and the risk of new conflicts in their "
        "regions.",
        hints=(GE, KZ),
    ),
    SessionSpec(
        "EU-08", "it", (), "europe", "report", 60, 60,
        "Sanzioni e crisi energetica: le conseguenze sociali in Italia",
        "Sindacati e associazioni dei consumatori sull'impatto della guerra sulle famiglie e sul lavoro.",
        hints=(IT,),
    ),
    SessionSpec(
        "EU-09", "uk", ("en",), "europe", "panel", 90, 80,
        "Україна в Європі: мир, відбудова і справедливість",
        "Громадські діячі про європейське майбутнє України, відбудову та правосуддя для жертв війни.",
        hints=(UA,),
    ),
    # Joint actions.
    SessionSpec(
        "JA-01", "it", ("en",), "joint-action", "panel", 90, 140,
        "Verso una mobilitazione europea: proposte per azioni comuni",
        "Reti pacifiste italiane ed europee presentano proposte per una giornata di azione coordinata.",
        hints=(IT,),
    ),
    SessionSpec(
        "JA-02", "it", (), "joint-action", "workshop", 120, 38,
        "Laboratorio: preparare la giornata europea di azione",
        "Gruppi di lavoro traducono le proposte del panel in un calendario e in compiti concreti.",
        needs=WS, hints=(IT,), after=("JA-01",),
    ),
    SessionSpec(
        "JA-03", "en", ("it", "es"), "joint-action", "panel", 90, 120,
        "Nonviolent Civil Resistance: Lessons from Movements Worldwide",
        "Activists from the Americas, Africa and Europe share strategies of civil resistance that worked.",
        hints=(US, *AFRICA, *LATAM),
    ),
    SessionSpec(
        "JA-04", "en", (), "joint-action", "workshop", 60, 32,
        "Training: Planning a Nonviolent Action",
        "A practical training on goals, roles, safety and communication for nonviolent actions.",
        needs=WS, hints=(US, DE), after=("JA-03",),
    ),
    SessionSpec(
        "JA-05", "de", (), "joint-action", "round-table", 60, 40,
        "Abrüsten statt Aufrüsten: wie geht es weiter?",
        "Die Kampagne zieht Bilanz und plant die nächsten Schritte gegen die Aufrüstung der Bundeswehr.",
        hints=(DE,),
    ),
    SessionSpec(
        "JA-06", "es", ("it",), "joint-action", "panel", 60, 65,
        "Objeción de conciencia: una red internacional de apoyo",
        "Cómo apoyar a los objetores de conciencia de Rusia, Ucrania y Bielorrusia con asilo, asistencia legal "
        "y campañas.",
        hints=(ES,),
    ),
    SessionSpec(
        "JA-07", "fr", (), "joint-action", "workshop", 60, 30,
        "Atelier : communiquer la paix dans les médias",
        "Exercices pratiques pour écrire un communiqué, répondre aux journalistes et utiliser les réseaux "
        "sociaux.",
        needs=WS, hints=(FR,),
    ),
    SessionSpec(
        "JA-08", "it", (), "joint-action", "round-table", 60, 60,
        "Disarmo nucleare: il Trattato TPNW e la campagna italiana",
        "Perché l'Italia dovrebbe firmare il Trattato per la proibizione delle armi nucleari.",
        hints=(IT,),
    ),
    SessionSpec(
        "JA-09", "en", (), "joint-action", "panel", 60, 70,
        "Divest from War: Campaigns Against Arms Financing",
        "Banks, pension funds and city councils: campaigners explain how to move money away from weapons.",
        hints=(US, *AFRICA),
    ),
    SessionSpec(
        "JA-10", "en", (), "joint-action", "round-table", 120, 90,
        "Drafting the Rome Appeal: A Joint Action Plan",
        "Delegates merge the proposals of the workshops into the text submitted to the closing plenary.",
        hints=(IT, UA, RU, DE), after=("JA-02", "JA-04"), priority=5,
    ),
    # Bridge-building between peace movements.
    SessionSpec(
        "BB-01", "ru", ("uk", "en"), "bridge-building", "round-table", 120, 130,
        "Мосты вместо стен: диалог российских и украинских пацифистов",
        "Российские и украинские участники движения за мир ищут общий язык, несмотря на войну.",
        hints=(UA, RU, UA, GE), priority=3,
    ),
    SessionSpec(
        "BB-02", "uk", ("ru", "it"), "bridge-building", "round-table", 90, 110,
        "Діалог попри війну: ініціативи примирення",
        "Українські громадські організації про можливості й межі діалогу та примирення під час війни.",
        hints=(UA,),
    ),
    SessionSpec(
        "BB-03", "en", ("it", "ru", "uk"), "bridge-building", "panel", 90, 210,
        "Building Bridges Between Peace Movements East and West",
        "How can peace movements in Western Europe, Ukraine, Russia and the Global South work together without "
        "silencing each other?",
        hints=(UA, RU, DE, US), priority=3,
    ),
    SessionSpec(
        "BB-04", "it", (), "bridge-building", "round-table", 60, 50,
        "Chiese e religioni come ponte di pace",
        "Rappresentanti cattolici, ortodossi, protestanti e musulmani sul contributo delle fedi alla "
        "riconciliazione.",
        hints=(IT,),
    ),
    SessionSpec(
        "BB-05", "de", (), "bridge-building", "round-table", 60, 60,
        "Friedensbewegungen in Ost und West: Geschichte einer schwierigen Beziehung",
        "Vom Kalten Krieg bis heute: was die Friedensbewegungen voneinander gelernt haben und woran sie "
        "gescheitert sind.",
        hints=(DE, AT),
    ),
    SessionSpec(
        "BB-06", "en", (), "bridge-building", "workshop", 90, 28,
        "Dialogue Facilitation: Listening Across Divides",
        "A workshop on facilitating conversations between people on opposite sides of a conflict.",
        needs=WS, hints=(US, *AFRICA),
    ),
    SessionSpec(
        "BB-07", "fr", (), "bridge-building", "panel", 60, 55,
        "Afrique et Europe : bâtir des ponts pour la paix",
        "Des militants africains et européens sur la solidarité entre mouvements de paix des deux continents.",
        hints=AFRICA,
    ),
    SessionSpec(
        "BB-08", "es", (), "bridge-building", "round-table", 60, 40,
        "Movimientos por la paz en América del Sur: lo que aprendimos en Colombia",
        "Lecciones del proceso de paz colombiano para el diálogo entre sociedades en guerra.",
        hints=LATAM,
    ),
    SessionSpec(
        "BB-09", "en", (), "bridge-building", "panel", 60, 55,
        "Youth Exchanges as Peace Work: Georgia, Kazakhstan and Italy",
        "Organisers of youth exchanges explain how meetings between young people from countries at odds can "
        "build trust.",
        hints=(GE, KZ, IT),
    ),
)
SESSION_BY_ID = {s.session_id: s for s in SESSIONS}
TRACKS = ("causes", "war-zone", "europe", "joint-action", "bridge-building")
SPEAKERS_PER_KIND = {
    "plenary": (4, 4),
    "panel": (3, 4),
    "report": (1, 2),
    "workshop": (1, 2),
    "round-table": (3, 5),
}


# --------------------------------------------------------------------------------------------------------------
# Interpreter teams: (team_id, pair, windows as (start, end) ISO pairs; empty means throughout).

TEAMS: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (
    ("it-en-1", "it-en", ()),
    ("it-en-2", "it-en", (("2023-10-14T09:00:00", "2023-10-15T17:00:00"),)),
    ("it-ru-1", "it-ru", ()),
    ("it-uk-1", "it-uk", ()),
    ("en-ru-1", "en-ru", ()),
    ("en-uk-1", "en-uk", ()),
    ("ru-uk-1", "ru-uk", ()),
    ("it-de-1", "it-de", ()),
    ("en-de-1", "en-de", (("2023-10-13T09:00:00", "2023-10-14T20:00:00"),)),
    ("it-es-1", "it-es", ()),
    ("en-es-1", "en-es", (("2023-10-14T09:00:00", "2023-10-14T20:00:00"),)),
    ("it-fr-1", "it-fr", (("2023-10-13T09:00:00", "2023-10-13T20:00:00"),
                          ("2023-10-15T09:00:00", "2023-10-15T17:00:00"))),
    ("en-fr-1", "en-fr", ()),
)


def team_windows() -> dict[tuple[str, str], list[list[tuple[int, int]]]]:
    """Per pair, one list of availability windows (minutes) per team; a team without windows gets the whole span."""
    everything = [(PERIODS[0][0], PERIODS[-1][1])]
    result: dict[tuple[str, str], list[list[tuple[int, int]]]] = {}
    for _, languages, windows in TEAMS:
        a, b = languages.split("-")
        spans = [(to_min(s), to_min(e)) for s, e in windows] or everything
        result.setdefault(pair(a, b), []).append(spans)
    return result


# --------------------------------------------------------------------------------------------------------------
# People.


@dataclass
class Person:
    name: str
    country: str
    languages: list[str]
    bio: str
    sessions: list[str] = field(default_factory=list)
    availability: list[tuple[int, int]] = field(default_factory=list)
    preferred: list[tuple[int, int]] = field(default_factory=list)


FIRST_LAST: dict[str, tuple[tuple[str, ...], tuple[str, ...], int]] = {
    IT: (
        ("Giulia", "Marco", "Francesca", "Luca", "Chiara", "Alessandro", "Elena", "Giovanni", "Sara", "Paolo",
         "Maria", "Andrea", "Anna", "Stefano", "Laura", "Davide", "Silvia", "Roberto", "Valentina", "Matteo",
         "Lucia", "Giorgio"),
        ("Rossi", "Bianchi", "Esposito", "Romano", "Colombo", "Ricci", "Marino", "Greco", "Bruno", "Gallo",
         "Conti", "De Luca", "Mancini", "Costa", "Giordano", "Rizzo", "Lombardi", "Moretti", "Barbieri",
         "Fontana", "Santoro", "Mariani", "D'Angelo", "Ferrara", "Caruso"),
        28,
    ),
    ES: (
        ("Lucía", "Javier", "Carmen", "Pablo", "Marta", "Alejandro", "Isabel", "Diego"),
        ("García", "Fernández", "López", "Martínez", "Sánchez", "Romero", "Navarro", "Ortega"),
        7,
    ),
    FR: (
        ("Camille", "Julien", "Sophie", "Nicolas", "Claire", "Antoine", "Élise", "Mathieu"),
        ("Martin", "Bernard", "Dubois", "Moreau", "Laurent", "Lefèvre", "Girard", "Rousseau"),
        7,
    ),
    AT: (
        ("Katharina", "Florian", "Johanna", "Lukas", "Theresa", "Stefan"),
        ("Gruber", "Huber", "Bauer", "Wagner", "Pichler", "Steiner"),
        5,
    ),
    DE: (
        ("Anna", "Jonas", "Lena", "Felix", "Miriam", "Tobias", "Ulrike", "Matthias", "Sabine", "Jan"),
        ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Becker", "Hoffmann", "Schäfer", "Koch", "Richter"),
        8,
    ),
    UA: (
        ("Oksana", "Andriy", "Iryna", "Taras", "Olena", "Dmytro", "Nataliia", "Yurii", "Kateryna", "Bohdan",
         "Halyna", "Serhiy", "Mariia", "Vitaliy"),
        ("Shevchenko", "Kovalenko", "Bondarenko", "Tkachenko", "Kravchenko", "Melnyk", "Boyko", "Lysenko",
         "Marchenko", "Savchenko", "Rudenko", "Petrenko", "Hrytsenko", "Moroz"),
        15,
    ),
}
FULL_NAMES: dict[str, tuple[str, ...]] = {
    RU: ("Yekaterina Sokolova", "Dmitri Volkov", "Anastasia Orlova", "Sergei Morozov", "Yelena Popova",
         "Alexei Lebedev", "Olga Kuznetsova", "Mikhail Novikov", "Svetlana Fedorova", "Pavel Zaitsev"),
    GE: ("Nino Beridze", "Giorgi Kapanadze", "Tamar Lomidze", "Levan Gelashvili"),
    KZ: ("Aigerim Nurlanova", "Yerlan Abenov", "Dana Sultanova"),
    US: ("Emily Johnson", "Michael Carter", "Sarah Thompson", "David Goldberg", "Jessica Ramírez", "Robert Hayes",
         "Karen Whitfield"),
    "Argentina": ("Valeria Gómez", "Martín Sosa"),
    "Brazil": ("Ana Paula Ferreira", "Rafael Oliveira"),
    "Colombia": ("Catalina Restrepo", "Andrés Cárdenas"),
    "Chile": ("Francisca Muñoz",),
    "Nigeria": ("Chinedu Okeke", "Ngozi Adeyemi"),
    "Kenya": ("Wanjiru Kamau",),
    "Senegal": ("Aminata Diop", "Moussa Ndiaye"),
    "Cameroon": ("Jean-Paul Mbarga",),
    "Ghana": ("Kwame Mensah",),
    "DR Congo": ("Marie-Claire Mukendi",),
    "South Africa": ("Thandiwe Nkosi",),
}
CITIES: dict[str, tuple[str, ...]] = {
    IT: ("Roma", "Milano", "Torino", "Firenze", "Napoli", "Bologna", "Palermo", "Perugia", "Bari", "Trento"),
    ES: ("Madrid", "Barcelona", "Sevilla", "Bilbao"),
    FR: ("Paris", "Lyon", "Marseille", "Toulouse"),
    AT: ("Wien", "Graz", "Innsbruck", "Linz"),
    DE: ("Berlin", "Hamburg", "München", "Köln", "Leipzig"),
    UA: ("Kyiv", "Lviv", "Kharkiv", "Odesa", "Zaporizhzhia", "Dnipro"),
    RU: ("Moscow (now in exile)", "St Petersburg (now in exile)", "Yekaterinburg", "Novosibirsk"),
    GE: ("Tbilisi", "Batumi"),
    KZ: ("Almaty", "Astana"),
    US: ("New York", "Chicago", "San Francisco", "Boston", "Washington DC"),
    "Argentina": ("Buenos Aires",),
    "Brazil": ("São Paulo",),
    "Colombia": ("Bogotá",),
    "Chile": ("Santiago",),
    "Nigeria": ("Lagos",),
    "Kenya": ("Nairobi",),
    "Senegal": ("Dakar",),
    "Cameroon": ("Yaoundé",),
    "Ghana": ("Accra",),
    "DR Congo": ("Kinshasa",),
    "South Africa": ("Johannesburg",),
}
ROLES = (
    "peace activist", "historian", "journalist", "researcher in peace studies", "volunteer coordinator",
    "trade unionist", "physician", "human rights lawyer", "teacher", "church peace worker",
    "conscientious objector", "humanitarian aid worker", "former diplomat", "student organiser", "psychologist",
)
LANGUAGE_RULES: dict[str, tuple[str, tuple[tuple[str, float], ...]]] = {
    # country: (first language, ((extra language, probability), ...))
    IT: ("it", (("en", 0.75), ("fr", 0.15), ("es", 0.12), ("de", 0.08))),
    ES: ("es", (("en", 0.7), ("it", 0.25), ("fr", 0.15))),
    FR: ("fr", (("en", 0.7), ("it", 0.2), ("es", 0.1))),
    AT: ("de", (("en", 0.85), ("it", 0.2))),
    DE: ("de", (("en", 0.9), ("fr", 0.1), ("ru", 0.1))),
    UA: ("uk", (("ru", 0.85), ("en", 0.6), ("de", 0.05))),
    RU: ("ru", (("en", 0.65), ("de", 0.1))),
    GE: ("ru", (("en", 1.0),)),
    KZ: ("ru", (("en", 0.9),)),
    US: ("en", (("es", 0.25), ("fr", 0.05))),
    "Argentina": ("es", (("en", 0.6), ("it", 0.3))),
    "Brazil": ("es", (("en", 1.0),)),
    "Colombia": ("es", (("en", 0.6),)),
    "Chile": ("es", (("en", 0.6),)),
    "Nigeria": ("en", ()),
    "Kenya": ("en", ()),
    "Ghana": ("en", (("fr", 0.2),)),
    "South Africa": ("en", ()),
    "Senegal": ("fr", (("en", 0.5),)),
    "Cameroon": ("fr", (("en", 1.0),)),
    "DR Congo": ("fr", (("en", 0.4),)),
}


def make_people(rng: random.Random) -> list[Person]:
    """The pool of potential speakers; only those who get a session are written out."""
    people: list[Person] = []
    for country, (firsts, lasts, count) in FIRST_LAST.items():
        names: list[str] = []
        while len(names) < count:
            name = f"{rng.choice(firsts)} {rng.choice(lasts)}"
            if name not in names:
                names.append(name)
        people += [make_person(rng, name, country) for name in names]
    for country, names in FULL_NAMES.items():
        people += [make_person(rng, name, country) for name in names]
    return people


def make_person(rng: random.Random, name: str, country: str) -> Person:
    """One person with languages drawn by the country's rule and a one-line bio."""
    first, extras = LANGUAGE_RULES[country]
    languages = [first] + [lang for lang, p in extras if rng.random() < p]
    bio = f"{rng.choice(ROLES).capitalize()}, {rng.choice(CITIES[country])}, {country}."
    return Person(name, country, languages, bio)


def assign_speakers(rng: random.Random, people: list[Person]) -> dict[str, list[int]]:
    """Speakers (indices into `people`) per session: they speak its language, hinted countries first."""
    result: dict[str, list[int]] = {}
    for spec in SESSIONS:
        low, high = SPEAKERS_PER_KIND[spec.kind]
        wanted = rng.randint(low, high)
        chosen: list[int] = []
        for slot in range(wanted):
            candidates = [
                i for i, p in enumerate(people)
                if spec.language in p.languages and i not in chosen and len(p.sessions) < MAX_SESSIONS_PER_SPEAKER
            ]
            assert candidates, f"{spec.session_id}: no speaker left for language {spec.language}"
            weights = [
                hint_weight(people[i].country, spec.hints, slot) * (1.0, 0.05, 0.02)[len(people[i].sessions)]
                for i in candidates
            ]
            pick = rng.choices(candidates, weights)[0]
            chosen.append(pick)
            people[pick].sessions.append(spec.session_id)
        result[spec.session_id] = chosen
    return result


def hint_weight(country: str, hints: Sequence[str], slot: int) -> float:
    """Draw weight of a speaker for a session slot: slot k favours the k-th hinted country, then any hinted one."""
    if hints and country == hints[slot % len(hints)]:
        return 8.0
    return 2.0 if country in hints else 0.3


AVAILABILITY_PATTERNS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    ("arrives Saturday", (("2023-10-14T09:00:00", "2023-10-15T17:00:00"),)),
    ("leaves Saturday noon", (("2023-10-13T09:00:00", "2023-10-14T13:00:00"),)),
    ("Friday and Saturday", (("2023-10-13T09:00:00", "2023-10-14T20:00:00"),)),
    ("arrives Friday afternoon", (("2023-10-13T14:00:00", "2023-10-15T17:00:00"),)),
    ("Saturday only", (("2023-10-14T09:00:00", "2023-10-14T20:00:00"),)),
    ("Friday afternoon and Sunday", (("2023-10-13T14:00:00", "2023-10-13T20:00:00"),
                                     ("2023-10-15T09:00:00", "2023-10-15T17:00:00"))),
    ("leaves Friday evening", (("2023-10-13T09:00:00", "2023-10-13T20:00:00"),)),
)
PREFERRED_PATTERNS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    ("Saturday morning", (("2023-10-14T09:30:00", "2023-10-14T13:00:00"),)),
    ("Friday afternoon", (("2023-10-13T14:30:00", "2023-10-13T19:00:00"),)),
    ("mornings", (("2023-10-13T09:30:00", "2023-10-13T13:00:00"), ("2023-10-14T09:30:00", "2023-10-14T13:00:00"),
                  ("2023-10-15T09:30:00", "2023-10-15T13:30:00"))),
)


def feasible_starts(spec: SessionSpec, windows: Sequence[tuple[int, int]] | None) -> list[int]:
    """Grid starts at which `spec` fits an open period, the given windows (if any) and its interpreter teams."""
    teams = team_windows()
    starts = []
    for p_start, p_end in PERIODS:
        for start in range(p_start, p_end - spec.duration_min + 1, GRANULARITY_MIN):
            end = start + spec.duration_min
            if windows is not None and not inside(windows, start, end):
                continue
            if all(any(inside(w, start, end) for w in teams.get(pr, [])) for pr in spec.pairs):
                starts.append(start)
    return starts


def assign_availability(rng: random.Random, people: list[Person], speakers: dict[str, list[int]]) -> None:
    """Give about a fifth of the speakers limited availability and a few of them preferred windows.

    A pattern is kept only if each of the person's sessions keeps at least `MIN_STARTS` feasible starts
    given all its speakers' windows; speakers of pinned sessions stay available throughout.
    """
    used = [i for i, p in enumerate(people) if p.sessions]
    pinned = {i for s in SESSIONS if s.fixed_start for i in speakers[s.session_id]}
    free = [i for i in used if i not in pinned]
    for i in rng.sample(free, len(used) // 5):
        person = people[i]
        for _, rows in rng.sample(AVAILABILITY_PATTERNS, len(AVAILABILITY_PATTERNS)):
            person.availability = [(to_min(s), to_min(e)) for s, e in rows]
            if all(len(session_starts(s, people, speakers)) >= MIN_STARTS for s in person.sessions):
                break
            person.availability = []
    for i in rng.sample(free, 7):
        person = people[i]
        _, rows = rng.choice(PREFERRED_PATTERNS)
        windows = [(to_min(s), to_min(e)) for s, e in rows]
        if person.availability:  # a wish inside availability only
            windows = [w for w in windows if inside(person.availability, *w)]
        person.preferred = windows


def session_starts(session_id: str, people: list[Person], speakers: dict[str, list[int]]) -> list[int]:
    """Feasible starts of a session on its own: open periods, interpreter teams, all its speakers' windows."""
    spec = SESSION_BY_ID[session_id]
    starts = feasible_starts(spec, None)
    for i in speakers[session_id]:
        if people[i].availability:
            starts = [s for s in starts if inside(people[i].availability, s, s + spec.duration_min)]
    return starts


# --------------------------------------------------------------------------------------------------------------
# Attendees.

LANGUAGE_MIXES: tuple[tuple[tuple[str, ...], int], ...] = (
    (("it", "en"), 90),
    (("it",), 45),
    (("it", "en", "fr"), 12),
    (("it", "es"), 10),
    (("it", "en", "de"), 8),
    (("en",), 15),
    (("de", "en"), 25),
    (("de",), 8),
    (("ru", "uk"), 18),
    (("ru", "uk", "en"), 15),
    (("ru", "en"), 8),
    (("uk", "en"), 8),
    (("ru",), 5),
    (("es", "en"), 14),
    (("es",), 12),
    (("fr", "en"), 12),
    (("fr",), 6),
)
TRACK_TASTE = {"causes": 2, "war-zone": 3, "europe": 2, "joint-action": 2, "bridge-building": 2}


def make_attendees(rng: random.Random) -> list[tuple[tuple[str, ...], list[str]]]:
    """(languages, interests) per attendee: popularity skew, track affinity, language fit, rooms never overbooked."""
    mixes = [m for m, _ in LANGUAGE_MIXES]
    mix_weights = [w for _, w in LANGUAGE_MIXES]
    booked: Counter[str] = Counter()
    attendees = []
    for _ in range(N_ATTENDEES):
        languages = rng.choices(mixes, mix_weights)[0]
        favourites = set(rng.choices(list(TRACK_TASTE), list(TRACK_TASTE.values()), k=rng.choice((1, 1, 2))))
        count = min(10, max(4, round(rng.triangular(4, 10, 6))))
        interests: list[str] = []
        for spec in SESSIONS:  # plenaries: most people want them, they never clash
            if spec.plenary and rng.random() < 0.45:
                interests.append(spec.session_id)
        while len(interests) < count:
            pool = [
                s for s in SESSIONS
                if not s.plenary and s.session_id not in interests and booked[s.session_id] < s.audience * 3 // 5
            ]
            weights = [
                s.audience ** 0.7
                * (5.0 if s.track in favourites else 1.0)
                * (3.0 if set(languages) & ({s.language} | set(s.interpretation)) else 0.15)
                for s in pool
            ]
            pick = rng.choices(pool, weights)[0]
            interests.append(pick.session_id)
            booked[pick.session_id] += 1
        order = {s.session_id: k for k, s in enumerate(SESSIONS)}
        attendees.append((languages, sorted(interests, key=order.__getitem__)))
    return attendees


# --------------------------------------------------------------------------------------------------------------
# Checks and a constructive witness.


def suitable_rooms(spec: SessionSpec) -> list[Room]:
    """Rooms with enough seats, the needed features and enough booths for the interpretation targets."""
    return [
        r for r in ROOMS
        if r.capacity >= spec.audience and set(spec.needs) <= set(r.features) and r.booths >= len(spec.interpretation)
        and r.room_id not in spec.overflow and (not spec.fixed_room or r.room_id == spec.fixed_room)
    ]


def topological_order(ids: Sequence[str]) -> list[str]:
    """`ids` reordered so that every session comes after those in its `after`; asserts there is no cycle."""
    placed: list[str] = []
    remaining = list(ids)
    while remaining:
        ready = [i for i in remaining if all(a in placed for a in SESSION_BY_ID[i].after)]
        assert ready, f"cycle in after among {remaining}"
        placed.append(ready[0])
        remaining.remove(ready[0])
    return placed


@dataclass
class Placement:
    start: int
    end: int
    room: str


@dataclass(frozen=True)
class World:
    """What the hard rules need besides the session table: people, who speaks where, interpreter teams."""

    people: list[Person]
    speakers: dict[str, list[int]]
    teams: dict[tuple[str, str], list[list[tuple[int, int]]]]


def fits(spec: SessionSpec, start: int, room: str, placed: dict[str, Placement], world: World) -> bool:
    """Whether `spec` may run at [start, start + duration) in `room` next to `placed`, by every hard rule."""
    end = start + spec.duration_min
    if room not in {r.room_id for r in suitable_rooms(spec)} or not inside(PERIODS, start, end):
        return False
    if spec.fixed_start and start != to_min(spec.fixed_start):
        return False
    mine = {room, *spec.overflow}
    for other_id, other in placed.items():
        other_spec = SESSION_BY_ID[other_id]
        near = start < other.end + CHANGEOVER_MIN and other.start < end + CHANGEOVER_MIN
        if near and mine & {other.room, *other_spec.overflow}:
            return False
        running = overlaps((start, end), (other.start, other.end))
        if running and (spec.plenary or other_spec.plenary):
            return False
        if running and set(world.speakers[other_id]) & set(world.speakers[spec.session_id]):
            return False
        if other_id in spec.after and other.end > start:
            return False
        if spec.session_id in other_spec.after and end > other.start:
            return False
    for i in world.speakers[spec.session_id]:
        if world.people[i].availability and not inside(world.people[i].availability, start, end):
            return False
    for pr in spec.pairs:
        for u in range(start, end, GRANULARITY_MIN):
            running_pairs = sum(
                1 for oid, o in placed.items() if pr in SESSION_BY_ID[oid].pairs and o.start <= u < o.end
            )
            available = sum(1 for w in world.teams.get(pr, []) if any(ws <= u < we for ws, we in w))
            if running_pairs + 1 > available:
                return False
    return True


def greedy(order: Sequence[str], world: World, room_order: Sequence[Room],
           deadline: dict[str, int] | None = None) -> tuple[dict[str, Placement], str]:
    """Place sessions one by one at the earliest start and first room that keep every hard rule.

    `deadline` optionally bounds each session's end (to leave room for the sessions that must come after it).
    Returns the placement and the id of the session it got stuck on ("" when every session is placed).
    """
    placed: dict[str, Placement] = {}
    for session_id in order:
        spec = SESSION_BY_ID[session_id]
        starts = [to_min(spec.fixed_start)] if spec.fixed_start else feasible_starts(spec, None)
        if deadline:
            starts = [s for s in starts if s + spec.duration_min <= deadline[session_id]]
        spot = next(
            (Placement(s, s + spec.duration_min, r.room_id) for s in starts for r in room_order
             if fits(spec, s, r.room_id, placed, world)),
            None,
        )
        if spot is None:
            return placed, session_id
        placed[session_id] = spot
    return placed, ""


def improve(placed: dict[str, Placement], world: World, co_interest: Counter[tuple[str, str]],
            passes: int = 2) -> dict[str, Placement]:
    """First-improvement local search: swap the spots of two equally long sessions while the cost drops."""
    current = dict(placed)
    cost = weighted(conflict_cost(current, co_interest))
    movable = sorted(i for i in current if not SESSION_BY_ID[i].fixed_start)
    for _ in range(passes):
        for k, a in enumerate(movable):
            for b in movable[k + 1:]:
                if SESSION_BY_ID[a].duration_min != SESSION_BY_ID[b].duration_min:
                    continue
                rest = {i: p for i, p in current.items() if i not in (a, b)}
                if not fits(SESSION_BY_ID[a], current[b].start, current[b].room, rest, world):
                    continue
                rest[a] = current[b]
                if not fits(SESSION_BY_ID[b], current[a].start, current[a].room, rest, world):
                    continue
                rest[b] = current[a]
                new_cost = weighted(conflict_cost(rest, co_interest))
                if new_cost < cost:
                    current, cost = rest, new_cost
    return current


def valid(placed: dict[str, Placement], world: World) -> bool:
    """Whether a complete placement keeps every hard rule (each session checked against all the others)."""
    return set(placed) == set(SESSION_BY_ID) and all(
        fits(SESSION_BY_ID[i], p.start, p.room, {j: q for j, q in placed.items() if j != i}, world)
        for i, p in placed.items()
    )


def weighted(cost: tuple[int, int]) -> int:
    """attendee_conflict and track_parallel weighted by their default weights (10 and 30)."""
    return 10 * cost[0] + 30 * cost[1]


def latest_ends(people: list[Person], speakers: dict[str, list[int]]) -> dict[str, int]:
    """Latest end of each session that still leaves every session that must come `after` it a feasible start."""
    deadline = {s.session_id: PERIODS[-1][1] for s in SESSIONS}
    for session_id in reversed(topological_order([s.session_id for s in SESSIONS])):
        spec = SESSION_BY_ID[session_id]
        starts = [to_min(spec.fixed_start)] if spec.fixed_start else session_starts(session_id, people, speakers)
        latest = max(s for s in starts if s + spec.duration_min <= deadline[session_id])
        for before in spec.after:
            deadline[before] = min(deadline[before], latest)
    return deadline


def options(session_id: str, people: list[Person], speakers: dict[str, list[int]]) -> int:
    """How many (start, room) choices a session has on its own: its speakers' availability, teams, rooms."""
    spec = SESSION_BY_ID[session_id]
    deadline = latest_ends(people, speakers)[session_id]
    starts = [s for s in session_starts(session_id, people, speakers) if s + spec.duration_min <= deadline]
    return len(starts) * len(suitable_rooms(spec))


def conflict_cost(placed: dict[str, Placement], co_interest: Counter[tuple[str, str]]) -> tuple[int, int]:
    """(attendee_conflict, track_parallel) raw counts of a placement."""
    ids = sorted(placed)
    attendee = track = 0
    for k, a in enumerate(ids):
        for b in ids[k + 1:]:
            if overlaps((placed[a].start, placed[a].end), (placed[b].start, placed[b].end)):
                attendee += co_interest[(a, b)]
                track += SESSION_BY_ID[a].track == SESSION_BY_ID[b].track
    return attendee, track


def check(rng: random.Random, people: list[Person], speakers: dict[str, list[int]],
          attendees: list[tuple[tuple[str, ...], list[str]]]) -> dict[str, object]:
    """Assert the data set is well formed and solvable; return key figures for the README."""
    ids = [s.session_id for s in SESSIONS]
    assert len(set(ids)) == len(ids), "duplicate session ids"
    assert 45 <= len(SESSIONS) <= 60
    assert {lang for s in SESSIONS for lang in (s.language, *s.interpretation)} == set(LANGUAGES)
    periods_max = max(e - s for s, e in PERIODS)
    for spec in SESSIONS:
        sid = spec.session_id
        assert spec.duration_min in (60, 90, 120) and spec.duration_min <= periods_max, sid
        assert suitable_rooms(spec), f"{sid}: no room suits it"
        assert spec.language not in spec.interpretation, sid
        assert all(a in SESSION_BY_ID and a != sid for a in spec.after), sid
        assert all(r in ROOM_BY_ID for r in spec.overflow), sid
        assert feasible_starts(spec, None), f"{sid}: no start inside an open period with interpreter teams"
        if spec.fixed_start:
            start = to_min(spec.fixed_start)
            assert inside(PERIODS, start, start + spec.duration_min), f"{sid}: pin outside the open periods"
            assert start % GRANULARITY_MIN == 0, sid
        for i in speakers[sid]:
            assert spec.language in people[i].languages, f"{sid}: speaker does not speak {spec.language}"
    topological_order(ids)
    teams = team_windows()
    for pr in {pr for s in SESSIONS for pr in s.pairs}:
        assert pr in teams, f"no interpreter team for {pr}"
        need = sum(s.duration_min for s in SESSIONS if pr in s.pairs)
        have = sum(max(0, min(we, pe) - max(ws, ps)) for w in teams[pr] for ws, we in w for ps, pe in PERIODS)
        assert need <= 0.7 * have, f"{pr}: {need} session-minutes for {have} team-minutes"

    # Room-minutes: plenaries block every room, overflow rooms are busy too.
    room_minutes = OPEN_MIN * len(ROOMS)
    session_minutes = sum(
        s.duration_min * (len(ROOMS) if s.plenary else 1 + len(s.overflow)) for s in SESSIONS
    )
    assert session_minutes <= MAX_UTILISATION * room_minutes, (session_minutes, room_minutes)
    # Hall-type condition: sessions that only fit a set of rooms must fit that set's free minutes.
    free_per_room = OPEN_MIN - sum(s.duration_min for s in SESSIONS if s.plenary)
    for fits in {frozenset(r.room_id for r in suitable_rooms(s)) for s in SESSIONS if not s.plenary}:
        load = sum(
            s.duration_min + CHANGEOVER_MIN + sum(o in fits for o in s.overflow) * s.duration_min
            for s in SESSIONS
            if not s.plenary and {r.room_id for r in suitable_rooms(s)} <= fits
        )
        assert load <= 0.85 * free_per_room * len(fits), (sorted(fits), load)

    used = [i for i, p in enumerate(people) if p.sessions]
    assert 80 <= len(used) <= 120, len(used)
    for i in used:
        person = people[i]
        specs = [SESSION_BY_ID[s] for s in person.sessions]
        windows = person.availability or None
        assert all(feasible_starts(sp, windows) for sp in specs), person.name
        if person.availability:
            usable = sum(max(0, min(e, pe) - max(s, ps)) for s, e in person.availability for ps, pe in PERIODS)
            assert sum(sp.duration_min for sp in specs) <= usable, person.name
        for sp in specs:
            if sp.fixed_start and windows:
                start = to_min(sp.fixed_start)
                assert inside(windows, start, start + sp.duration_min), person.name

    assert len(attendees) == N_ATTENDEES
    interest = Counter(s for _, interests in attendees for s in interests)
    for languages, interests in attendees:
        assert 4 <= len(interests) <= 10 and len(set(interests)) == len(interests)
        assert set(languages) <= set(LANGUAGES)
    for spec in SESSIONS:
        assert 3 <= interest[spec.session_id] <= spec.audience, (spec.session_id, interest[spec.session_id])
    co_interest: Counter[tuple[str, str]] = Counter()  # plenaries never run beside anything: left out
    for _, interests in attendees:
        wanted = sorted(i for i in interests if not SESSION_BY_ID[i].plenary)
        for k, a in enumerate(wanted):
            for b in wanted[k + 1:]:
                co_interest[(a, b)] += 1

    # A constructive witness: a greedy placement respecting every hard rule, most constrained sessions and
    # best-fitting rooms first; near-ties in tightness are shuffled on retries (drawn after all the data).
    world = World(people, speakers, teams)
    deadline = latest_ends(people, speakers)
    pinned = [s.session_id for s in SESSIONS if s.fixed_start]
    by_size = sorted(ROOMS, key=lambda r: r.capacity)
    choices = {i: options(i, people, speakers) for i in ids if i not in pinned}
    witness: dict[str, Placement] = {}
    stuck = "?"
    for attempt in range(WITNESS_ATTEMPTS):
        jitter = {i: c * (rng.uniform(0.6, 1.4) if attempt else 1.0) for i, c in choices.items()}
        order = pinned + topological_order(sorted(choices, key=jitter.__getitem__))
        witness, stuck = greedy(order, world, by_size, deadline)
        if not stuck:
            break
    assert not stuck, f"greedy witness stuck at {stuck}: the data set may be infeasible"
    assert valid(witness, world), "the witness breaks a hard rule"
    # The witness ignores attendees: swapping equally long sessions must lower its conflicts, so a placement
    # that ignores attendees is not optimal. The naive one (id order, first free room) fares no better.
    better = improve(witness, world, co_interest)
    assert valid(better, world), "the improved witness breaks a hard rule"
    witness_cost, better_cost = conflict_cost(witness, co_interest), conflict_cost(better, co_interest)
    assert weighted(better_cost) < weighted(witness_cost), (witness_cost, better_cost)
    naive, naive_stuck = greedy(pinned + topological_order(sorted(choices)), world, ROOMS)
    naive_cost = conflict_cost(naive, co_interest)
    assert naive_stuck or weighted(better_cost) < weighted(naive_cost), (naive_cost, better_cost)
    naive_result = (
        f"gets stuck at {naive_stuck} with {len(naive)} of {len(SESSIONS)} sessions placed" if naive_stuck
        else f"costs {naive_cost[0]} attendee conflicts and {naive_cost[1]} same-track clashes"
    )

    return {
        "rooms": len(ROOMS),
        "sessions": len(SESSIONS),
        "speakers": len(used),
        "attendees": len(attendees),
        "teams": len(TEAMS),
        "session_minutes": session_minutes,
        "room_minutes": room_minutes,
        "interests": sum(interest.values()),
        "interest_pairs": len(co_interest),
        "co_interest_total": sum(co_interest.values()),
        "interpreted": sum(1 for s in SESSIONS if s.interpretation),
        "limited_speakers": sum(1 for i in used if people[i].availability),
        "preferring_speakers": sum(1 for i in used if people[i].preferred),
        "multi_session_speakers": sum(1 for i in used if len(people[i].sessions) > 1),
        "naive_result": naive_result,
        "witness_cost": witness_cost,
        "better_cost": better_cost,
    }


# --------------------------------------------------------------------------------------------------------------
# Writing.


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """UTF-8 CSV with `\\n` line ends, quoting only where needed."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def conference_toml() -> str:
    """The text of conference.toml."""
    lines = [
        f'name = "{NAME}"',
        f'timezone = "{TIMEZONE}"',
        f"granularity_min = {GRANULARITY_MIN}",
        "languages = [" + ", ".join(f'"{lang}"' for lang in LANGUAGES) + "]",
        f"changeover_min = {CHANGEOVER_MIN}",
        f'slug = "{SLUG}"',
    ]
    for day, spans in DAYS:
        lines += ["", "[[days]]", f'date = "{day}"', "open = [" + ", ".join(f'"{s}"' for s in spans) + "]"]
    lines += [
        "",
        "[weights]",
        "attendee_conflict = 10",
        "track_parallel = 30",
        "language_coverage = 5",
        "speaker_preference = 20",
        "track_room_stability = 15",
        "moved = 1000",
        "unplaced = 100000",
    ]
    return "\n".join(lines) + "\n"


def readme(figures: dict[str, object]) -> str:
    """The folder's README.md with the figures of this data set."""
    f = figures
    share = 100 * int(f["session_minutes"]) / int(f["room_minutes"])  # type: ignore[arg-type]
    mixes = ", ".join("+".join(m) for m, _ in LANGUAGE_MIXES[:8])
    hours = "; ".join(f"{date.fromisoformat(d):%A} {' and '.join(spans)}" for d, spans in DAYS)
    return f"""# Rome Peace Conference 2023 (sample data)

**Fictional.** Every person, organisation, session, abstract and number in this folder is invented for testing
and demonstrating the scheduler. Any resemblance to real people is coincidental.

A three-day international, multilingual peace conference in Rome, Friday 13 to Sunday 15 October 2023
(Europe/Rome), on the causes of the war, reports from the war zone, the future of Europe, joint actions and
bridge-building between peace movements. The files follow `docs/format.md`.

- `conference.toml`: {len(DAYS)} days, {GRANULARITY_MIN}-minute grid, {CHANGEOVER_MIN} minutes changeover, open
  {hours}; default weights.
- `rooms.csv`: {f["rooms"]} rooms: Aula Magna (400 seats, 4 booths, stage, streaming), Sala Aldo Moro (150 seats,
  2 booths, streaming), Sala Danilo Dolci (90 seats, 1 booth), Sala Lidia Menapace (60 seats), Laboratorio Don
  Milani (40 seats, workshop).
- `sessions.csv`: {f["sessions"]} sessions in 7 languages (it, en, de, ru, uk, es, fr), {f["interpreted"]} of them with
  simultaneous interpretation (1 to 3 languages, 4 for the plenaries).
- `speakers.csv`: {f["speakers"]} speakers from Italy, Spain, France, Austria, Germany, Ukraine, Russia, Georgia,
  Kazakhstan, the USA, South America and Africa; {f["multi_session_speakers"]} of them speak in 2 or 3 sessions.
- `availability.csv`: {f["limited_speakers"]} speakers arrive late or leave early; {f["preferring_speakers"]} have
  preferred windows.
- `interpreters.csv`: {f["teams"]} interpreter teams for the pairs in use, some available only on some days.
- `attendees.csv`: {f["attendees"]} attendees with their languages (e.g. {mixes}) and 4 to 10 wanted sessions each.

## Sessions

- Opening plenary pinned to Friday 09:30 and closing plenary pinned to Sunday 14:30, both in the Aula Magna and
  both `plenary` (nothing else runs meanwhile); the closing plenary comes `after` the drafting round table JA-10.
- Tracks `causes` (CA-), `war-zone` (WZ-), `europe` (EU-), `joint-action` (JA-), `bridge-building` (BB-); kinds
  plenary, panel, report, workshop, round-table; durations 60, 90 or 120 minutes.
- Workshops need the `workshop` feature (only the Laboratorio has it). Sessions expecting more than 150 people
  or needing 3 or more interpretation channels only fit the Aula Magna.
- `after` chains: JA-01 -> JA-02, JA-03 -> JA-04, JA-02 and JA-04 -> JA-10 -> PL-CLOSE.
- WZ-01, the most awaited report from the front-line cities, is relayed into Sala Aldo Moro (`overflow_rooms`).
- `priority` is set on the plenaries and a few key sessions, for use with `--allow-unplaced`.

## Figures

- Session-minutes {f["session_minutes"]} (plenaries count once per room, the overflow room counts too) against
  room-minutes {f["room_minutes"]} ({share:.0f} %).
- {f["interests"]} interests; {f["interest_pairs"]} pairs of (non-plenary) sessions share at least one interested
  attendee, and the attendees name {f["co_interest_total"]} such pairs in all, so attendee conflicts are a real
  trade-off.
- Interest is drawn with a popularity skew (bigger sessions draw more), a track affinity (people who like
  war-zone reports want several of them) and a language fit; no session draws more than 60 % of its expected
  audience from these {f["attendees"]} registered attendees.

## Regenerating

The CSV files are the output of a deterministic generator (`random.Random(2023)`):

```
.venv/bin/python data/tools/make_rome_2023.py
```

It rewrites this folder byte for byte and refuses to write a data set it cannot prove solvable: every session has
a suitable room, session-minutes fit room-minutes, pins lie in open periods, `after` is acyclic, every
interpretation pair has a team, every speaker's sessions fit their availability, and a greedy placement that
respects all hard rules exists. That witness ignores attendees ({f["witness_cost"][0]} attendee conflicts,
{f["witness_cost"][1]} same-track clashes); swapping equally long sessions brings it down to
{f["better_cost"][0]} and {f["better_cost"][1]}, so a placement blind to interests is not optimal. Placing the
sessions naively, in id order into the first free room, {f["naive_result"]}.
"""


def reflow(markdown: str, width: int = 110) -> str:
    """Rewrap the paragraphs and bullet items of simple Markdown; headings and code blocks stay as they are."""
    out: list[str] = []
    for block in markdown.strip("\n").split("\n\n"):
        if block.startswith(("#", "```")):
            out.append(block)
            continue
        items = [" ".join(item.split()) for item in block.replace("\n- ", "\n\0- ").split("\n\0")]
        out.append("\n".join(
            textwrap.fill(item, width, subsequent_indent="  " if item.startswith("- ") else "",
                          break_on_hyphens=False)
            for item in items
        ))
    return "\n\n".join(out) + "\n"


def main() -> None:
    """Build, check and write the sample conference."""
    rng = random.Random(SEED)
    people = make_people(rng)
    speakers = assign_speakers(rng, people)
    assign_availability(rng, people, speakers)
    used = [i for i, p in enumerate(people) if p.sessions]
    attendees = make_attendees(rng)
    figures = check(rng, people, speakers, attendees)

    speaker_id = {i: f"SP{k:03d}" for k, i in enumerate(used, start=1)}
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "conference.toml").write_text(conference_toml(), encoding="utf-8")
    write_csv(
        OUT / "rooms.csv",
        ("room_id", "name", "capacity", "booths", "features"),
        ((r.room_id, r.name, r.capacity, r.booths, ";".join(r.features)) for r in ROOMS),
    )
    write_csv(
        OUT / "speakers.csv",
        ("speaker_id", "name", "languages", "country", "bio"),
        ((speaker_id[i], people[i].name, ";".join(people[i].languages), people[i].country, people[i].bio)
         for i in used),
    )
    write_csv(
        OUT / "sessions.csv",
        ("session_id", "title", "duration_min", "speakers", "language", "interpretation", "track", "kind",
         "expected_audience", "needs", "fixed_start", "fixed_room", "plenary", "after", "overflow_rooms",
         "priority", "abstract"),
        (
            (s.session_id, s.title, s.duration_min, ";".join(speaker_id[i] for i in speakers[s.session_id]),
             s.language, ";".join(s.interpretation), s.track, s.kind, s.audience, ";".join(s.needs),
             s.fixed_start, s.fixed_room, "true" if s.plenary else "false", ";".join(s.after),
             ";".join(s.overflow), s.priority, s.abstract)
            for s in SESSIONS
        ),
    )
    availability = []
    for i in used:
        availability += [(speaker_id[i], to_iso(s), to_iso(e), "false") for s, e in people[i].availability]
        availability += [(speaker_id[i], to_iso(s), to_iso(e), "true") for s, e in people[i].preferred]
    write_csv(OUT / "availability.csv", ("speaker_id", "start", "end", "preferred"), availability)
    write_csv(
        OUT / "attendees.csv",
        ("attendee_id", "languages", "interests"),
        ((f"A{k:03d}", ";".join(langs), ";".join(interests)) for k, (langs, interests) in enumerate(attendees, 1)),
    )
    interpreter_rows = []
    for team_id, languages, windows in TEAMS:
        interpreter_rows += [(team_id, languages, s, e) for s, e in windows] or [(team_id, languages, "", "")]
    write_csv(OUT / "interpreters.csv", ("team_id", "languages", "start", "end"), interpreter_rows)
    (OUT / "README.md").write_text(reflow(readme(figures)), encoding="utf-8")
    for key, value in figures.items():
        print(f"{key}: {value}")


if __name__ == "__main__":
    main()
