"""Interactive HTML maps for sharing (folium): ``explore`` builds a web map with one
layer per indicator, human labels in legends and tooltips, the data attribution and
every text HTML-escaped; ``save_html`` writes it atomically. The board-paper maps are
in :mod:`localities.maps`.
"""

from __future__ import annotations

import html
import json
import os
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from . import layout, sources
from .errors import LocalitiesError, clip
from .export import atomic_path
from .mapstyle import (
    ATTRIBUTION_SOURCES,
    LEVEL_LINE,
    RULE,
    TIER_COLOURS,
    UNLAWFUL,
    _describe,
    _frame,
    _is_share,
    column_top,
    format_value,
    legend_name,
    no_column,
    poorer_rule,
    regulation_summary,
    value_classes,
)
from .outcomes import SIMD

def _label_of(col: str, frame) -> str:
    fixed = {"rank": "Rank", "name": "Locality", "population": "People", "zones": "Data Zones",
             "places": "Places (Intermediate Zones)",
             "tier_label": "Significantly poorer?", "reasons": "Why", "score": "Deprivation score (Scotland = 1)",
             "n_worse_rest": "Indicators worse than the rest of the council",
             "n_worse_scotland": "Indicators worse than Scotland",
             "share_most_deprived_20": "People in Scotland's most deprived 20% of zones",
             "share_most_deprived_5": "People in Scotland's most deprived 5% of zones"}
    if col in fixed:
        return fixed[col]
    return _describe(col, frame)[0]


def _places(text: str, most: int) -> str:
    """A locality's places (``"A; B; C"``), whole ones only, in at most about ``most``
    characters: ``"A; B; and 1 more"`` (the hover text had cut "Stevenston Ardeer" to "Stevens…")."""
    items = [clip(item, most) for item in text.split("; ")]
    shown: list[str] = []
    for i, item in enumerate(items):
        tail = f"; and {len(items) - i - 1} more" if i < len(items) - 1 else ""
        if shown and len("; ".join([*shown, item])) + len(tail) > most:
            break
        shown.append(item)
    rest = len(items) - len(shown)
    return "; ".join(shown) + (f"; and {rest} more" if rest else "")


def _text_of(col: str, value, frame, top: float | None = None) -> str:
    """A tooltip's text for one cell; ``top``: :func:`column_top` of the column (numbers
    print as the layer prints them)."""
    if col == "population":
        return f"{int(value):,}" if pd.notna(value) else "–"
    if col == "score":
        return f"{value:.2f}" if pd.notna(value) else "–"
    if col in ("rank", "zones", "n_worse_rest", "n_worse_scotland"):
        return f"{int(value)}" if pd.notna(value) else "–"
    if col == "places" and isinstance(value, str):
        return _places(value, 240)  # a city locality lists up to a dozen IZs; Falkirk's 160 hid the Camelon its name said
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, (int, float, np.integer, np.floating)):
        return format_value(value, col, _describe(col, frame)[1], top)
    return "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)


