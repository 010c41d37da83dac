"""dockhelpers.figures: every chapter 1-2 figure renders to PNG without warnings (a learner would see a
matplotlib warning, e.g. a missing bold Korean font, as red text above the figure)."""

from __future__ import annotations

import logging
import warnings

import pandas as pd
import pytest

from dockhelpers import plots
from dockhelpers.figures import ch01, ch02

HISTORY = [  # newest first, as the engine's image history returns it
    {"Id": "sha256:" + "b" * 64, "CreatedBy": "/bin/sh -c #(nop)  LABEL kr.dockercourse.prefix=dkc", "Size": 0,
     "Tags": ["dkc/helloworld:latest"]},
    {"Id": "sha256:" + "c" * 64, "CreatedBy": "/bin/sh -c #(nop)  LABEL kr.dockercourse.managed=true", "Size": 0},
    {"Id": "sha256:" + "d" * 64, "CreatedBy": '/bin/sh -c #(nop)  CMD ["helloworld"]', "Size": 0},
    {"Id": "sha256:" + "e" * 64, "CreatedBy": "/bin/sh -c chmod +x /usr/local/bin/helloworld", "Size": 380},
    {"Id": "sha256:" + "f" * 64, "CreatedBy": "/bin/sh -c #(nop) COPY file:abc in /usr/local/bin/", "Size": 356},
    {"Id": "sha256:" + "0" * 64, "CreatedBy": "", "Size": 78_800_000, "Tags": ["debian:trixie-slim"]},
]

FIGURES = {
    "virtualization_stacks": lambda: ch01.virtualization_stacks(),
    "layers_and_tags": lambda: ch01.layers_and_tags(HISTORY, {"dkc/helloworld:latest": HISTORY[0]["Id"],
                                                              "dkc/helloworld:nocache": "sha256:" + "9" * 64}),
    "port_forwarding_none": lambda: ch02.port_forwarding(None),
    "port_forwarding_local": lambda: ch02.port_forwarding(9000),
    "port_forwarding_all": lambda: ch02.port_forwarding(9000, host_ip="0.0.0.0"),
    "compose_project": lambda: ch02.compose_project("dkc-echo-compose", {"echo": "응답", "poller": "요청"},
                                                    published="127.0.0.1:9010 -> echo:8080", volume="hits"),
    "ssh_key_flow": lambda: ch02.ssh_key_flow(),
    "prune_before_after": lambda: ch02.prune_before_after(
        pd.DataFrame({"종류": ["Images", "Containers"], "크기(MB)": [300.0, 20.0]}),
        pd.DataFrame({"종류": ["Images", "Containers"], "크기(MB)": [250.0, 0.0]})),
}


@pytest.mark.parametrize("name", list(FIGURES))
def test_figure_renders_without_warnings(name, caplog):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with caplog.at_level(logging.WARNING, logger="matplotlib"):
            data = plots.png(FIGURES[name]())
    assert data.startswith(b"\x89PNG")
    assert not [r for r in caplog.records if r.name.startswith("matplotlib")], caplog.text


def test_layers_figure_folds_label_rows_and_marks_the_base():
    fig = ch01.layers_and_tags(HISTORY, {"dkc/helloworld:latest": HISTORY[0]["Id"]})
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert sum(t.startswith("LABEL") for t in texts) == 1 and any("--label 2개" in t for t in texts)
    assert any("FROM debian:trixie-slim" in t for t in texts)
    assert any("b" * 12 in t for t in texts)  # the image ID the tag points at
