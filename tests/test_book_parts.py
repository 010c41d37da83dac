"""Parts of the web edition without a build: widget snapshots (from real ipywidgets state), app frames, the cache.

The state comes from ipywidgets' own embedding (the same format nbclient stores in a notebook's metadata);
no engine, no browser: part of ``make test-quick``.
"""

from __future__ import annotations

import base64
import io
import sys

import ipywidgets as W
from ipywidgets.embed import embed_data

from conftest import ROOT

sys.path.insert(0, str(ROOT / "scripts"))

from book_widgets import WIDGET_STATE, WIDGET_VIEW, snapshot_notebook  # noqa: E402


def _png() -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(1, 1))
    ax.plot([0, 1], [1, 0])
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()


def _notebook(view: W.Widget, closed: str = "") -> dict:
    data = embed_data(views=[view])
    outputs = [{"output_type": "display_data", "metadata": {},
                "data": {WIDGET_VIEW: {"model_id": view.model_id, "version_major": 2, "version_minor": 0},
                         "text/plain": repr(view)}}]
    if closed:
        outputs.append({"output_type": "display_data", "metadata": {},
                        "data": {WIDGET_VIEW: {"model_id": closed, "version_major": 2, "version_minor": 0},
                                 "text/plain": "VBox()"}})
    return {"cells": [{"cell_type": "code", "source": "", "metadata": {}, "outputs": outputs}],
            "metadata": {"widgets": {WIDGET_STATE: data["manager_state"]}}, "nbformat": 4, "nbformat_minor": 5}


def test_panel_becomes_static_html():
    png = _png()
    select = W.Dropdown(description="컨테이너", options=["bk-echo", "bk-web"], value="bk-web")
    panel = W.VBox([W.HTML("<b>컨테이너 패널</b>"),
                    W.HBox([W.Button(description="정지"), W.Button(description="삭제")]),
                    select, W.Checkbox(value=True, description="강제 삭제(-f)"),
                    W.RadioButtons(options=["a) 빌드할 때", "b) 실행할 때"], value="a) 빌드할 때"),
                    W.Image(value=png, format="png"), W.Image(format="png")])
    nb = _notebook(panel, closed="0" * 32)
    drawn, missing = snapshot_notebook(nb)
    first, gone = (o["data"]["text/html"] for o in nb["cells"][0]["outputs"])
    assert "widgets" not in nb["metadata"], "the widget state must go (no widget manager is loaded)"
    assert "<b>컨테이너 패널</b>" in first
    assert first.count("<button") == 2 and "정지" in first and "삭제" in first and "disabled" in first
    assert "<option selected>bk-web</option>" in first
    assert 'type="checkbox" disabled checked' in first
    assert 'type="radio" disabled checked> a) 빌드할 때' in first
    assert f'src="data:image/png;base64,{base64.b64encode(png).decode()}"' in first
    assert first.count("<img") == 1, "an image widget with no picture draws nothing"
    assert 'data-direction="row"' in first and 'data-direction="column"' in first
    assert "닫혀서" in gone and missing == {"(closed)": 1}
    assert drawn["ButtonModel"] == 2 and drawn["ImageModel"] == 2


def test_output_widget_and_unknown_model():
    out = W.Output()
    out.outputs = ({"output_type": "stream", "name": "stdout", "text": "$ docker ps\n"},
                   {"output_type": "display_data", "metadata": {}, "data": {"text/html": "<i>표</i>"}})
    nb = _notebook(W.VBox([out, W.ColorPicker(value="red")]))
    drawn, missing = snapshot_notebook(nb)
    html = nb["cells"][0]["outputs"][0]["data"]["text/html"]
    assert "<pre class=\"dkc-w-stream\">$ docker ps\n</pre>" in html and "<i>표</i>" in html
    assert "ColorPickerModel" in html and missing == {"ColorPickerModel": 1}


def test_app_frames_are_captured_or_replaced_by_a_note(tmp_path):
    """A frame of a course app becomes a sandboxed copy of its page (style inlined), or a note when it is gone."""
    import functools
    import http.server
    import threading

    from book_snapshots import capture_frames, neutralize_frames

    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "style.css").write_text("h1 { color: #0052cc; }", encoding="utf-8")
    (tmp_path / "index.html").write_text('<html><head><link rel="stylesheet" href="/static/style.css">'
                                         '<script>alert(1)</script></head><body><h1>할 일 보드</h1></body></html>',
                                         encoding="utf-8")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    handler.log_message = lambda *a: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    frame = f'<iframe width="100%" height="430" src="{url}" frameborder="0"></iframe>'
    try:
        captured = capture_frames(f"<p>보드</p>{frame}")
    finally:
        server.shutdown()
        server.server_close()
    assert 'sandbox=""' in captured and "srcdoc=" in captured and f'src="{url}"' not in captured
    assert "h1 { color: #0052cc; }" in captured and "할 일 보드" in captured
    assert "alert(1)" not in captured and "stylesheet" not in captured
    assert capture_frames(frame) == frame, "an app that is gone leaves the frame for the note"
    note = neutralize_frames(frame)
    assert "<iframe" not in note and url in note and "직접 실행" in note


def test_cache_key_follows_notebook_recording_and_mode(tmp_path, monkeypatch):
    """A chapter is executed again only when its notebook, its recording or its mode changed."""
    import book_execute as ex

    notebooks = tmp_path / "notebooks"
    (notebooks / "recordings").mkdir(parents=True)
    monkeypatch.setattr(ex, "ROOT", tmp_path)
    monkeypatch.setattr(ex, "RECORDINGS", notebooks / "recordings")
    monkeypatch.delenv(ex.MODE_ENV, raising=False)
    nb = notebooks / "01_docker_basics.ipynb"
    nb.write_text('{"cells": []}', encoding="utf-8")
    (notebooks / "02_other.ipynb").write_text("{}", encoding="utf-8")
    assert ex.mode_for(nb, "auto") == "live"
    live = ex.cache_key(nb, "live")
    assert ex.cache_key(nb, "live") == live and ex.cache_key(nb, "replay") != live
    recording = notebooks / "recordings" / "ch01.jsonl"
    recording.write_text('{"header": 1}\n', encoding="utf-8")
    (notebooks / "recordings" / "ch02.jsonl").write_text("other chapter\n", encoding="utf-8")
    assert ex.recordings_for(nb) == [recording]
    assert ex.mode_for(nb, "auto") == "replay" and ex.mode_for(nb, "live") == "live"
    monkeypatch.setenv(ex.MODE_ENV, "live")
    assert ex.mode_for(nb, "auto") == "live", "an explicit DOCKHELPERS_MODE wins over auto"
    with_recording = ex.cache_key(nb, "replay")
    recording.write_text('{"header": 2}\n', encoding="utf-8")
    assert ex.cache_key(nb, "replay") != with_recording
    again = ex.cache_key(nb, "replay")
    nb.write_text('{"cells": [1]}', encoding="utf-8")
    assert ex.cache_key(nb, "replay") != again
    out = tmp_path / "out.ipynb"
    out.write_text('{"metadata": {"%s": {"key": "%s"}}}' % (ex.META_KEY, live), encoding="utf-8")
    assert ex.cached_key(out) == live and ex.cached_key(tmp_path / "none.ipynb") is None
