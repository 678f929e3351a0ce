"""A chart's text alternative: what pages/_shared/plot.py tells a screen reader about each figure."""

from __future__ import annotations

import plotly.graph_objects as go
import pytest

from pages._shared import plot


@pytest.mark.parametrize("fig, expected", [
    pytest.param({"data": [{"type": "heatmap", "z": [[1]]}], "layout": {"title": {"text": "Kernel"}}},
                 "Heat map: Kernel.", id="dict-title-heatmap"),
    pytest.param({"data": [{"type": "scatter", "name": "plain"}, {"type": "scatter", "name": "residual"}],
                  "layout": {"title": "Training loss", "xaxis": {"title": {"text": "epoch"}},
                             "yaxis": {"title": {"text": "loss"}}}},
                 "Chart: Training loss; axes: epoch, loss; showing plain, residual.", id="dict-axes-legend"),
    pytest.param({"data": [{"type": "bar", "name": "hidden", "showlegend": False}],
                  "layout": {"annotations": [{"text": "<b>left</b>", "xref": "paper"}, {"text": "a note", "xref": "x"}]}},
                 "Bar chart: panels: left.", id="panel-titles-only-paper-annotations"),
    pytest.param({"data": [{"type": "scatter"}, {"type": "bar"}], "layout": {"title": {"text": "mixed"}}},
                 "Chart: mixed.", id="mixed-kinds-say-chart"),
    pytest.param({"data": [{"type": "heatmap"}], "layout": {}}, "", id="nothing-to-say"),
])
def test_describe_reads_the_figures_own_words(fig, expected):
    """The sentence names the title, the subplot titles (paper annotations, markup dropped), the axes and the
    legend entries, prefixed by the kind of chart when all traces are one kind; a figure with none gives ""."""
    assert plot.describe(fig) == expected


def test_describe_reads_a_figure_and_a_shared_figure_alike():
    """A plotly Figure (read through its layout) and a shared one (through its dict) give the same sentence."""
    spec = {"data": [{"type": "scatter", "name": "k-means"}],
            "layout": {"title": {"text": "Elbow"}, "xaxis": {"title": {"text": "k"}}}}
    assert plot.describe(go.Figure(spec)) == plot.describe(plot.SharedFigure(spec)) == "Chart: Elbow; axes: k; showing k-means."


def test_describe_names_at_most_a_few_items():
    """A figure with 20 legend entries names the first MAX_ALT_ITEMS of them, not all 20."""
    fig = {"data": [{"type": "scatter", "name": f"s{k}"} for k in range(20)], "layout": {"title": "many"}}
    assert plot.describe(fig) == "Chart: many; showing " + ", ".join(f"s{k}" for k in range(plot.MAX_ALT_ITEMS)) + "."


def test_chart_writes_its_text_alternative_escaped(monkeypatch):
    """chart() puts the page's alt (or the derived sentence, title markup dropped) in a hidden paragraph,
    HTML-escaped: an alt holding markup reaches the page as text."""
    written: list[str] = []
    monkeypatch.setattr(plot.st, "plotly_chart", lambda *args, **kwargs: None)
    monkeypatch.setattr(plot.st, "html", written.append)
    plot.chart({"data": [], "layout": {"title": "IoU<br>A & B"}}, "k")
    plot.chart({"data": [], "layout": {}}, "k2", alt="<b>Two</b> boxes & their overlap")
    plot.chart({"data": [], "layout": {}}, "k3")  # nothing to say: nothing written
    assert written == [f'<p class="{plot.ALT_CLASS}">Chart: IoU A &amp; B.</p>',
                       f'<p class="{plot.ALT_CLASS}">&lt;b&gt;Two&lt;/b&gt; boxes &amp; their overlap</p>']
