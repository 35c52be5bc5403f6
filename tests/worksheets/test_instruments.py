"""The standard measures added after PHQ-9 and GAD-7 match their published instruments:
exact wording of every stem, item and response option, scoring on every band boundary,
subscales, LOINC codes only where they exist, licence and citation recorded, and no risk rule
invented for items that are not about self-harm. Also the PHQ-9/GAD-7 functional-difficulty
question, which is asked but never counted."""

from __future__ import annotations

import pytest

from worksheets import iter_fields, load_measure, score_response, validate_definition
from worksheets.measures import MEASURES, _read, measure_outcomes, standard_outcomes

FREQUENCY = ["Not at all", "Several days", "More than half the days", "Nearly every day"]
NEW = ("phq2", "gad2", "phq15", "pcl5", "dass21", "k10")


def labels(measure: dict) -> list[str]:
    return [f["label"] for f in iter_fields(measure)]


def option_rows(field: dict) -> list[tuple[str, str, int]]:
    return [(o["value"], o["label"], o["score"]) for o in field["options"]]


def answers_for(measure: dict, total: int, items: list[str] | None = None) -> dict[str, str]:
    """Answers whose scores add up to ``total`` over ``items`` (all scoring items by default;
    the others get their lowest option): each item starts at its lowest score and is raised in
    turn until the total is reached."""
    fields = {f["id"]: f for f in iter_fields(measure)}
    chosen = {}
    for item in measure["scoring"]["items"]:
        chosen[item] = sorted(fields[item]["options"], key=lambda o: o["score"])
    picks = dict.fromkeys(chosen, 0)
    target = items or list(chosen)
    remaining = total - sum(chosen[item][0]["score"] for item in target)
    for item in target:
        while remaining > 0 and picks[item] + 1 < len(chosen[item]):
            step = chosen[item][picks[item] + 1]["score"] - chosen[item][picks[item]]["score"]
            if step > remaining:
                break
            picks[item] += 1
            remaining -= step
    assert remaining == 0, f"{total} is not reachable"
    return {item: chosen[item][picks[item]]["value"] for item in chosen}


def assert_bands(name: str, expected: list[tuple[int, int, str, str]]) -> None:
    """The bands are exactly the published ones, and a total at the lowest and at the highest
    score of each band is placed in it."""
    measure = load_measure(name)
    got = [(b["min"], b["max"], b["label"], b["severity"]) for b in measure["scoring"]["bands"]]
    assert got == expected
    for low, high, label, _ in expected:
        for total in (low, high):
            result = score_response(measure, answers_for(measure, total))
            assert (result.total, result.band and result.band.label) == (total, label)


@pytest.mark.parametrize("name", MEASURES)
def test_every_standard_measure_is_a_valid_definition(name):
    assert validate_definition(load_measure(name)) == []


@pytest.mark.parametrize("name", NEW)
def test_every_new_measure_records_licence_citation_and_attribution(name):
    instrument = load_measure(name)["instrument"]
    assert instrument["validated"] is True
    assert set(instrument) == {"validated", "name", "licence", "citation", "attribution"}
    assert all(len(instrument[key]) > 20 for key in ("licence", "citation", "attribution"))


@pytest.mark.parametrize("name", NEW)
def test_no_new_measure_carries_a_risk_rule(name):
    """None of these items asks about self-harm or suicide (K10's "hopeless", DASS-21's "life
    was meaningless" and PCL-5's "taking too many risks" are distress and reckless behaviour,
    not self-harm), so none alerts the therapist by itself; a practice that wants an alert makes
    an adapted copy and marks the item."""
    measure = load_measure(name)
    assert not any("risk" in f for f in iter_fields(measure))
    assert "critical" not in measure["scoring"]


