"""Static HTML snapshots of ipywidgets from a notebook's saved widget state (for the web edition).

nbclient saves every widget's last state in the notebook's metadata
(``metadata.widgets["application/vnd.jupyter.widget-state+json"]``). Rendering that state in a browser
normally needs the widgets' JavaScript manager from a CDN; the book is offline-first, so this module turns
each widget view output into plain HTML instead: boxes as flex rows/columns, HTML widgets as their HTML,
images as data URIs, buttons and inputs as disabled controls, Output widgets as their captured outputs.
A model it cannot draw becomes a short Korean note (and is counted), never a broken page.

Standard library only: it runs in the book's own venv. The CLI equivalent is none (``jupyter nbconvert``
with ``--HTMLExporter`` would load the CDN manager instead).
"""

from __future__ import annotations

import html
from collections import Counter
from typing import Any

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
BOXES = {"HBoxModel": "row", "VBoxModel": "column", "BoxModel": "row", "GridBoxModel": "row"}
INACTIVE = "웹 책에서는 동작하지 않습니다(실행 당시의 모습)"
#: Layout traits copied onto the snapshot's element (ipywidgets Layout -> CSS).
LAYOUT_CSS = ("width", "max_width", "min_width", "height", "max_height", "margin", "padding", "border",
              "justify_content", "align_items", "flex_flow", "gap")


def _esc(text: Any) -> str:
    return html.escape("" if text is None else str(text))


