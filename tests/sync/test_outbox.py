"""The device outbox on its own: capture, the delivery state machine and backoff. No server."""

from __future__ import annotations

import json
import random

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from sync.outbox import Backoff, CaptureError, Outbox
from tests.sample_ballots import FORM, answers


class Clock:
    def __init__(self):
        self.now = 1_000_000.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def outbox(tmp_path, clock):
    box = Outbox(tmp_path / "outbox.sqlite3", clock=clock, rng=random.Random(1))
    box.save_form(json.dumps(FORM.to_dict(), ensure_ascii=False))
    yield box
    box.close()


def capture(outbox, agency="SNV", **kw):
    return outbox.capture(
        form_id=FORM.form_id,
        version=FORM.version,
        agency=agency,
        enumerator="enumerator1",
        answers=kw.pop("answers", None) or answers(agency),
        **kw,
    )


def test_capture_should_refuse_invalid_answers_and_store_nothing(outbox):
    with pytest.raises(CaptureError) as caught:
        capture(outbox, answers={**answers(), "c1_1": 7, "sex": None})
    assert {(e["path"], e["code"]) for e in caught.value.errors} == {
        ("factor_1/c1_1", "out_of_range"),
        ("respondent/sex", "missing_required"),
    }
    assert outbox.counts() == {"pending": 0, "acknowledged": 0, "rejected": 0}


def test_capture_should_survive_reopening_the_outbox(tmp_path, outbox, clock):
    instance_id = capture(outbox)
    outbox.close()
    reopened = Outbox(tmp_path / "outbox.sqlite3", clock=clock)
    envelope, state = reopened.envelope(instance_id)
    assert state == "pending" and envelope["answers"]["procedure"] == "Cấp giấy chứng nhận quyền sử dụng đất"
    reopened.close()


def test_capture_should_refuse_a_form_the_device_does_not_hold(outbox):
    with pytest.raises(KeyError, match="forms pull"):
        outbox.capture(form_id="nope", version="1", agency="SNV", enumerator="e", answers={})


def test_accepted_duplicate_and_conflict_are_acknowledged_and_rejected_is_final(outbox):
    ids = [capture(outbox) for _ in range(4)]
    sent = outbox.due(10)
    results = [
        {"instance_id": ids[0], "status": "accepted"},
        {"instance_id": ids[1], "status": "duplicate"},
        {"instance_id": ids[2], "status": "conflict", "code": "payload_conflict"},
        {
            "instance_id": ids[3],
            "status": "rejected",
            "code": "invalid_answers",
            "errors": [{"path": "factor_1/c1_1", "code": "out_of_range", "message": "x"}],
        },
    ]
    assert outbox.apply_results(sent, results) == {"accepted": 1, "duplicate": 1, "conflict": 1, "rejected": 1}
    assert outbox.counts() == {"pending": 0, "acknowledged": 3, "rejected": 1}
    assert outbox.conflicts() == 1
    assert outbox.rejections()[0]["errors"][0]["code"] == "out_of_range"
    assert outbox.due(10) == []


def test_an_error_whose_action_is_stop_is_rejected_and_retry_is_deferred(outbox, clock):
    closed, busy = capture(outbox), capture(outbox)
    sent = outbox.due(10)
    outbox.apply_results(
        sent,
        [
            {"instance_id": closed, "status": "error", "code": "form_closed"},
            {"instance_id": busy, "status": "error", "code": "service_unavailable"},
        ],
    )
    assert outbox.counts()["rejected"] == 1 and outbox.counts()["pending"] == 1
    assert outbox.due(10) == []  # the retry waits for its backoff
    clock.now += 5.0
    assert [e["instance_id"] for e in outbox.due(10)] == [busy]


def test_results_that_do_not_match_the_batch_change_nothing(outbox):
    capture(outbox)
    sent = outbox.due(10)
    with pytest.raises(ValueError):
        outbox.apply_results(sent, [{"instance_id": "someone-else", "status": "accepted"}])
    assert outbox.counts()["pending"] == 1


def test_backoff_should_grow_exponentially_with_jitter_and_a_cap():
    backoff, rng = Backoff(base=5, cap=60), random.Random(3)
    delays = [backoff.delay(n, rng) for n in range(8)]
    for n, delay in enumerate(delays):
        ceiling = min(60, 5 * 2**n)
        assert ceiling / 2 <= delay <= ceiling
    assert max(delays) <= 60


class OutboxMachine(RuleBasedStateMachine):
    """Any interleaving of capture, failed sends and server answers keeps every ballot exactly once,
    never loses one, and never moves one out of a final state."""

    def __init__(self):
        super().__init__()
        import tempfile

        self.dir = tempfile.TemporaryDirectory()
        self.clock = Clock()
        self.box = Outbox(f"{self.dir.name}/o.sqlite3", clock=self.clock, rng=random.Random(0))
        self.box.save_form(json.dumps(FORM.to_dict(), ensure_ascii=False))
        self.model: dict[str, str] = {}

    def teardown(self):
        self.box.close()
        self.dir.cleanup()

    @rule(agency=st.sampled_from(["SNV", "STC", "SXD"]))
    def capture(self, agency):
        self.model[capture(self.box, agency)] = "pending"

    @precondition(lambda self: "pending" in self.model.values())
    @rule(size=st.integers(1, 5))
    def network_fails(self, size):
        sent = self.box.due(size)
        self.box.defer([e["instance_id"] for e in sent], {"status": "error", "code": "transport"})

    @rule(seconds=st.floats(0, 10_000))
    def time_passes(self, seconds):
        self.clock.now += seconds

    @precondition(lambda self: "pending" in self.model.values())
    @rule(
        size=st.integers(1, 5),
        statuses=st.lists(
            st.sampled_from(["accepted", "duplicate", "conflict", "rejected", "retry", "stop"]), min_size=5, max_size=5
        ),
    )
    def server_answers(self, size, statuses):
        sent = self.box.due(size)
        results = []
        for envelope, status in zip(sent, statuses, strict=False):
            if status == "retry":
                results.append(
                    {"instance_id": envelope["instance_id"], "status": "error", "code": "service_unavailable"}
                )
            elif status == "stop":
                results.append({"instance_id": envelope["instance_id"], "status": "error", "code": "not_assigned"})
                self.model[envelope["instance_id"]] = "rejected"
            else:
                results.append({"instance_id": envelope["instance_id"], "status": status})
                self.model[envelope["instance_id"]] = "rejected" if status == "rejected" else "acknowledged"
        self.box.apply_results(sent, results)

    @invariant()
    def every_ballot_is_where_the_model_says(self):
        for instance_id, state in self.model.items():
            assert self.box.envelope(instance_id)[1] == state
        counts = self.box.counts()
        assert sum(counts.values()) == len(self.model)


TestOutboxMachine = OutboxMachine.TestCase
TestOutboxMachine.settings = settings(max_examples=25, stateful_step_count=20, deadline=None)