def test_phq2():
    phq2 = load_measure("phq2")
    assert phq2["sections"][0]["title"] == (
        "Over the last 2 weeks, how often have you been bothered by the following problems?"
    )
    assert labels(phq2) == [
        "Little interest or pleasure in doing things",
        "Feeling down, depressed, or hopeless",
    ]
    for field in iter_fields(phq2):
        assert option_rows(field) == [(str(n), label, n) for n, label in enumerate(FREQUENCY)]
        assert field["required"] is True
    assert phq2["scoring"]["loinc"] == {"panel": "55757-9", "total": "55758-7"}
    assert phq2["instrument"]["name"] == "PHQ-2"
    assert "Med Care. 2003;41(11):1284-1292" in phq2["instrument"]["citation"]
    assert_bands(
        "phq2",
        [(0, 2, "Below the screening cut-off", "minimal"), (3, 6, "Positive screen", "moderate")],
    )


def test_gad2():
    gad2 = load_measure("gad2")
    assert gad2["sections"][0]["title"] == (
        "Over the last 2 weeks, how often have you been bothered by the following problems?"
    )
    assert labels(gad2) == [
        "Feeling nervous, anxious, or on edge",
        "Not being able to stop or control worrying",
    ]
    for field in iter_fields(gad2):
        assert option_rows(field) == [(str(n), label, n) for n, label in enumerate(FREQUENCY)]
    # No GAD-2 LOINC panel is claimed: we could not confirm one, and a wrong code would
    # file these scores under another instrument.
    assert "loinc" not in gad2["scoring"]
    assert "Ann Intern Med. 2007;146(5):317-325" in gad2["instrument"]["citation"]
    assert_bands(
        "gad2",
        [(0, 2, "Below the screening cut-off", "minimal"), (3, 6, "Positive screen", "moderate")],
    )


def test_phq15():
    phq15 = load_measure("phq15")
    assert phq15["sections"][0]["title"] == (
        "During the past 4 weeks, how much have you been bothered by any of the following problems?"
    )
    assert labels(phq15) == [
        "Stomach pain",
        "Back pain",
        "Pain in your arms, legs, or joints (knees, hips, etc.)",
        "Menstrual cramps or other problems with your periods",
        "Headaches",
        "Chest pain",
        "Dizziness",
        "Fainting spells",
        "Feeling your heart pound or race",
        "Shortness of breath",
        "Pain or problems during sexual intercourse",
        "Constipation, loose bowels, or diarrhea",
        "Nausea, gas, or indigestion",
        "Feeling tired or having low energy",
        "Trouble sleeping",
    ]
    fields = list(iter_fields(phq15))
    for field in fields:
        assert option_rows(field) == [
            ("0", "Not bothered at all", 0),
            ("1", "Bothered a little", 1),
            ("2", "Bothered a lot", 2),
        ]
    # The periods item is for women only: optional, and the total does not wait for it.
    assert fields[3]["help"] == "Women only."
    assert [f["id"] for f in fields if not f.get("required")] == ["q4"]
    answers = {f"q{n}": "2" for n in range(1, 16) if n != 4}
    result = score_response(phq15, answers)
    assert (result.total, result.band.label, result.complete) == (28, "High", False)
    assert phq15["scoring"]["loinc"] == {"panel": "69728-4"}
    assert "Psychosom Med. 2002;64(2):258-266" in phq15["instrument"]["citation"]
    assert_bands(
        "phq15",
        [
            (0, 4, "Minimal", "minimal"),
            (5, 9, "Low", "mild"),
            (10, 14, "Medium", "moderate"),
            (15, 30, "High", "severe"),
        ],
    )


