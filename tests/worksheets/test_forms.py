"""parse_form_data: form text back into typed answers, keeping what does not parse."""

from django.http import QueryDict

from worksheets.forms import parse_form_data

from .examples import every_field_type, field_of, worksheet


def form(**fields: str | list[str]) -> QueryDict:
    data = QueryDict(mutable=True)
    data["csrfmiddlewaretoken"] = "token"
    for name, value in fields.items():
        for item in value if isinstance(value, list) else [value]:
            data.appendlist("f." + name.replace("__", "."), item)
    return data


def test_numbers_parse_where_they_can():
    definition = every_field_type()
    assert parse_form_data(definition, form(number="7", rating="8", duration=" 45 ")) == {
        "number": 7,
        "rating": 8,
        "duration": 45,
    }
    assert parse_form_data(definition, form(number="7.5"))["number"] == 7.5
    assert parse_form_data(definition, form(number="7,5"))["number"] == 7.5
    assert parse_form_data(definition, form(number="-2"))["number"] == -2


def test_text_that_is_not_a_number_is_kept_for_validation():
    definition = every_field_type()
    parsed = parse_form_data(definition, form(number="lots", rating="7.5", duration="1h"))
    assert parsed == {"number": "lots", "rating": "7.5", "duration": "1h"}


def test_text_is_kept_as_typed_with_unix_line_breaks():
    parsed = parse_form_data(
        every_field_type(), form(short_text="  spaced  ", long_text="one\r\ntwo")
    )
    assert parsed == {"short_text": "  spaced  ", "long_text": "one\ntwo"}


def test_empty_inputs_are_unanswered():
    data = form(short_text="", number=" ", date="", single_choice="", checklist=[""])
    assert parse_form_data(every_field_type(), data) == {}


def test_choice_lists_are_lists():
    data = form(multiple_choice=["walk", "read"], checklist="mind_reading", single_choice="no")
    assert parse_form_data(every_field_type(), data) == {
        "single_choice": "no",
        "multiple_choice": ["walk", "read"],
        "checklist": ["mind_reading"],
    }


def test_table_rows_in_order_ignoring_empty_rows_and_gaps():
    data = form(
        table__0__thought="first",
        table__0__belief="",
        table__1__thought="",
        table__1__belief="",
        table__5__thought="third",
        table__5__belief="90",
        table__3__belief="abc",
    )
    assert parse_form_data(every_field_type(), data)["table"] == [
        {"thought": "first"},
        {"belief": "abc"},
        {"thought": "third", "belief": 90},
    ]


def test_table_checklist_columns():
    columns = [
        {
            "id": "hot",
            "type": "checklist",
            "label": "Hot",
            "options": [{"value": "hot", "label": "Hot thought"}],
        }
    ]
    definition = worksheet(field_of("table", columns=columns))
    assert parse_form_data(definition, form(table__0__hot="hot")) == {"table": [{"hot": ["hot"]}]}


def test_emotions():
    data = form(
        emotions__0__emotion=" Sad ",
        emotions__0__intensity="40",
        emotions__1__emotion="",
        emotions__1__intensity="",
        emotions__2__emotion="Angry",
        emotions__2__intensity="very",
    )
    assert parse_form_data(every_field_type(), data)["emotions"] == [
        {"emotion": "Sad", "intensity": 40},
        {"emotion": "Angry", "intensity": "very"},
    ]


def test_commitment_parts():
    data = form(commitment__signature="Alex", commitment__date="")
    assert parse_form_data(every_field_type(), data) == {"commitment": {"signature": "Alex"}}
    blank = form(commitment__signature=" ", commitment__date="")
    assert parse_form_data(every_field_type(), blank) == {}


def test_other_post_data_is_ignored():
    data = form(instructions="x", media="y")
    data["f.unknown"] = "z"
    assert parse_form_data(every_field_type(), data) == {}
