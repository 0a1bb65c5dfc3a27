"""The quorum modes, in a module of their own: the deployment record's provider compares them without
importing the spec's models."""

from enum import StrEnum


class QuorumMode(StrEnum):
    """How controllers find the quorum, fixed when the cluster is formatted.

    static: `controller.quorum.voters` lists every voter; the controller count can never change.
    dynamic (KIP-853): `controller.quorum.bootstrap.servers`; voters are added and removed at run time.
    """

    STATIC = "static"
    DYNAMIC = "dynamic"