def explore(obj, column: str | None = None, tooltip: list[str] | None = None, layers: list[str] | None = None,
            title: str | None = None, poorer: bool = False, **kwargs):
    """An interactive folium map: one layer per indicator (switched with the layer
    control), human labels in legends and tooltips, percentages as percentages, the
    data attribution, and every text HTML-escaped.

    Parameters
    ----------
    obj : Plan or GeoDataFrame
    column : str, optional
        The indicator shown first.
    tooltip : list of str, optional
        Columns in every tooltip (default: rank, name, population, flag).
    layers : list of str, optional
        Indicators offered in the layer control (default: ``column``, the headline
        indicators and crime, when present).
    title : str, optional
        The page's title and heading (default: "<council>: localities"); escaped.
    poorer : bool
        Open on the decision (which localities are significantly poorer, as
        :func:`localities.plot_poorer`), the indicators behind it in the layer control;
        needs a ranking from :func:`localities.rank`.

    Returns
    -------
    folium.Map
        ``.save(path)`` or :func:`save_html` writes the HTML.
    """
    import folium

    frame = _frame(obj, for_print=False)
    if poorer not in (True, False):
        raise LocalitiesError(f"poorer must be True or False, not {poorer!r}")
    if poorer and "tier_label" not in frame:
        raise LocalitiesError("poorer=True maps the decision: pass a ranking from localities.rank(plan, dz), not a plan")
    if column is not None and column not in frame:
        raise LocalitiesError(no_column(column, frame))
    for col in (tooltip or []) + (layers or []):
        if col not in frame:
            raise LocalitiesError(f"no column {col!r} in the table")
    # The places too: a reader could not see what "and 5 more" holds (a new user's North Ayrshire).
    base = tooltip or [c for c in ("rank", "name", "population", "tier_label", "places") if c in frame]
    wanted = layers or [c for c in dict.fromkeys([column, *frame.attrs.get("headline", []), "income_rate",
                                                  "employment_rate", "crime_rate"]) if c]
    wanted = [c for c in wanted if c in frame and pd.api.types.is_numeric_dtype(frame[c])]
    geo = frame.to_crs("EPSG:4326")
    geo = gpd.GeoDataFrame(geometry=geo.geometry.simplify(0.0002), crs="EPSG:4326", index=frame.index)
    esc = inert
    props = pd.DataFrame(index=frame.index)
    for col in base:
        top = column_top(frame, col)  # once a column, not once a cell
        props[f"t_{col}"] = [esc(_text_of(col, v, frame, top)) for v in frame[col]]
    # Fractional zoom: the page fits the council beside its legend, not a whole zoom level smaller.
    m = folium.Map(tiles=None, control_scale=True, **{"zoom_snap": 0.25, **kwargs})
    folium.TileLayer("OpenStreetMap", name="Background map", control=False).add_to(m)
    legends, titles, shows = {}, {}, {}
    groups = []
    if "tier_label" in frame:
        # The decision last in the control, or first (shown on opening) when it is what is asked for.
        wanted_all = ["tier_label", *wanted] if poorer else wanted + ["tier_label"]
    else:
        wanted_all = wanted
    if not wanted_all:
        wanted_all = [None]
    for i, col in enumerate(wanted_all):
        fields, aliases = [f"t_{c}" for c in base], [esc(_label_of(c, frame)) for c in base]
        layer = props.copy()
        legend_title = None
        if col == "tier_label":
            name = "Significantly poorer"
            shows[esc(name)] = "localities with significantly poorer outcomes"
            # The rule in full, as on the printed map (the page had left out "on income ... or employment ...").
            legend_title = poorer_rule(frame)
            layer["fill"] = frame["tier_label"].map(TIER_COLOURS).fillna("#ffffff")
            legend_items = [(c, t) for t, c in TIER_COLOURS.items() if (frame["tier_label"] == t).any()]
        elif col is None:
            name = "Localities"
            shows[esc(name)] = "localities"
            layer["fill"] = layout.plan_colours(frame)
            legend_items = []
        else:
            name, unit = _describe(col, frame)
            shows[esc(name)] = name
            share = _is_share(col, unit)
            legend_title = legend_name(name, unit, share)
            higher_worse = SIMD[col].higher_is_worse if col in SIMD else True
            # As the printed map draws them; the legend prints at least the tooltips' decimals.
            vc = value_classes(frame, col, unit, share, "Reds" if higher_worse else "Blues_r", higher_worse)
            layer["fill"] = "#ffffff"
            layer.loc[vc.values.dropna().index, "fill"] = [vc.fills[j] for j in vc.classes]
            legend_items = vc.legend()  # the classes, read against Scotland (a rule at its level) and the council
            text = []
            top = column_top(frame, col)
            for idx in frame.index:
                t = format_value(frame.at[idx, col], col, unit, top)
                if f"{col}_lower" in frame and pd.notna(frame.at[idx, f"{col}_lower"]):
                    t += (f" (95% CI {format_value(frame.at[idx, f'{col}_lower'], col, unit, top)} to "
                          f"{format_value(frame.at[idx, f'{col}_upper'], col, unit, top)})")
                text.append(esc(t))
            layer["t_value"] = text
            fields.append("t_value")
            aliases.append(esc(f"{name}{' (' + unit + ')' if unit and not share else ''}"))
            for against, suffix in (("the rest of the council", "_vs_rest"), ("Scotland", "_vs_scotland")):
                if f"{col}{suffix}" in frame:
                    layer[f"t{suffix}"] = [esc(str(v)) for v in frame[f"{col}{suffix}"].fillna("n/a")]
                    fields.append(f"t{suffix}")
                    aliases.append(esc(f"Compared with {against}"))
        data = gpd.GeoDataFrame(layer, geometry=geo.geometry, crs="EPSG:4326")
        group = folium.FeatureGroup(name=esc(name), overlay=False, show=i == 0)
        folium.GeoJson(
            data.to_json(),
            style_function=lambda f: {"fillColor": f["properties"]["fill"], "color": "#303030", "weight": 1,
                                      "fillOpacity": FILL_OPACITY},
            highlight_function=lambda f: {"weight": 3},
            tooltip=folium.GeoJsonTooltip(fields=fields, aliases=aliases, sticky=True),
        ).add_to(group)
        group.add_to(m)
        groups.append(group)
        legends[esc(name)] = legend_items
        titles[esc(name)] = esc(legend_title) if legend_title else None
    _add_numbers(m, frame, geo)
    folium.LayerControl(collapsed=False).add_to(m)
    # Clear of the legend and key down the left and the title at the top.
    bounds = [[float(geo.total_bounds[1]), float(geo.total_bounds[0])],
              [float(geo.total_bounds[3]), float(geo.total_bounds[2])]]
    m.fit_bounds(bounds, padding_top_left=(300, 50))  # a narrow screen refits without it (_add_legend)
    headings = None
    if title is None:
        # As the printed map is titled: the decision, the indicator shown first, or the plan;
        # and as the layer shown when another is chosen (the page said "Income deprivation"
        # over the decision's colours).
        what = ("localities with significantly poorer outcomes" if poorer else
                _describe(column, frame)[0] if column is not None and column in wanted else "localities")
        council = frame.attrs.get("council")

        def titled(what):
            return f"{council}: {what}" if council else what[0].upper() + what[1:]
        title = titled(what)
        headings = {layer: esc(titled(shown)) for layer, shown in shows.items()}
    _add_legend(m, legends, list(legends)[0], esc(sources.attribution(ATTRIBUTION_SOURCES)), titles, headings,
                _key(frame), bounds)
    warning = regulation_summary(frame)
    warning = esc(warning) if warning else None
    _add_title(m, esc(str(title)), warning)
    return m


