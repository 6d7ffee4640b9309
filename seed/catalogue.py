"""What people enjoy and what local groups offer: interests and kinds of service.

Each kind of service says what it is called, what interests it serves, when it usually meets,
what it costs, how accessible it tends to be, and which organizations run that kind of group.
"""

from __future__ import annotations

from dataclasses import dataclass

# (id, name, category, popularity): popularity weights how often people pick the interest.
INTERESTS: tuple[tuple[str, str, str, float], ...] = (
    ("walking", "Walking", "outdoors", 8),
    ("gardening", "Gardening", "outdoors", 7),
    ("nature", "Nature and birdwatching", "outdoors", 3),
    ("reading", "Reading", "learning", 6),
    ("local_history", "Local history", "learning", 4),
    ("technology", "Computers and phones", "learning", 3),
    ("languages", "Languages", "learning", 1),
    ("music", "Music", "arts", 7),
    ("singing", "Singing", "arts", 4),
    ("dancing", "Dancing", "arts", 3),
    ("painting", "Painting and drawing", "arts", 3),
    ("knitting", "Knitting and sewing", "crafts", 4),
    ("crafts", "Crafts", "crafts", 3),
    ("woodwork", "Woodwork and DIY", "crafts", 3),
    ("cooking", "Cooking and baking", "home", 6),
    ("conversation", "A good chat", "social", 10),
    ("bingo", "Bingo and quizzes", "social", 4),
    ("cards", "Cards and dominoes", "games", 4),
    ("chess", "Chess and draughts", "games", 2),
    ("puzzles", "Crosswords and puzzles", "games", 4),
    ("football", "Football", "sport", 4),
    ("cricket", "Cricket", "sport", 2),
    ("exercise", "Gentle exercise", "sport", 4),
    ("films", "Films and TV", "home", 5),
    ("faith", "Faith and worship", "faith", 5),
    ("pets", "Pets and animals", "home", 3),
)


@dataclass(frozen=True)
class ServiceKind:
    """A kind of local group. ``groups`` are (name, organization that runs it); ``{ward}`` in
    either is filled with the ward's name."""

    category: str
    groups: tuple[tuple[str, str], ...]
    interests: tuple[str, ...]
    times: tuple[tuple[str, str], ...]
    weekend: bool
    costs: tuple[str, ...]
    accessibility: tuple[str, ...]
    weight: float
    has_place: bool = True


AGE_CONCERN = "Vale Age Concern"
ASSOCIATION = "{ward} Community Association"
LIBRARIES = "Vale Borough Council Libraries"
TENANTS = "{ward} Tenants and Residents Association"

