"""Sample and stress people for checking templates without a campaign: long names, Khmer-only
names, no photo, released with charges remaining. Used by ``campaign template check``,
``campaign preview --template`` and the benchmark.
"""

from __future__ import annotations

from datetime import date

from ..roster import Facts, Person, facts

SAMPLE_DAY = date(2021, 9, 15)

_PEOPLE = [
    {
        "id": "sample-typical",
        "name": {"en": "Rong Chhun", "km": "រ៉ុង ឈុន"},
        "group": {"en": "Cambodian Confederation of Unions", "km": "សហព័ន្ធសហជីពកម្ពុជា"},
        "role": {"en": "union leader", "km": "មេដឹកនាំសហជីព"},
        "events": [
            {"date": "2020-08-01", "type": "arrested",
             "charge": {"en": "incitement to commit a felony", "km": "ញុះញង់ឱ្យប្រព្រឹត្តបទឧក្រិដ្ឋ"}},
            {"date": "2021-08-04", "type": "convicted", "sentence": "2 years"},
        ],
    },
    {
        "id": "stress-longest-name",
        "name": {"en": "Chhoeun Daravy Sovannarith Keoraksmey-Vannak",
                 "km": "ឈឿន ដារ៉ាវី សុវណ្ណរិទ្ធ កែវរស្មី វណ្ណៈ"},
        "group": {"en": "Khmer Student Intelligent League Association and Mother Nature Cambodia",
                  "km": "សមាគមសម្ព័ន្ធនិស្សិតខ្មែរឆ្លាតវៃ និងធម្មជាតិមាតា"},
        "role": {"en": "environmental and youth activist", "km": "សកម្មជនបរិស្ថាន និងយុវជន"},
        "events": [
            {"date": "2020-09-03", "type": "arrested",
             "charge": {"en": "incitement to commit a felony and plotting against the state",
                        "km": "ញុះញង់ឱ្យប្រព្រឹត្តបទឧក្រិដ្ឋ និងឃុបឃិតប្រឆាំងនឹងរដ្ឋ"}},
        ],
    },
    {
        "id": "stress-khmer-only",
        "name": {"km": "សុខ ស្រីនាង"},
        "group": {"km": "ខ្មែរថាវរៈ"},
        "events": [{"date": "2021-06-16", "type": "arrested", "charge": {"km": "ញុះញង់"}}],
    },
    {
        "id": "sample-released",
        "name": {"en": "Long Kunthea", "km": "ឡុង គន្ធា"},
        "group": {"en": "Mother Nature Cambodia", "km": "ធម្មជាតិមាតា"},
        "events": [
            {"date": "2020-09-03", "type": "arrested", "charge": {"en": "incitement", "km": "ញុះញង់"}},
            {"date": "2021-09-10", "type": "released", "charges": "kept",
             "note": {"en": "charges not dropped; three years of judicial probation",
                      "km": "ការចោទប្រកាន់មិនត្រូវបានលុបចោលទេ៖ ការឃ្លាំមើលផ្លូវតុលាការរយៈពេល ៣ ឆ្នាំ"}},
        ],
    },
]


#: Long names in the other scripts a roster may write names in (Cyrillic, Thai, Burmese), each the
#: first name on its sample cards (the campaign's ``languages: [th, en]``), set in that script's font.
_OTHER_SCRIPTS = [
    ("be", {"id": "stress-cyrillic", "name": {"en": "Valiantsina Tsikhanouskaya-Kalesnikava",
                                               "be": "Валянціна Канстанцінаўна Ціханоўская-Калеснікава"},
            "group": {"en": "Viasna Human Rights Centre", "be": "Праваабарончы цэнтр «Вясна»"},
            "events": [{"date": "2021-02-01", "type": "arrested", "charge": {"en": "organising protests"}}]}),
    ("th", {"id": "stress-thai", "name": {"en": "Panusaya Sithijirawattanakul", "th": "ปนัสยา สิทธิจิรวัฒนกุล"},
            "group": {"en": "United Front of Thammasat and Demonstration"},
            "events": [{"date": "2021-03-08", "type": "arrested", "charge": {"en": "lese-majeste"}}]}),
    ("my", {"id": "stress-burmese", "name": {"en": "Daw Aung San Suu Kyi", "my": "ဒေါ်အောင်ဆန်းစုကြည်"},
            "group": {"en": "National League for Democracy"},
            "events": [{"date": "2021-02-01", "type": "arrested", "charge": {"en": "incitement"}}]}),
]


def other_script_people() -> list[tuple[str, Person]]:
    """(language, person) with a long name in Cyrillic, Thai and Burmese, that language first."""
    return [(lang, Person.model_validate(p)) for lang, p in _OTHER_SCRIPTS]


def sample_people() -> list[Person]:
    """Typical, longest-name, Khmer-only and released sample people (none has a photo)."""
    return [Person.model_validate(p) for p in _PEOPLE]


def sample_facts(on: date = SAMPLE_DAY) -> list[Facts]:
    return [facts(p, on) for p in sample_people()]


def crowd(people: list[Person], n: int, on: date) -> tuple[Facts, ...]:
    """``n`` people for a collage stress test, cycling through ``people`` with distinct ids."""
    return tuple(facts(people[i % len(people)].model_copy(update={"id": f"{people[i % len(people)].id}-{i}"}), on)
                 for i in range(n))
