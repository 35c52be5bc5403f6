"""Measure charts: vector SVG with severity bands behind the line, and a text alternative."""

from xml.etree import ElementTree

from analytics.measure_chart import BAND_FILLS, measure_chart

SVG = "{http://www.w3.org/2000/svg}"
PHQ9 = {
    "title": "PHQ-9",
    "min_total": 0,
    "max_total": 27,
    "bands": [
        {"min": 0, "max": 4, "label": "Minimal", "severity": "minimal"},
        {"min": 5, "max": 9, "label": "Mild", "severity": "mild"},
        {"min": 10, "max": 14, "label": "Moderate", "severity": "moderate"},
        {"min": 15, "max": 19, "label": "Moderately severe", "severity": "moderately_severe"},
        {"min": 20, "max": 27, "label": "Severe", "severity": "severe"},
    ],
    "points": [
        {"date": "2026-03-01", "total": 16, "band": "Moderately severe"},
        {"date": "2026-03-15", "total": 12, "band": "Moderate"},
        {"date": "2026-04-05", "total": 7, "band": "Mild"},
    ],
}


def parse(chart):
    return ElementTree.fromstring(str(chart.svg))  # noqa: S314 - markup we just generated


def test_bands_are_drawn_behind_the_line_in_order():
    root = parse(measure_chart(PHQ9))
    children = [child.tag.removeprefix(SVG) for child in root]
    rects = [child for child in root if child.tag == f"{SVG}rect"]
    assert [rect.get("fill") for rect in rects] == [
        BAND_FILLS[band["severity"]] for band in PHQ9["bands"]
    ]
    assert children.index("polyline") > max(i for i, tag in enumerate(children) if tag == "rect")
    labels = {text.text for text in root.iter(f"{SVG}text")}
    assert {"Minimal", "Mild", "Moderate", "Moderately severe", "Severe"} <= labels


def test_higher_totals_are_drawn_higher_and_later_dates_further_right():
    root = parse(measure_chart(PHQ9))
    dots = [(float(c.get("cx")), float(c.get("cy"))) for c in root.iter(f"{SVG}circle")]
    assert len(dots) == 3
    xs, ys = zip(*dots, strict=True)
    assert xs[0] < xs[1] < xs[2]
    assert ys[0] < ys[1] < ys[2]  # 16 > 12 > 7, and SVG's y grows downwards


def test_the_chart_has_an_accessible_name_and_a_table_of_the_same_numbers():
    chart = measure_chart(PHQ9, chart_id="phq9-client")
    root = parse(chart)
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "phq9-client-title phq9-client-desc"
    assert root.find(f"{SVG}title").text == "PHQ-9 totals over time"
    assert chart.summary == (
        "3 PHQ-9 scores, from 16 (Moderately severe) on 1 Mar 2026 to 7 (Mild) on 5 Apr 2026."
    )
    assert [(row.date, row.total, row.band) for row in chart.rows] == [
        ("1 Mar 2026", "16", "Moderately severe"),
        ("15 Mar 2026", "12", "Moderate"),
        ("5 Apr 2026", "7", "Mild"),
    ]


def test_one_score_and_no_scores_still_draw():
    one = measure_chart({**PHQ9, "points": PHQ9["points"][:1]})
    assert len(list(parse(one).iter(f"{SVG}circle"))) == 1
    assert one.summary == "One PHQ-9 score: 16 (Moderately severe) on 1 Mar 2026."
    none = measure_chart({**PHQ9, "points": []})
    assert "No scores yet" in {t.text for t in parse(none).iter(f"{SVG}text")}


def test_text_in_the_chart_is_escaped():
    hostile = {
        **PHQ9,
        "title": "<script>alert(1)</script>",
        "bands": [
            {"min": 0, "max": 27, "label": "</text><image href='http://x/'/>", "severity": "x"}
        ],
    }
    chart = measure_chart(hostile)
    root = parse(chart)  # still well-formed XML
    assert root.find(f"{SVG}image") is None
    assert "<script>" not in str(chart.svg)
