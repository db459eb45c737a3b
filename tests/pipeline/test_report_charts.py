"""The small-cell rule as the report's charts apply it: a count of fewer than the threshold
is never drawn or printed; the hover text says "<N" instead."""

from __future__ import annotations

from podcast_analytics.pipeline import report_charts as charts


def test_a_cell_under_the_threshold_is_small_and_at_the_threshold_is_not() -> None:
    assert charts.small_cell(4, 5) and not charts.small_cell(5, 5)
    assert not charts.small_cell(None, 5)
    assert charts.suppressed(5) == "<5" and charts.suppressed(10) == "<10"


def test_small_cells_become_gaps_and_their_hover_says_less_than() -> None:
    values, listeners = [120, 30, 7], [40, 4, 5]
    assert charts.masked(values, listeners, 5) == [120, None, 7]
    assert charts.hover_text(values, listeners, 5, ",") == ["120", "<5", "7"]
    # A share is withheld with its cell too: the share of 4 listeners reveals them.
    assert charts.hover_text([0.5, 0.25], [10, 4], 5, ".0%") == ["50%", "<5"]


def test_a_page_carries_its_chart_list_and_plotly_once() -> None:
    page = charts.page("t", "<p>i</p>", "<div>b</div>", ["a", "b"])
    assert page.count("Plotly") > 10 and page.count("<script>") == 1
    assert 'data-charts="[&quot;a&quot;, &quot;b&quot;]"' in page
