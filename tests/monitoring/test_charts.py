"""The server-side SVG charts: pure functions from data to accessible SVG markup."""

import xml.etree.ElementTree as ET

from monitoring import charts

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg):
    return ET.fromstring(svg)


def test_line_chart_is_an_accessible_image_with_a_title():
    svg = charts.line_chart(
        [("Haaglanden", [(2022, 116), (2023, 99), (2024, 85)])],
        columns=[2022, 2023, 2024],
        title="Career switchers",
        chart_id="c1",
    )

    root = parse(svg)
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "c1-title"
    assert root.find(f"{SVG}title").text == "Career switchers"
    assert root.find(f"{SVG}title").get("id") == "c1-title"


def test_line_chart_draws_one_line_per_series_with_axis_labels_and_a_legend():
    svg = charts.line_chart(
        [("A", [(2022, 1), (2023, 2)]), ("B", [(2022, 3), (2023, 4)])],
        columns=[2022, 2023],
        title="t",
        chart_id="c",
    )

    root = parse(svg)
    assert len(root.findall(f".//{SVG}polyline")) == 2
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "2022" in texts and "2023" in texts
    assert "A" in texts and "B" in texts
    groups = [g.get("class") for g in root.iter(f"{SVG}g")]
    assert groups == ["chart__line chart__series--0", "chart__line chart__series--1"]


def test_a_suppressed_value_is_a_gap_in_the_line():
    svg = charts.line_chart(
        [("A", [(2020, 10), (2021, 12), (2022, None), (2023, 9), (2024, 11)])],
        columns=[2020, 2021, 2022, 2023, 2024],
        title="t",
        chart_id="c",
    )

    root = parse(svg)
    lines = root.findall(f".//{SVG}polyline")
    assert len(lines) == 2  # broken at the gap
    assert len(root.findall(f".//{SVG}circle")) == 4


def test_a_lone_value_between_gaps_is_a_dot():
    svg = charts.line_chart(
        [("A", [(2020, None), (2021, 7), (2022, None)])],
        columns=[2020, 2021, 2022],
        title="t",
        chart_id="c",
    )

    root = parse(svg)
    assert root.findall(f".//{SVG}polyline") == []
    assert len(root.findall(f".//{SVG}circle")) == 1


def test_no_data_draws_the_message_instead_of_a_chart():
    svg = charts.line_chart(
        [("A", [(2020, None)])], columns=[2020], title="t", chart_id="c", no_data="Geen gegevens"
    )

    root = parse(svg)
    assert root.findall(f".//{SVG}polyline") == []
    assert "Geen gegevens" in [t.text for t in root.iter(f"{SVG}text")]


def test_text_is_escaped():
    svg = charts.bar_chart(
        [("<script>", 3), ("'s-Gravenhage & co", 5)], title="a < b", chart_id="c"
    )

    assert "<script>" not in svg
    root = parse(svg)
    assert "'s-Gravenhage & co" in [t.text for t in root.iter(f"{SVG}text")]


def test_bar_chart_draws_a_bar_per_category_and_none_for_a_suppressed_one():
    svg = charts.bar_chart(
        [("Delft", 10), ("Westland", None), ("Rijswijk", 20)], title="t", chart_id="c"
    )

    root = parse(svg)
    bars = root.findall(f".//{SVG}rect")
    assert len(bars) == 2
    widths = sorted(float(bar.get("width")) for bar in bars)
    assert widths[1] == 2 * widths[0]  # bars are in proportion from zero
    assert "Westland" in [t.text for t in root.iter(f"{SVG}text")]


def test_charts_use_classes_not_styles():
    svg = charts.line_chart([("A", [(1, 1), (2, 2)])], columns=[1, 2], title="t", chart_id="c")
    svg += charts.bar_chart([("A", 1)], title="t", chart_id="d")

    assert "style=" not in svg
    assert "<script" not in svg


def test_nice_ticks_cover_the_range_with_round_steps():
    assert charts.nice_ticks(0, 116) == [0, 50, 100, 150]
    assert charts.nice_ticks(0, 4) == [0, 1, 2, 3, 4]
    ticks = charts.nice_ticks(-3, 7)
    assert ticks[0] <= -3 and ticks[-1] >= 7
