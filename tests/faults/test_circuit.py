"""The circuit breaker (`gis_core.circuit`): one error line per outage, calls skipped while it is open, one probe at a
time after `retry_after`, the recovery logged; threads share it."""

import logging
import threading

import pytest

from gis_core.circuit import Circuit, CircuitOpen

LOGGER = "tests.faults.circuit"


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Service:
    def __init__(self) -> None:
        self.up = True
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        if not self.up:
            raise ConnectionError("refused")
        return "answer"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def circuit(clock: Clock) -> Circuit:
    return Circuit(
        "Test service", retry_after=5.0, errors=(ConnectionError,), logger=logging.getLogger(LOGGER), clock=clock
    )


def records(caplog: pytest.LogCaptureFixture) -> list[tuple[int, str]]:
    return [(record.levelno, record.getMessage()) for record in caplog.records if record.name == LOGGER]


def test_an_outage_is_logged_once_its_calls_skipped_and_the_recovery_logged(
    circuit: Circuit, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)
    service = Service()
    assert circuit.call(service) == "answer" and not circuit.is_open

    service.up = False
    with pytest.raises(ConnectionError):
        circuit.call(service)
    assert circuit.is_open
    for _ in range(50):
        with pytest.raises(CircuitOpen):
            circuit.call(service)
    assert service.calls == 2, "an open circuit does not call the service"

    clock.now += 5.0  # a probe, which fails: still the same outage, nothing logged
    with pytest.raises(ConnectionError):
        circuit.call(service)
    with pytest.raises(CircuitOpen):
        circuit.call(service)
    assert service.calls == 3

    service.up = True
    clock.now += 5.0
    assert circuit.call(service) == "answer" and not circuit.is_open
    assert circuit.call(service) == "answer"
    logged = records(caplog)
    assert [level for level, _ in logged] == [logging.ERROR, logging.WARNING]
    assert "Test service unavailable (ConnectionError: refused)" in logged[0][1]
    assert "available again after 10.0 s (51 calls went without it)" in logged[1][1]

    service.up = False  # a second outage is logged again
    with pytest.raises(ConnectionError):
        circuit.call(service)
    assert [level for level, _ in records(caplog)] == [logging.ERROR, logging.WARNING, logging.ERROR]


def test_other_errors_pass_through_and_leave_it_closed(circuit: Circuit) -> None:
    def broken() -> None:
        raise ValueError("a bug, not an outage")

    with pytest.raises(ValueError):
        circuit.call(broken)
    assert not circuit.is_open


def test_after_the_pause_one_thread_probes_while_the_others_skip(circuit: Circuit, clock: Clock) -> None:
    service = Service()
    service.up = False
    with pytest.raises(ConnectionError):
        circuit.call(service)
    clock.now += 5.0
    probing, release = threading.Event(), threading.Event()

    def slow_probe() -> str:
        probing.set()
        release.wait(5)
        return "answer"

    outcome: list[str] = []
    prober = threading.Thread(target=lambda: outcome.append(circuit.call(slow_probe)))
    prober.start()
    assert probing.wait(5)
    with pytest.raises(CircuitOpen):  # while the probe is out, nobody else waits on the service
        circuit.call(service)
    release.set()
    prober.join(5)
    assert outcome == ["answer"] and not circuit.is_open