PCL5_ITEMS = [
    "Repeated, disturbing, and unwanted memories of the stressful experience?",
    "Repeated, disturbing dreams of the stressful experience?",
    "Suddenly feeling or acting as if the stressful experience were actually happening again "
    "(as if you were actually back there reliving it)?",
    "Feeling very upset when something reminded you of the stressful experience?",
    "Having strong physical reactions when something reminded you of the stressful experience "
    "(for example, heart pounding, trouble breathing, sweating)?",
    "Avoiding memories, thoughts, or feelings related to the stressful experience?",
    "Avoiding external reminders of the stressful experience (for example, people, places, "
    "conversations, activities, objects, or situations)?",
    "Trouble remembering important parts of the stressful experience?",
    "Having strong negative beliefs about yourself, other people, or the world (for example, "
    "having thoughts such as: I am bad, there is something seriously wrong with me, no one can "
    "be trusted, the world is completely dangerous)?",
    "Blaming yourself or someone else for the stressful experience or what happened after it?",
    "Having strong negative feelings such as fear, horror, anger, guilt, or shame?",
    "Loss of interest in activities that you used to enjoy?",
    "Feeling distant or cut off from other people?",
    "Trouble experiencing positive feelings (for example, being unable to feel happiness or "
    "have loving feelings for people close to you)?",
    "Irritable behavior, angry outbursts, or acting aggressively?",
    "Taking too many risks or doing things that could cause you serious harm?",
    "Being “superalert” or watchful or on guard?",
    "Feeling jumpy or easily startled?",
    "Having difficulty concentrating?",
    "Trouble falling or staying asleep?",
]


def test_pcl5_wording_and_total():
    pcl5 = load_measure("pcl5")
    section = pcl5["sections"][0]
    assert section["title"] == "In the past month, how much were you bothered by:"
    assert section["description"] == (
        "Below is a list of problems that people sometimes have in response to a very stressful "
        "experience. Please read each problem carefully and then circle one of the numbers to "
        "the right to indicate how much you have been bothered by that problem in the past month."
    )
    assert labels(pcl5) == PCL5_ITEMS
    for field in iter_fields(pcl5):
        assert option_rows(field) == [
            ("0", "Not at all", 0),
            ("1", "A little bit", 1),
            ("2", "Moderately", 2),
            ("3", "Quite a bit", 3),
            ("4", "Extremely", 4),
        ]
    scoring = pcl5["scoring"]
    assert (scoring["min_total"], scoring["max_total"]) == (0, 80)
    # The PCL-5 defines no severity bands, only a provisional cut-off (in ``outcomes``).
    assert "bands" not in scoring
    assert "loinc" not in scoring
    for total in (0, 32, 33, 80):
        assert score_response(pcl5, answers_for(pcl5, total)).total == total


def test_pcl5_clusters_are_the_dsm5_symptom_clusters():
    pcl5 = load_measure("pcl5")
    clusters = {s["id"]: s["items"] for s in pcl5["scoring"]["subscales"]}
    assert clusters == {
        "intrusion": [f"q{n}" for n in range(1, 6)],
        "avoidance": ["q6", "q7"],
        "cognition_mood": [f"q{n}" for n in range(8, 15)],
        "arousal": [f"q{n}" for n in range(15, 21)],
    }
    # Item n answered with score n % 5: each cluster's total is the sum of its own items.
    answers = {f"q{n}": str(n % 5) for n in range(1, 21)}
    result = score_response(pcl5, answers)
    by_id = {s.id: s.total for s in result.subscales}
    assert by_id == {
        "intrusion": 1 + 2 + 3 + 4 + 0,
        "avoidance": 1 + 2,
        "cognition_mood": 3 + 4 + 0 + 1 + 2 + 3 + 4,
        "arousal": 0 + 1 + 2 + 3 + 4 + 0,
    }
    assert sum(by_id.values()) == result.total