#: How much of a locality's fill covers the background map; its legend swatch is drawn the
#: same (solid, the decision's maroon in the legend was darker than on the map).
FILL_OPACITY = 0.7


def _seen(colour: str) -> str:
    """``colour`` as a fill of :data:`FILL_OPACITY` shows over white."""
    from matplotlib.colors import to_rgb

    r, g, b = (round(255 * (FILL_OPACITY * v + 1 - FILL_OPACITY)) for v in to_rgb(colour))
    return f"rgb({r},{g},{b})"


def inert(text) -> str:
    """``text`` as HTML text that runs nowhere: escaped for HTML, and its braces as character
    references, because folium renders a map's scripts, the data in them included, as Jinja
    templates a second time: a locality named "{{ 7*7 }} town" was shown as "49 town", and
    "{% x %}" stopped the map being written."""
    return html.escape(str(text)).replace("{", "&#123;").replace("}", "&#125;")


def _numbers_and_names(frame) -> tuple[pd.Series, pd.Series]:
    """Each locality's number on the page (its rank, as the printed key numbers it, else its
    position) and its name (else its id)."""
    numbers = frame["rank"] if "rank" in frame else pd.Series(range(1, len(frame) + 1), index=frame.index)
    names = frame["name"] if "name" in frame else pd.Series(frame.index.astype(str), index=frame.index)
    return numbers, names


