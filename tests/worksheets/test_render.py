"""The field renderers: every type in every mode, a form round trip, escaping, accessibility
hooks. Needs Django templates but no database."""

from html.parser import HTMLParser
from typing import Any

import pytest
from django.http import QueryDict
from django.utils.safestring import SafeString

from worksheets import FIELD_TYPES, load_measure, validate_response
from worksheets.forms import parse_form_data
from worksheets.render import render_field, render_worksheet

from .examples import every_field_type, field_of, thought_record, valid_answers, worksheet

MODES = ("form", "readonly", "print")
XSS = "<script>alert(1)</script>"


class FormControls(HTMLParser):
    """What a browser would submit for a rendered form: named inputs (checked ones only for
    radios and checkboxes), textareas and selects; nothing inside <template>."""

    def __init__(self) -> None:
        super().__init__()
        self.pairs: list[tuple[str, str]] = []
        self.in_template = 0
        self.textarea: str | None = None
        self.text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {key: value or "" for key, value in attrs}
        if tag == "template":
            self.in_template += 1
        if self.in_template or "name" not in attributes:
            return
        if tag == "textarea":
            self.textarea, self.text = attributes["name"], ""
        elif tag == "input":
            kind = attributes.get("type", "text")
            if kind not in ("radio", "checkbox") or "checked" in attributes:
                self.pairs.append((attributes["name"], attributes.get("value", "")))

    def handle_endtag(self, tag: str) -> None:
        if tag == "template":
            self.in_template -= 1
        elif tag == "textarea" and self.textarea:
            self.pairs.append((self.textarea, self.text))
            self.textarea = None

    def handle_data(self, data: str) -> None:
        if self.textarea:
            self.text += data


def submitted(html: str) -> QueryDict:
    parser = FormControls()
    parser.feed(html)
    data = QueryDict(mutable=True)
    for name, value in parser.pairs:
        data.appendlist(name, value)
    return data


def render(definition: dict[str, Any], **options: Any) -> str:
    html = render_worksheet(definition, **options)
    assert isinstance(html, SafeString)
    return str(html)


# -- every type, every mode -------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("field_type", FIELD_TYPES)
def test_every_type_renders_in_every_mode(field_type, mode):
    field = field_of(field_type, help="Some help.")
    answer = valid_answers().get(field_type)
    for answers in (None, {}, {field_type: answer} if answer is not None else {}):
        html = render(worksheet(field), answers=answers, mode=mode)
        assert f"field--{field_type}" in html
        assert "The " + field_type in html


def test_form_uses_real_labels_and_names():
    html = render(every_field_type())
    assert '<label class="field__label" for="f-short_text">' in html
    assert 'id="f-short_text" name="f.short_text"' in html
    assert 'name="f.table.0.thought"' in html
    assert 'name="f.emotions.0.intensity"' in html
    assert 'name="f.commitment.signature"' in html
    assert '<legend class="field__label">The single_choice' in html


def test_form_shows_optional_but_does_not_block_the_browser():
    html = render(worksheet(field_of("short_text", required=True), field_of("time")))
    assert "aria-required" in html
    assert " required" not in html  # drafts autosave; the server decides
    assert html.count("(optional)") == 1


def test_help_is_described_by():
    html = render(worksheet(field_of("short_text", help="Who, what, when.")))
    assert '<p class="field__help" id="f-short_text-help">Who, what, when.</p>' in html
    assert 'aria-describedby="f-short_text-help"' in html


def test_readonly_shows_answers_and_dashes():
    html = render(every_field_type(), answers={"rating": 8, "date": "2025-03-14"}, mode="readonly")
    assert "8 (0–10)" in html
    assert "14 Mar 2025" in html
    assert html.count('<span class="field__unanswered">—</span>') == 13


def test_readonly_labels_options_and_units():
    html = render(every_field_type(), answers=valid_answers(), mode="readonly")
    assert "<li>Walk</li><li>Read</li>" in html
    assert "7.5 hours" in html
    assert "45 min" in html
    assert "<li>Anxious — 80</li>" in html
    assert "Signed: Alex Client, 14 Mar 2025" in html
    assert "<td>I&#x27;ll be fired</td><td>90 (0–100)</td>" in html


# -- conditions -------------------------------------------------------------------------------


