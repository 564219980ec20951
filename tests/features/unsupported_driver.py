"""A driver of an integration that can do nothing at all: every action is NotSupported.

The kit must not call such an integration conformant: every must rule is not applicable.
"""

from __future__ import annotations

from features.contract import NotSupported


class DoesNothing:
    def __getattr__(self, name):
        def unsupported(*args, **kwargs):
            raise NotSupported(f"{name} is not supported")

        return unsupported


def factory(workdir):
    return DoesNothing()