DASS_ITEMS = [
    "I found it hard to wind down",
    "I was aware of dryness of my mouth",
    "I couldn't seem to experience any positive feeling at all",
    "I experienced breathing difficulty (eg, excessively rapid breathing, breathlessness in the "
    "absence of physical exertion)",
    "I found it difficult to work up the initiative to do things",
    "I tended to over-react to situations",
    "I experienced trembling (eg, in the hands)",
    "I felt that I was using a lot of nervous energy",
    "I was worried about situations in which I might panic and make a fool of myself",
    "I felt that I had nothing to look forward to",
    "I found myself getting agitated",
    "I found it difficult to relax",
    "I felt down-hearted and blue",
    "I was intolerant of anything that kept me from getting on with what I was doing",
    "I felt I was close to panic",
    "I was unable to become enthusiastic about anything",
    "I felt I wasn't worth much as a person",
    "I felt that I was rather touchy",
    "I was aware of the action of my heart in the absence of physical exertion (eg, sense of "
    "heart rate increase, heart missing a beat)",
    "I felt scared without any good reason",
    "I felt that life was meaningless",
]
DASS_SUBSCALES = {
    "depression": [3, 5, 10, 13, 16, 17, 21],
    "anxiety": [2, 4, 7, 9, 15, 19, 20],
    "stress": [1, 6, 8, 11, 12, 14, 18],
}
# Lovibond & Lovibond (1995): severity labels on the doubled subscale scores.
DASS_BANDS = {
    "depression": [(0, 9), (10, 13), (14, 20), (21, 27), (28, 42)],
    "anxiety": [(0, 7), (8, 9), (10, 14), (15, 19), (20, 42)],
    "stress": [(0, 14), (15, 18), (19, 25), (26, 33), (34, 42)],
}
DASS_LABELS = ["Normal", "Mild", "Moderate", "Severe", "Extremely severe"]


def test_dass21_wording():
    dass = load_measure("dass21")
    section = dass["sections"][0]
    assert section["description"] == (
        "Please read each statement and circle a number 0, 1, 2 or 3 which indicates how much "
        "the statement applied to you over the past week. There are no right or wrong answers. "
        "Do not spend too much time on any statement."
    )
    assert labels(dass) == DASS_ITEMS
    for field in iter_fields(dass):
        assert option_rows(field) == [
            ("0", "Did not apply to me at all", 0),
            ("1", "Applied to me to some degree, or some of the time", 1),
            ("2", "Applied to me to a considerable degree or a good part of time", 2),
            ("3", "Applied to me very much or most of the time", 3),
        ]
    assert "loinc" not in dass["scoring"]
    assert "Manual for the Depression Anxiety Stress Scales" in dass["instrument"]["citation"]


def test_dass21_subscales_are_doubled_and_banded_as_published():
    dass = load_measure("dass21")
    subscales = {s["id"]: s for s in dass["scoring"]["subscales"]}
    assert list(subscales) == ["depression", "anxiety", "stress"]
    for sub_id, numbers in DASS_SUBSCALES.items():
        subscale = subscales[sub_id]
        assert subscale["items"] == [f"q{n}" for n in numbers]
        assert subscale["multiplier"] == 2
        assert [(b["min"], b["max"], b["label"]) for b in subscale["bands"]] == [
            (low, high, label)
            for (low, high), label in zip(DASS_BANDS[sub_id], DASS_LABELS, strict=True)
        ]


