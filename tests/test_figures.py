"""dockhelpers.figures: every chapter 1-4 figure renders to PNG without warnings (a learner would see a
matplotlib warning, e.g. a missing bold Korean font, as red text above the figure)."""

from __future__ import annotations

import logging
import warnings

import pandas as pd
import pytest

from dockhelpers import plots
from dockhelpers.figures import ch01, ch02, ch03, ch04

HISTORY = [  # newest first, as the engine's image history returns it
    {"Id": "sha256:" + "b" * 64, "CreatedBy": "/bin/sh -c #(nop)  LABEL kr.dockercourse.prefix=dkc", "Size": 0,
     "Tags": ["dkc/helloworld:latest"]},
    {"Id": "sha256:" + "c" * 64, "CreatedBy": "/bin/sh -c #(nop)  LABEL kr.dockercourse.managed=true", "Size": 0},
    {"Id": "sha256:" + "d" * 64, "CreatedBy": '/bin/sh -c #(nop)  CMD ["helloworld"]', "Size": 0},
    {"Id": "sha256:" + "e" * 64, "CreatedBy": "/bin/sh -c chmod +x /usr/local/bin/helloworld", "Size": 380},
    {"Id": "sha256:" + "f" * 64, "CreatedBy": "/bin/sh -c #(nop) COPY file:abc in /usr/local/bin/", "Size": 356},
    {"Id": "sha256:" + "0" * 64, "CreatedBy": "", "Size": 78_800_000, "Tags": ["debian:trixie-slim"]},
]

#: A rolling update as LoadLoop records it: v1 answers, one failed request, then v2; tasks 2 -> 3 -> 2.
SAMPLES = [(i * 0.1, "/api/todo?status=TODO", 0 if i == 50 else 200, "1" if i < 60 else "2") for i in range(120)]
TASKS = [(float(i), {"v1": 2 if i < 6 else (1 if i < 9 else 0), "v2": 0 if i < 4 else (1 if i < 8 else 2)})
         for i in range(13)]

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
    "storage_kinds": lambda: ch03.storage_kinds(),
    "swarm_publishing_mesh": lambda: ch03.swarm_publishing(True),
    "swarm_publishing_fallback": lambda: ch03.swarm_publishing(False),
    "swarm_publishing_unknown": lambda: ch03.swarm_publishing(None),
    "todo_architecture": lambda: ch04.todo_architecture(),
    "replication_flow": lambda: ch04.replication_flow(("1", "11", "12")),
    "rolling_timeline": lambda: ch04.rolling_timeline(SAMPLES, TASKS),
    "rolling_timeline_no_tasks": lambda: ch04.rolling_timeline(SAMPLES[:3]),
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


def test_swarm_publishing_marks_the_mode_this_machine_uses():
    def titles(fig):
        return [t.get_text() for t in fig.axes[0].texts if "이 컴퓨터" in t.get_text()]

    assert any("라우팅 메시" in t for t in titles(ch03.swarm_publishing(True)))
    assert any("dnsrr" in t for t in titles(ch03.swarm_publishing(False)))
    assert titles(ch03.swarm_publishing(None)) == []


def test_rolling_timeline_counts_failures_and_versions():
    fig = ch04.rolling_timeline(SAMPLES, TASKS)
    labels = fig.axes[0].get_legend_handles_labels()[1]
    assert labels == ["v1 (59개)", "v2 (60개)", "실패 (1개)"]