def test_form_keeps_hidden_fields_for_the_script_to_reveal():
    html = render(thought_record(), answers={"acted": "no"})
    start = html.index('id="f-what_happened-field"')
    tag = html[html.rindex("<", 0, start) : html.index(">", start)]
    assert " hidden" in tag
    assert 'data-show-if="{&quot;field&quot;:&quot;acted&quot;' in tag


def test_score_conditions_reach_the_browser_as_option_lists():
    target = field_of(
        "single_choice",
        id="item",
        options=[
            {"value": "a", "label": "A", "score": 0},
            {"value": "b", "label": "B", "score": 2},
            {"value": "c", "label": "C", "score": 3},
        ],
    )
    follow_up = field_of("long_text", show_if={"field": "item", "op": "gte", "value": 2})
    html = render(worksheet(target, follow_up))
    assert (
        'data-show-if="{&quot;field&quot;:&quot;item&quot;,&quot;op&quot;:&quot;in&quot;,'
        "&quot;value&quot;:[&quot;b&quot;,&quot;c&quot;]}"
    ) in html


def test_form_shows_fields_whose_condition_holds():
    html = render(thought_record(), answers={"acted": "yes"})
    start = html.index('id="f-what_happened-field"')
    assert " hidden" not in html[start : html.index(">", start)]


def test_readonly_omits_hidden_fields():
    answers = {"acted": "no", "what_happened": "kept out"}
    html = render(thought_record(), answers=answers, mode="readonly")
    assert "What happened then?" not in html
    assert "Did you act on it?" in html


def test_blank_print_shows_every_field_with_its_condition():
    html = render(thought_record(), mode="print")
    assert "What happened then?" in html
    assert "Answer if “Did you act on it?” is “Yes”." in html
    assert "Answer if you answered “What happened then?”." in html


def test_blank_print_spells_out_score_conditions():
    phq9 = load_measure("phq9")
    phq9["sections"][0]["fields"].append(
        field_of("long_text", id="safety", show_if={"field": "q9", "op": "gte", "value": 2})
    )
    html = render(phq9, mode="print")
    assert "is “More than half the days” or “Nearly every day”." in html


def test_filled_print_omits_hidden_fields():
    html = render(thought_record(), answers={"acted": "no"}, mode="print")
    assert "What happened then?" not in html


# -- errors and kept values -------------------------------------------------------------------


def test_errors_sit_next_to_their_fields_and_in_a_summary():
    answers = {"number": "lots", "table": [{"belief": "high"}], "mood": 3}
    errors = validate_response(every_field_type(), answers)
    html = render(every_field_type(), answers=answers, errors=errors)
    assert 'value="lots"' in html  # what the client typed is kept
    assert 'class="field field--number field--error"' in html
    assert 'aria-describedby="f-number-unit f-number-error" aria-invalid="true"' in html
    assert '<div class="field__errors" id="f-number-error">' in html
    assert 'id="f-table-0-belief"' in html
    assert '<a href="#f-table-0-belief">The table, row 1, Belief:' in html
    assert "<li>Unknown field &#x27;mood&#x27;.</li>" in html


def test_errors_as_dicts_are_accepted():
    errors = [{"path": "time", "message": "Enter a time as HH:MM (24-hour clock)."}]
    html = render(every_field_type(), answers={"time": "7pm"}, errors=errors)
    assert '<div class="field__errors" id="f-time-error">' in html


def test_errors_without_an_element_go_to_the_enclosing_field():
    errors = [{"path": "table[1]", "message": "Each row must be an object keyed by column id."}]
    html = render(every_field_type(), answers={"table": [{}, "x"]}, errors=errors)
    assert '<fieldset class="field field--table field--error" id="f-table"' in html
    assert '<a href="#f-table">The table: Each row' in html


def test_no_summary_outside_the_form():
    errors = [{"path": "time", "message": "Bad."}]
    assert "error-summary" not in render(every_field_type(), errors=errors, mode="readonly")


# -- round trip -------------------------------------------------------------------------------


def test_form_round_trip_gives_back_the_answers():
    definition = every_field_type()
    html = render(definition, answers=valid_answers())
    # A file answer comes back through the page that stores files (tests/assignments).
    files = ("audio", "photo")
    expected = {k: v for k, v in valid_answers().items() if k not in files}
    assert parse_form_data(definition, submitted(html)) == expected


