"""Probe results counted as the kubelet counts them: consecutive successes and failures against the
probe's thresholds."""

from dataclasses import dataclass
from enum import Enum

from .objects import Probe


class Verdict(Enum):
    """What a run of probe results decides."""

    UNDECIDED = "undecided"
    PASSED = "passed"
    FAILED = "failed"


@dataclass
class ProbeCounter:
    """Consecutive results of one probe: `successThreshold` in a row passes, `failureThreshold` fails."""

    probe: Probe
    successes: int = 0
    failures: int = 0
    last_failure: str = ""

    def record(self, ok: bool, message: str = "") -> Verdict:
        """Count one result and return what the run decides now."""
        if ok:
            self.successes += 1
            self.failures = 0
            return Verdict.PASSED if self.successes >= self.probe.success_threshold else Verdict.UNDECIDED
        self.failures += 1
        self.successes = 0
        self.last_failure = message
        return Verdict.FAILED if self.failures >= self.probe.failure_threshold else Verdict.UNDECIDED