SERVICE_KINDS: tuple[ServiceKind, ...] = (
    ServiceKind(
        "lunch_club",
        (
            ("{ward} Lunch Club", AGE_CONCERN),
            ("Friday Friends Lunch, {ward}", "St Mary's Church, {ward}"),
            ("{ward} Community Kitchen", ASSOCIATION),
        ),
        ("cooking", "conversation"),
        (("12:00", "14:00"), ("12:30", "14:30")),
        False,
        ("low", "low", "free"),
        ("step_free", "accessible_toilet", "transport"),
        10,
    ),
    ServiceKind(
        "walking_group",
        (
            ("{ward} Health Walk", "Vale Ramblers"),
            ("{ward} Strollers", "Vale Ramblers"),
            ("Parks and Paths Walk, {ward}", "Friends of {ward}"),
        ),
        ("walking", "nature", "exercise"),
        (("10:00", "11:30"), ("10:30", "12:00")),
        True,
        ("free",),
        ("step_free",),
        8,
    ),
    ServiceKind(
        "mens_shed",
        (("{ward} Men's Shed", "Vale Men's Sheds Association"),),
        ("woodwork", "crafts", "conversation"),
        (("10:00", "15:00"), ("13:00", "16:00")),
        False,
        ("low", "free"),
        ("accessible_toilet",),
        3,
    ),
    ServiceKind(
        "library_group",
        (
            ("{ward} Library Reading Group", LIBRARIES),
            ("Large Print Book Club, {ward} Library", LIBRARIES),
            ("Local History Talks, {ward} Library", LIBRARIES),
        ),
        ("reading", "local_history"),
        (("14:00", "15:30"), ("10:30", "12:00")),
        True,
        ("free",),
        ("step_free", "hearing_loop", "large_print", "accessible_toilet"),
        6,
    ),
    ServiceKind(
        "faith_group",
        (
            ("Coffee Morning at St Mary's, {ward}", "St Mary's Church, {ward}"),
            ("{ward} Mosque Elders Circle", "{ward} Mosque and Community Centre"),
            ("{ward} Gurdwara Langar and Chat", "{ward} Gurdwara"),
            ("Chapel Friendship Club, {ward}", "{ward} Methodist Chapel"),
        ),
        ("faith", "conversation"),
        (("10:30", "12:00"), ("13:00", "15:00")),
        True,
        ("free",),
        ("step_free", "hearing_loop", "accessible_toilet"),
        6,
    ),
    ServiceKind(
        "digital_skills",
        (
            ("Get Online at {ward} Library", LIBRARIES),
            ("Tablet Help Drop-in, {ward}", "Vale Digital Inclusion Project"),
            ("Video Calls for Beginners, {ward}", "Vale Digital Inclusion Project"),
        ),
        ("technology",),
        (("10:00", "12:00"), ("14:00", "16:00")),
        False,
        ("free",),
        ("step_free", "large_print"),
        5,
    ),
    ServiceKind(
        "befriending_line",
        (
            ("Vale Telephone Befriending", "Silverline Vale Befriending"),
            ("Silver Voices Phone Friends", AGE_CONCERN),
            ("Evening Chat Line", "Silverline Vale Befriending"),
        ),
        ("conversation",),
        (("10:00", "16:00"), ("18:00", "20:00")),
        True,
        ("free",),
        (),
        2,
        has_place=False,
    ),
    ServiceKind(
        "choir",
        (
            ("{ward} Silver Singers", "Vale Community Choirs"),
            ("Community Choir, {ward}", "Vale Community Choirs"),
            ("Singing for the Brain, {ward}", "Vale Carers Hub"),
        ),
        ("singing", "music"),
        (("14:00", "15:30"), ("19:00", "20:30")),
        False,
        ("low", "free"),
        ("step_free", "hearing_loop"),
        4,
    ),
    ServiceKind(
        "allotment",
        (
            ("{ward} Community Allotment", "Vale Allotment Society"),
            ("Growing Together, {ward}", "Friends of {ward}"),
        ),
        ("gardening", "nature"),
        (("10:00", "13:00"), ("14:00", "16:30")),
        True,
        ("free", "low"),
        (),
        4,
    ),
    ServiceKind(
        "exercise_class",
        (
            ("Chair-Based Exercise, {ward}", AGE_CONCERN),
            ("Tai Chi in {ward}", ASSOCIATION),
            ("Seated Yoga, {ward}", ASSOCIATION),
        ),
        ("exercise",),
        (("11:00", "12:00"), ("10:00", "11:00")),
        False,
        ("low", "paid", "free"),
        ("step_free", "accessible_toilet"),
        6,
    ),
    ServiceKind(
        "memory_cafe",
        (
            ("{ward} Memory Cafe", AGE_CONCERN),
            ("Carers' Cuppa, {ward}", "Vale Carers Hub"),
        ),
        ("conversation", "music"),
        (("14:00", "16:00"),),
        False,
        ("free",),
        ("quiet_space", "step_free", "accessible_toilet"),
        3,
    ),
    ServiceKind(
        "craft_group",
        (
            ("Knit and Natter, {ward}", TENANTS),
            ("{ward} Craft Circle", ASSOCIATION),
            ("Art for Wellbeing, {ward}", ASSOCIATION),
        ),
        ("knitting", "crafts", "painting"),
        (("13:30", "15:30"), ("10:00", "12:00")),
        False,
        ("low", "free"),
        ("step_free", "quiet_space"),
        5,
    ),
    ServiceKind(
        "social_club",
        (
            ("{ward} Tea Dance", ASSOCIATION),
            ("{ward} Bingo and Quiz Afternoon", TENANTS),
            ("Over-60s Social, {ward}", TENANTS),
        ),
        ("dancing", "music", "bingo"),
        (("14:00", "16:30"), ("18:30", "21:00")),
        True,
        ("low", "paid"),
        ("step_free", "accessible_toilet", "hearing_loop"),
        5,
    ),
    ServiceKind(
        "games_club",
        (
            ("{ward} Chess and Draughts Club", LIBRARIES),
            ("Cards and Dominoes, {ward}", ASSOCIATION),
            ("Puzzle Club, {ward}", LIBRARIES),
        ),
        ("chess", "cards", "puzzles"),
        (("13:00", "16:00"), ("18:30", "21:00")),
        True,
        ("free",),
        ("step_free",),
        4,
    ),
    ServiceKind(
        "cultural_group",
        (
            ("Polish Seniors Club, {ward}", "Vale Polish Centre"),
            ("Bengali Women's Group, {ward}", ASSOCIATION),
            ("Somali Elders Tea, {ward}", "Vale Somali Community Association"),
            ("Turkish Cypriot Day Centre, {ward}", "Vale Turkish Cypriot Elders Club"),
            ("Punjabi Seniors Lunch, {ward}", "{ward} Gurdwara"),
            ("Gujarati Bhajan Group, {ward}", ASSOCIATION),
        ),
        ("conversation", "cooking", "music"),
        (("11:00", "14:00"), ("13:00", "16:00")),
        True,
        ("free", "low"),
        ("step_free",),
        4,
    ),
)

# Organization name template -> kind (a lower-case word, as Organization.kind expects).
ORGANIZATION_KINDS: dict[str, str] = {
    LIBRARIES: "council",
    AGE_CONCERN: "charity",
    "Friends of {ward}": "community_group",
    "St Mary's Church, {ward}": "faith_group",
    "{ward} Mosque and Community Centre": "faith_group",
    "{ward} Gurdwara": "faith_group",
    "{ward} Methodist Chapel": "faith_group",
    ASSOCIATION: "community_group",
    "Vale Men's Sheds Association": "charity",
    "Vale Ramblers": "community_group",
    "Vale Digital Inclusion Project": "social_enterprise",
    "Silverline Vale Befriending": "charity",
    "Vale Allotment Society": "community_group",
    "Vale Community Choirs": "community_group",
    "Vale Carers Hub": "charity",
    TENANTS: "community_group",
    "Vale Polish Centre": "community_group",
    "Vale Somali Community Association": "community_group",
    "Vale Turkish Cypriot Elders Club": "community_group",
}