def test_form_round_trip_of_a_blank_form_is_empty():
    definition = every_field_type()
    assert parse_form_data(definition, submitted(render(definition))) == {}


def test_form_round_trip_of_several_rows():
    definition = thought_record()
    answers = {
        "situation": "Line one\nline two",
        "feelings": [{"emotion": "Sad", "intensity": 40}, {"emotion": "Angry", "intensity": 70}],
        "thoughts": [
            {"thought": "I'll be fired", "hot": ["hot"], "belief": 90},
            {"thought": "Nobody likes me", "belief": 60},
        ],
        "acted": "yes",
        "what_happened": "I left.",
        "regret": 3,
    }
    html = render(definition, answers=answers)
    assert parse_form_data(definition, submitted(html)) == answers


def test_form_round_trip_keeps_invalid_input_for_validation():
    definition = every_field_type()
    answers = {"number": "lots", "rating": "7", "duration": "1.5"}
    parsed = parse_form_data(definition, submitted(render(definition, answers=answers)))
    assert parsed == {"number": "lots", "rating": 7, "duration": "1.5"}


# -- tables and lists -------------------------------------------------------------------------


def test_form_table_has_existing_rows_one_blank_row_and_a_template():
    answers = {"table": [{"thought": "a"}, {"thought": "b"}]}
    html = render(worksheet(field_of("table", max_rows=5)), answers=answers)
    assert 'name="f.table.2.thought"' in html
    assert 'name="f.table.3.thought"' not in html
    assert "<template data-row-template>" in html
    assert 'name="f.table.__row__.thought"' in html
    assert "data-add-row" in html
    assert 'data-max-rows="5"' in html


def test_form_table_starts_with_initial_rows():
    html = render(worksheet(field_of("table", initial_rows=3, max_rows=10)))
    assert 'name="f.table.2.thought"' in html
    assert 'name="f.table.3.thought"' not in html


def test_form_table_adds_no_blank_row_beyond_max_rows():
    answers = {"table": [{"thought": str(n)} for n in range(3)]}
    html = render(worksheet(field_of("table", max_rows=3)), answers=answers)
    assert 'name="f.table.3.thought"' not in html


@pytest.mark.parametrize(
    ("extra", "rows"), [({}, 5), ({"initial_rows": 8}, 8), ({"max_rows": 3}, 3)]
)
def test_blank_print_table_has_room_to_write(extra, rows):
    html = render(worksheet(field_of("table", **({"max_rows": 50} | extra))), mode="print")
    assert html.count('<tr class="table-entry__row">') == rows


def test_print_table_choice_columns_have_tick_boxes():
    columns = [
        {
            "id": "done",
            "type": "single_choice",
            "label": "Done?",
            "options": [{"value": "yes", "label": "Yes"}, {"value": "no", "label": "No"}],
        }
    ]
    html = render(worksheet(field_of("table", columns=columns)), mode="print")
    assert '<span class="print-tick" aria-hidden="true">☐</span> Yes' in html


def test_emotion_suggestions_are_chips_and_a_datalist():
    html = render(worksheet(field_of("emotions")))
    assert '<button type="button" class="chip" data-emotion="Anxious"' in html
    assert '<datalist id="f-emotions-suggestions">' in html
    assert 'list="f-emotions-suggestions"' in html


# -- ratings ----------------------------------------------------------------------------------


def test_short_scales_are_big_radio_targets():
    html = render(worksheet(field_of("rating")), answers={"rating": 3})
    assert html.count('class="rating__option"') == 11
    assert 'value="3" checked' in html
    assert '<span class="rating__anchor">Not at all</span>' in html


def test_long_scales_are_typed():
    field = field_of("rating", min=0, max=100, anchors={"0": "None", "100": "All"})
    html = render(worksheet(field), answers={"rating": 40})
    assert 'class="rating__option"' not in html
    assert 'inputmode="numeric"' in html
    assert 'value="40"' in html
    assert "0 = None · 100 = All" in html


def test_print_ratings_are_tick_boxes():
    blank = render(worksheet(field_of("rating")), mode="print")
    assert blank.count("☐") == 11
    filled = render(worksheet(field_of("rating")), answers={"rating": 4}, mode="print")
    assert filled.count("☒") == 1