@pytest.mark.parametrize("sub_id", DASS_SUBSCALES)
def test_dass21_every_band_boundary(sub_id):
    """Doubled scores are even, so a band's lowest and highest *reachable* scores are the even
    numbers nearest its bounds (Normal depression 0–9 is reached as 0 and 8)."""
    dass = load_measure("dass21")
    items = [f"q{n}" for n in DASS_SUBSCALES[sub_id]]
    for (low, high), label in zip(DASS_BANDS[sub_id], DASS_LABELS, strict=True):
        for doubled in (low + low % 2, high - high % 2):
            result = score_response(dass, answers_for(dass, doubled // 2, items))
            scores = {s.id: s for s in result.subscales}
            assert scores[sub_id].total == doubled
            assert scores[sub_id].band.label == label
            # The other two subscales are at their lowest.
            assert all(s.total == 0 for s in result.subscales if s.id != sub_id)


def test_dass21_a_missing_item_leaves_only_its_subscale_without_a_score():
    dass = load_measure("dass21")
    answers = {f"q{n}": "1" for n in range(1, 22) if n != 3}  # item 3 is depression
    result = score_response(dass, answers)
    assert result.total is None
    assert {s.id: s.total for s in result.subscales} == {
        "depression": None,
        "anxiety": 14,
        "stress": 14,
    }
    assert result.as_dict()["subscales"][0] == {
        "id": "depression",
        "label": "Depression",
        "total": None,
        "band": None,
    }


def test_k10():
    k10 = load_measure("k10")
    assert k10["sections"][0]["title"] == (
        "These questions concern how you have been feeling over the past 30 days. Tick a box "
        "below each question that best represents how you have been."
    )
    feelings = [
        "tired out for no good reason",
        "nervous",
        "so nervous that nothing could calm you down",
        "hopeless",
        "restless or fidgety",
        "so restless you could not sit still",
        "depressed",
        "that everything was an effort",
        "so sad that nothing could cheer you up",
        "worthless",
    ]
    assert labels(k10) == [
        f"During the last 30 days, about how often did you feel {feeling}?" for feeling in feelings
    ]
    for field in iter_fields(k10):
        # Scored 1–5, not 0–4: the lowest total is 10.
        assert option_rows(field) == [
            ("1", "None of the time", 1),
            ("2", "A little of the time", 2),
            ("3", "Some of the time", 3),
            ("4", "Most of the time", 4),
            ("5", "All of the time", 5),
        ]
    assert (k10["scoring"]["min_total"], k10["scoring"]["max_total"]) == (10, 50)
    assert "loinc" not in k10["scoring"]
    assert "Psychol Med. 2002;32(6):959-976" in k10["instrument"]["citation"]
    assert_bands(
        "k10",
        [
            (10, 15, "Low", "minimal"),
            (16, 21, "Moderate", "moderate"),
            (22, 29, "High", "moderately_severe"),
            (30, 50, "Very high", "severe"),
        ],
    )


DIFFICULTY_LABEL = (
    "If you checked off any problems, how difficult have these problems made it for you to do "
    "your work, take care of things at home, or get along with other people?"
)


@pytest.mark.parametrize(("name", "last_item"), [("phq9", "q9"), ("gad7", "q7")])
def test_functional_difficulty_item_is_asked_but_not_counted(name, last_item):
    measure = load_measure(name)
    fields = list(iter_fields(measure))
    difficulty = fields[-1]
    assert fields[-2]["id"] == last_item
    assert difficulty["id"] == "difficulty"
    assert difficulty["label"] == DIFFICULTY_LABEL
    assert [o["label"] for o in difficulty["options"]] == [
        "Not difficult at all",
        "Somewhat difficult",
        "Very difficult",
        "Extremely difficult",
    ]
    assert all("score" not in o for o in difficulty["options"])
    assert not difficulty.get("required")
    assert "difficulty" not in measure["scoring"]["items"]
    items = measure["scoring"]["items"]
    answers = dict.fromkeys(items, "1")
    without = score_response(measure, answers)
    with_it = score_response(measure, {**answers, "difficulty": "extremely"})
    assert with_it.total == without.total == len(items)
    assert "difficulty" not in with_it.items
    assert with_it.complete


def test_outcomes_have_the_shape_of_phq9s_and_only_published_numbers():
    # A definition never carries ``outcomes``; the measure file does.
    assert all("outcomes" not in load_measure(name) for name in MEASURES)
    for name in NEW:
        outcomes = _read(name)["outcomes"]
        assert set(outcomes) == {"name", "reliable_change", "clinical_cutoff", "source"}
        assert outcomes["name"] == _read(name)["instrument"]["name"]
    published = {name: _read(name)["outcomes"] for name in NEW}
    assert {n: (o["reliable_change"], o["clinical_cutoff"]) for n, o in published.items()} == {
        "phq2": (None, 3),
        "gad2": (None, 3),
        "phq15": (None, None),
        "pcl5": (None, 33),
        "dass21": (None, None),
        "k10": (None, None),
    }
    # Change is judged only where a threshold is published: none of the new measures yet.
    assert [o["name"] for o in standard_outcomes()] == ["PHQ-9", "GAD-7"]
    assert measure_outcomes("55757-9") is None
    assert measure_outcomes("44249-1")["name"] == "PHQ-9"
