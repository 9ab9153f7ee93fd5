"""Charts in HTML, as plain values for includes/bar_chart.html and includes/stacked_chart.html:
the students' results and the advisers' dashboards draw with the same functions."""


# A bar chart that reads alone, in HTML so that its text wraps and follows the reader's text
# size: each row says its label and its value in words (« 72 sur 100 · Point d'appui ») above
# a bar filled by band, with a pattern as well as a colour; the previous result, when there is
# one, as a thin grey bar under it; dashed marks at each band's start on every bar and a scale
# under the chart that names them (« 50 » over « À consolider »). Widths and positions are whole
# percents, set by classes (static/css/reperes.css): the content security policy allows no
# inline style. The advisers' stacked bars are built the same way.

# A stacked segment this wide or wider writes its percentage inside: « 10 % » takes some 40 px,
# 8 % of a bar on a wide screen or on paper, 12 % of a bar on a 390 px phone (the narrower ones
# are hidden there, static/css/reperes.css). Every share is said to screen readers, and the
# table beside the chart gives them all.
PERCENT_INSIDE = 8
PERCENT_INSIDE_NARROW = 12


def band_tones(bands):
    """Colour classes by band rank: the highest band is "strong", the lowest "low"."""
    ordered = sorted(bands, key=lambda band: band.min_score, reverse=True)
    return {
        band.code: "strong" if i == 0 else "low" if i == len(ordered) - 1 else "mid"
        for i, band in enumerate(ordered)
    }


def bar_chart(rows, bands, previous=None, intervals=None):
    """What an HTML bar chart (0–100) shows, as plain values for includes/bar_chart.html.

    rows: (label, score, band); previous: the earlier score of each row (None where unknown);
    intervals: (low, high) of each row's margin of error, said beside its value."""
    tones = band_tones(bands)
    previous = previous or [None] * len(rows)
    intervals = intervals or [None] * len(rows)
    ordered = sorted(bands, key=lambda band: band.min_score)
    bars = [
        {
            "label": label,
            "score": score,
            "band": band.label,
            "tone": tones[band.code],
            "width": max(0, min(100, round(score))),
            "before": before,
            "interval": interval,
        }
        for (label, score, band), before, interval in zip(rows, previous, intervals, strict=True)
    ]
    starts = [band.min_score for band in ordered]
    # The scale under the bars: one zone per band, from its start (the lowest from 0) to the
    # next band's, named where it begins.
    lows, ends = [0, *starts[1:]], [*starts[1:], 100]
    zones = [
        {"band": band, "low": low, "width": end - low}
        for band, low, end in zip(ordered, lows, ends, strict=True)
    ]
    legend = [
        {
            "band": band,
            "tone": tones[band.code],
            "low": band.min_score,
            "high": (starts[i + 1] - 1) if i + 1 < len(ordered) else 100,
        }
        for i, band in enumerate(ordered)
    ]
    return {
        "bars": bars,
        "thresholds": [start for start in starts if start > 0],
        "zones": zones,
        "legend": legend[::-1],
        "has_before": any(score is not None for score in previous),
    }


def stacked_chart(rows, bands):
    """What an HTML stacked bar chart shows, as plain values for includes/stacked_chart.html.

    rows: each with a code, a label and its shares, (band, whole percent) highest band first;
    each share is written inside its segment when the segment is wide enough to hold it."""
    tones = band_tones(bands)
    bars = [
        {
            "code": row.code,
            "label": row.label,
            "segments": [
                {
                    "band": band.label,
                    "tone": tones[band.code],
                    "share": share,
                    "width": max(0, min(100, share)),
                    "written": share >= PERCENT_INSIDE,
                    "tight": share < PERCENT_INSIDE_NARROW,
                }
                for band, share in row.shares
            ],
        }
        for row in rows
    ]
    return {
        "bars": bars,
        "legend": [{"band": band, "tone": tones[band.code]} for band in bands],
        "ticks": [0, 50, 100],
    }