class Snapshotter:
    """Draws widget views of one notebook from its saved state; ``missing`` counts what it could not draw."""

    def __init__(self, state: dict[str, Any]):
        self.models: dict[str, dict[str, Any]] = state.get("state", {}) if state else {}
        self.missing: Counter[str] = Counter()
        self.drawn: Counter[str] = Counter()

    def _model(self, ref: str | None) -> dict[str, Any] | None:
        if not ref:
            return None
        return self.models.get(ref.removeprefix("IPY_MODEL_"))

    def _style(self, state: dict[str, Any]) -> str:
        layout = self._model(state.get("layout"))
        if not layout:
            return ""
        css = [f"{key.replace('_', '-')}:{value}" for key in LAYOUT_CSS
               if isinstance((value := layout["state"].get(key)), str) and value]
        return f' style="{_esc(";".join(css))}"' if css else ""

    def _buffer_uri(self, model: dict[str, Any], name: str, fmt: str) -> str:
        for buf in model.get("buffers", []):
            if buf.get("path") == [name] and buf.get("encoding") == "base64" and buf.get("data"):
                return f"data:image/{fmt};base64,{buf['data']}"
        return ""

    def view(self, model_id: str) -> str:
        """The HTML of one widget view (``model_id`` from a widget-view output)."""
        model = self._model(model_id)
        if model is None:
            self.missing["(closed)"] += 1
            return ('<div class="dkc-static-missing">이 위젯은 실행이 끝나기 전에 닫혀서 '
                    '웹 책에는 보이지 않습니다.</div>')
        return self._draw(model)

    def _draw(self, model: dict[str, Any]) -> str:  # noqa: C901 - one branch per widget kind
        name, s = model.get("model_name", ""), model.get("state", {})
        self.drawn[name] += 1
        style = self._style(s)
        classes = " ".join(["dkc-w", *s.get("_dom_classes", [])])
        desc = f'<span class="dkc-w-desc">{_esc(s.get("description"))}</span>' if s.get("description") else ""
        if name in BOXES:
            kids = "".join(self._draw(m) for ref in s.get("children", []) if (m := self._model(ref)))
            return (f'<div class="{classes} dkc-w-box" data-direction="{BOXES[name]}"{style}>'
                    f"{kids}</div>")
        if name in ("HTMLModel", "HTMLMathModel"):
            return f'<div class="{classes} dkc-w-html"{style}>{desc}{s.get("value", "")}</div>'
        if name == "LabelModel":
            return f'<div class="{classes} dkc-w-label"{style}>{_esc(s.get("value"))}</div>'
        if name in ("ButtonModel", "ToggleButtonModel"):
            return (f'<button class="{classes} dkc-w-button" disabled title="{INACTIVE}"{style}>'
                    f'{_esc(s.get("description"))}</button>')
        if name in ("RadioButtonsModel", "DropdownModel", "SelectModel", "ToggleButtonsModel"):
            labels, index = s.get("_options_labels", []), s.get("index")
            if name == "DropdownModel" or name == "SelectModel":
                opts = "".join(f'<option{" selected" if i == index else ""}>{_esc(label)}</option>'
                               for i, label in enumerate(labels))
                return (f'<label class="{classes} dkc-w-select"{style}>{desc}'
                        f'<select disabled title="{INACTIVE}">{opts}</select></label>')
            items = "".join(f'<label><input type="radio" disabled{" checked" if i == index else ""}> '
                            f"{_esc(label)}</label>" for i, label in enumerate(labels))
            return f'<div class="{classes} dkc-w-radio"{style}>{desc}{items}</div>'
        if name == "CheckboxModel":
            checked = " checked" if s.get("value") else ""
            return (f'<label class="{classes} dkc-w-check"{style}><input type="checkbox" disabled{checked}> '
                    f'{_esc(s.get("description"))}</label>')
        if name in ("TextModel", "TextareaModel", "IntTextModel", "FloatTextModel", "PasswordModel"):
            return (f'<label class="{classes} dkc-w-text"{style}>{desc}'
                    f'<input type="text" disabled value="{_esc(s.get("value"))}"></label>')
        if name in ("IntProgressModel", "FloatProgressModel", "IntSliderModel", "FloatSliderModel"):
            return (f'<label class="{classes} dkc-w-progress"{style}>{desc}<progress max="{_esc(s.get("max"))}" '
                    f'value="{_esc(s.get("value"))}"></progress> {_esc(s.get("value"))}</label>')
        if name == "ImageModel":
            uri = self._buffer_uri(model, "value", s.get("format", "png"))
            if not uri:  # an image widget with no picture yet shows nothing in the lab either
                return ""
            return f'<img class="{classes} dkc-w-image" alt="위젯 그림"{style} src="{uri}">'
        if name == "OutputModel":
            return f'<div class="{classes} dkc-w-output"{style}>{self.outputs(s.get("outputs", []))}</div>'
        if name in ("TabModel", "AccordionModel", "StackModel"):
            titles = s.get("titles") or []
            parts = []
            for i, ref in enumerate(s.get("children", [])):
                child = self._model(ref)
                title = titles[i] if i < len(titles) else ""
                if child:
                    parts.append(f"<section><h5>{_esc(title)}</h5>{self._draw(child)}</section>")
            return f'<div class="{classes} dkc-w-tabs"{style}>{"".join(parts)}</div>'
        if name.endswith("StyleModel") or name == "LayoutModel":
            return ""
        self.drawn[name] -= 1
        self.missing[name] += 1
        return f'<div class="dkc-static-missing">이 위젯({_esc(name)})은 웹 책에서 보이지 않습니다.</div>'

    def outputs(self, outputs: list[dict[str, Any]]) -> str:
        """HTML of captured outputs (an Output widget's, or a notebook cell's)."""
        parts = []
        for out in outputs:
            kind = out.get("output_type")
            if kind == "stream":
                parts.append(f'<pre class="dkc-w-stream">{_esc(out.get("text", ""))}</pre>')
            elif kind == "error":
                parts.append(f'<pre class="dkc-w-stream">{_esc(out.get("ename"))}: {_esc(out.get("evalue"))}</pre>')
            elif kind in ("display_data", "execute_result"):
                parts.append(self.bundle(out.get("data", {})))
        return "".join(parts)

    def bundle(self, data: dict[str, Any]) -> str:
        """HTML of one mime bundle, richest first."""
        def text(value: Any) -> str:
            return "".join(value) if isinstance(value, list) else str(value)

        if WIDGET_VIEW in data:
            return self.view(data[WIDGET_VIEW].get("model_id", ""))
        if "text/html" in data:
            return text(data["text/html"])
        for fmt in ("png", "jpeg", "gif"):
            if f"image/{fmt}" in data:
                return f'<img alt="그림" src="data:image/{fmt};base64,{text(data[f"image/{fmt}"]).strip()}">'
        if "image/svg+xml" in data:
            return text(data["image/svg+xml"])
        if "text/markdown" in data:
            return f"<pre>{_esc(text(data['text/markdown']))}</pre>"
        if "text/plain" in data:
            return f"<pre>{_esc(text(data['text/plain']))}</pre>"
        return ""


def snapshot_notebook(nb: dict[str, Any]) -> tuple[Counter[str], Counter[str]]:
    """Replace every widget view output of ``nb`` (a notebook as JSON) by its static HTML, in place.

    The widget state is removed from the metadata afterwards (so no renderer loads a widget manager).
    Returns (drawn, missing) counters by model name.
    """
    state = nb.get("metadata", {}).pop("widgets", {}).get(WIDGET_STATE, {})
    snap = Snapshotter(state)
    for cell in nb.get("cells", []):
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if WIDGET_VIEW not in data:
                continue
            body = snap.view(data[WIDGET_VIEW].get("model_id", ""))
            out["data"] = {"text/html": f'<div class="dkc-widget-snapshot">{body}</div>',
                           "text/plain": data.get("text/plain", "")}
    return snap.drawn, snap.missing