def _add_numbers(m, frame, geo) -> None:
    """Each locality's number (its rank, as the printed key numbers it) on the map, its name
    on hover: a board member found no names on the page without moving the mouse over it."""
    import folium

    numbers, names = _numbers_and_names(frame)
    # Where the printed map puts each label: in the middle of its people (Largs, not Arran).
    points = frame.attrs.get("label_points") or {}
    ids = frame["locality"] if "locality" in frame else pd.Series(frame.index, index=frame.index)
    known = {idx: shapely.Point(*points[ids[idx]]) for idx in frame.index if ids[idx] in points}
    at = (dict(zip(known, gpd.GeoSeries(list(known.values()), crs=frame.crs).to_crs("EPSG:4326")))
          if known and frame.crs is not None else {})
    # Smaller where there are many (South Lanarkshire at 10,000: 32 numbers, some over others).
    d, font = (20, 11) if len(frame) <= 25 else (15, 8)
    group = folium.FeatureGroup(name="Numbers", overlay=True, control=True, show=True)
    for idx, geom in geo.geometry.items():
        if geom is None or geom.is_empty or pd.isna(numbers[idx]):
            continue
        pt = at[idx] if idx in at else max(getattr(geom, "geoms", [geom]), key=lambda g: g.area).representative_point()
        text = str(int(numbers[idx]))
        folium.Marker(
            [pt.y, pt.x], tooltip=inert(f"{text}: {names[idx]}"),
            icon=folium.DivIcon(html=f'<div class="loc-number">{text}</div>', icon_size=(d + 2, d + 2),
                                icon_anchor=(d // 2 + 1, d // 2 + 1)),
        ).add_to(group)
    group.add_to(m)
    m.get_root().header.add_child(folium.Element(
        f"<style>.loc-number{{width:{d}px;height:{d}px;border-radius:50%;background:#fff;border:1px solid #303030;"
        f"font:bold {font}px sans-serif;text-align:center;line-height:{d}px;color:#000;opacity:.9}}</style>"))
    _declutter(m, group, d + 2)


def _declutter(m, group, size: int) -> None:
    """At each zoom, a number that would overlap one ranked before it is hidden until the map
    is zoomed in far enough to show both: Perth and Kinross at 10,000 opened with 15 under 1
    and 2, and Perth's flagged colour under all three. Its locality's name is still on hover."""
    from branca.element import MacroElement, Template

    macro = MacroElement()
    macro._template = Template("""
{% macro script(this, kwargs) %}
(function () {
  var map = {{ this._parent.get_name() }}, numbers = """ + group.get_name() + """, apart = """ + str(size) + """;
  function declutter() {
    var markers = [];
    numbers.eachLayer(function (layer) { if (layer.getElement()) { markers.push(layer); } });
    markers.sort(function (a, b) {  // the most disadvantaged first keep their places
      return parseInt(a.getElement().textContent, 10) - parseInt(b.getElement().textContent, 10); });
    var kept = [];
    markers.forEach(function (layer) {
      var p = map.latLngToContainerPoint(layer.getLatLng());
      var clear = kept.every(function (q) { return Math.abs(p.x - q.x) >= apart || Math.abs(p.y - q.y) >= apart; });
      layer.getElement().style.display = clear ? "" : "none";
      if (clear) { kept.push(p); }
    });
  }
  map.on("zoomend overlayadd", declutter);
  map.whenReady(declutter);
})();
{% endmacro %}
""")
    m.add_child(macro)


def _add_title(m, title: str, warning: str | None = None) -> None:
    """The page's title (browser tab, bookmarks) and the same words over the map's top
    left: a saved page said neither which council nor what; under them, in red, why the
    plan is not one under the Regulations. Both are already escaped."""
    from branca.element import Element

    m.get_root().header.add_child(Element(f"<title>{title}</title>"))
    under = (f'<div style="font:bold 12px sans-serif;color:{UNLAWFUL};max-width:60vw;margin-top:3px">{warning}</div>'
             if warning else "")
    m.get_root().html.add_child(Element(
        '<div style="position:fixed;top:10px;left:50px;z-index:1000;background:white;padding:4px 8px;'
        f'font:bold 15px sans-serif;border-radius:3px;box-shadow:0 0 4px #888"><span id="loc-title">{title}</span>'
        f'{under}</div>'))


#: The web page's key to the numbers opens folded above this many localities.
KEY_OPEN = 30


def _key(frame) -> str:
    """The numbers' key, as the printed map has one: each number and its locality's name, in
    rank order, in a list that folds away and scrolls (Glasgow City at 5,000: 99 rows). A
    board member reading a screenshot or a print of the page found only numbers (the names
    were on hover)."""
    numbers, names = _numbers_and_names(frame)
    rows = sorted((int(n), str(names[i])) for i, n in numbers.items() if not pd.isna(n))
    items = "".join(f'<tr><td style="text-align:right;padding-right:4px;font-weight:bold">{n}</td>'
                    f"<td>{inert(name)}</td></tr>" for n, name in rows)
    # Open where it is short; folded where it would cover much of the map (a click opens it).
    return (f'<details id="loc-key"{" open" if len(rows) <= KEY_OPEN else ""} '
            f'style="margin-top:6px;border-top:1px solid #ccc;padding-top:4px">'
            f'<summary style="cursor:pointer;font-weight:bold">Localities ({len(rows)})</summary>'
            f'<div style="max-height:40vh;overflow-y:auto"><table style="border-collapse:collapse;font:11px sans-serif">'
            f"{items}</table></div></details>")


def _add_legend(m, legends: dict, first: str, attribution: str, titles: dict | None = None,
                headings: dict | None = None, key: str = "", bounds: list | None = None) -> None:
    """One legend per layer (shown with its layer), the numbers' key (``key``, HTML) and the
    data attribution; with ``headings`` (layer -> the page's title for it), the title
    follows the layer shown. Every text reaching the page is already HTML-escaped;
    JSON-encoding keeps it inert in script."""
    from branca.element import MacroElement, Template

    blocks = []
    index = {name: i for i, name in enumerate(legends)}
    for name, items in legends.items():
        rows = "".join(f'<div><span style="display:inline-block;width:16px;height:0;border-top:2px solid {LEVEL_LINE};'
                       f'vertical-align:middle;margin-right:4px"></span>{inert(t)}</div>' if c == RULE else
                       f'<div><span style="display:inline-block;width:14px;height:10px;background:{_seen(c)};'
                       f'border:1px solid #303030;margin-right:4px"></span>{inert(t)}</div>'
                       if c else f'<div style="margin-top:3px">{inert(t)}</div>' for c, t in items)
        blocks.append(f'<div class="loc-legend" data-layer="{index[name]}" style="display:{"block" if name == first else "none"}">'
                      f"<b>{(titles or {}).get(name) or name}</b>{rows}</div>")
    macro = MacroElement()
    macro._template = Template("""
{% macro html(this, kwargs) %}
<style>
/* The attribution (bottom right) wraps short of the scale bar (bottom left): at 1,400 px it ran
   the page's width in two lines, over "20 km". */
.leaflet-control-attribution { max-width: calc(100vw - 190px); }
</style>
<div id="loc-offline" style="position:fixed;top:40%;left:320px;right:40px;z-index:9998;background:#fff8e0;
 border:1px solid #b08000;padding:10px 14px;font:14px sans-serif">The map itself is drawn by Leaflet, which this
 page loads from the internet: it shows once the page can reach the web. The PDF, SVG and PNG maps need no
 connection.</div>
<div id="loc-legends" style="position:fixed;top:90px;left:10px;z-index:9999;background:white;padding:6px 8px;
 border:1px solid #999;font:12px sans-serif;max-width:280px">""" + "".join(blocks) + key + """</div>
{% endmacro %}
{% macro script(this, kwargs) %}
document.getElementById("loc-offline").style.display = "none";  // Leaflet loaded: the map is there
{{ this._parent.get_name() }}.attributionControl.addAttribution(""" + json.dumps(attribution) + """);
var locBounds = """ + json.dumps(bounds) + """;
if (locBounds && {{ this._parent.get_name() }}.getSize().x < 700) {
  // A phone's width less 300 px of padding left the council a sliver (or no zoom at all).
  {{ this._parent.get_name() }}.fitBounds(locBounds);
}
var locLayers = """ + json.dumps(index) + """;
var locHeadings = """ + json.dumps(headings or {}) + """;
{{ this._parent.get_name() }}.on("baselayerchange", function (e) {
  var heading = document.getElementById("loc-title");
  if (heading && locHeadings[e.name] !== undefined) {
    heading.innerHTML = locHeadings[e.name];  // escaped in Python, as every text on the page
    document.title = heading.textContent;
  }
  document.querySelectorAll("#loc-legends .loc-legend").forEach(function (d) {
    d.style.display = (d.getAttribute("data-layer") === String(locLayers[e.name])) ? "block" : "none";
  });
});
{% endmacro %}
""")
    m.add_child(macro)


def save_html(m, path: str | os.PathLike) -> Path:
    """Write an interactive map to an HTML file, atomically."""
    if Path(path).suffix.lower() not in (".html", ".htm"):
        raise LocalitiesError(f"{path}: an interactive map is a web page: save it as .html")
    with atomic_path(path) as tmp:
        m.save(str(tmp))
    return Path(path)
