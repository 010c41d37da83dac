"""The pure lifecycle model: states are an enum with English values and Korean labels only for display."""

from __future__ import annotations

from dockhelpers import lifecycle
from dockhelpers.states import LifecycleState, TodoStatus, UpdateState


def test_nodes_are_enum_members_equal_to_their_english_keys():
    node = lifecycle.lifecycle_node("running", "start")
    assert node is LifecycleState.RUNNING and node == "running" and f"{node}" == "running" and str(node) == "running"
    assert lifecycle.lifecycle_node(None, "stop") is LifecycleState.REMOVED
    assert set(lifecycle.LIFECYCLE_STATES) == {s.value for s in LifecycleState}
    assert lifecycle.LIFECYCLE_STATES[LifecycleState.PAUSED] == "일시정지"


def test_every_edge_joins_two_drawn_states_and_the_svg_names_them_in_english():
    for src, dst in lifecycle.LIFECYCLE_EDGES:
        assert LifecycleState(src) and LifecycleState(dst)
    svg = lifecycle.lifecycle_svg(LifecycleState.EXITED)
    assert "data-state='exited'" in svg and "class='dkc-node dkc-node-active' data-state='exited'" in svg


def test_other_state_enums_keep_the_engines_values():
    assert UpdateState("rollback_completed") is UpdateState.ROLLBACK_COMPLETED
    assert [s.value for s in TodoStatus] == ["TODO", "PROGRESS", "DONE"]