def test_print_text_gets_lines_sized_to_the_field():
    short = render(worksheet(field_of("long_text", max_length=500)), mode="print")
    long = render(worksheet(field_of("long_text", max_length=5000)), mode="print")
    assert short.count('class="print-line"') == 3
    assert long.count('class="print-line"') == 10


def test_print_choices_show_what_was_chosen():
    answers = {"multiple_choice": ["walk"]}
    html = render(worksheet(field_of("multiple_choice")), answers=answers, mode="print")
    assert "☒</span> Walk" in html
    assert "☐</span> Read" in html


# -- media and instructions -------------------------------------------------------------------


def test_uploaded_media_are_resolved():
    field = field_of("media", kind="video", upload="m-42", transcript="Breathe in.")
    html = render(worksheet(field), media_url=lambda upload: f"https://cdn.example.org/{upload}")
    assert '<video controls preload="none" src="https://cdn.example.org/m-42">' in html
    assert "<summary>Transcript</summary>" in html


@pytest.mark.parametrize("mode", ["form", "readonly", "print"])
def test_an_external_link_stored_before_the_rule_is_never_loaded(mode):
    """A definition saved when links were allowed (validation refuses them now): the link is
    not put in the page; the caption and transcript still are, with a note."""
    field = field_of("media", kind="image", caption="A calm lake", transcript="Water.")
    del field["upload"]
    field["url"] = "https://tracker.example/pixel.gif"
    html = render(worksheet(field), mode=mode, media_url=lambda upload: f"/media/{upload}")
    assert "tracker.example" not in html
    assert "<img" not in html
    assert "This media is not stored in Bridgework." in html
    assert "A calm lake" in html and "Water." in html


def test_instructions_are_markdown():
    html = render(worksheet(field_of("instructions")), mode="readonly")
    assert "<strong>deep</strong>" in html


# -- escaping ---------------------------------------------------------------------------------


def hostile_definition() -> dict[str, Any]:
    definition = every_field_type()
    definition["sections"][0]["title"] = XSS
    definition["sections"][0]["description"] = XSS
    for field in definition["sections"][0]["fields"] + definition["sections"][1]["fields"]:
        field["label"] = XSS
        field["help"] = XSS
        for option in field.get("options", []):
            option["label"] = XSS
        for column in field.get("columns", []):
            column["label"] = XSS
    fields = {f["id"]: f for s in definition["sections"] for f in s["fields"]}
    fields["rating"]["anchors"] = {"0": XSS}
    fields["emotions"]["suggestions"] = [XSS[:60]]
    fields["emotions"]["intensity_label"] = XSS
    fields["instructions"]["body"] = XSS
    fields["media"]["caption"] = XSS
    fields["media"]["transcript"] = XSS
    fields["commitment"]["statement"] = XSS
    fields["short_text"]["placeholder"] = XSS
    return definition


def hostile_answers() -> dict[str, Any]:
    return {
        "short_text": XSS,
        "long_text": XSS,
        "table": [{"thought": XSS}],
        "emotions": [{"emotion": XSS[:60], "intensity": 5}],
        "commitment": {"signature": XSS, "date": "2025-01-01"},
        "single_choice": XSS,
        "number": XSS,
    }


@pytest.mark.parametrize("mode", MODES)
def test_script_in_labels_and_answers_is_escaped(mode):
    for answers in (None, hostile_answers()):
        errors = [{"path": "short_text", "message": XSS}]
        html = render(hostile_definition(), answers=answers, errors=errors, mode=mode)
        assert "<script" not in html
        assert "&lt;script&gt;" in html


def test_script_in_an_attribute_value_is_escaped():
    html = render(worksheet(field_of("short_text")), answers={"short_text": '"><script>x'})
    assert 'value="&quot;&gt;&lt;script&gt;x"' in html


# -- single fields and misuse -----------------------------------------------------------------


def test_render_field_renders_one_field():
    definition = thought_record()
    field = definition["sections"][0]["fields"][3]
    html = str(render_field(field, definition=definition, answers={"acted": "yes"}))
    assert html.count('class="field ') == 1
    assert 'value="yes" checked' in html


def test_unknown_mode():
    with pytest.raises(ValueError, match="mode must be one of"):
        render_worksheet(every_field_type(), mode="pdf")
