"""The blueprints of the Lead Database API's areas beyond leads, activities and bulk lead
export (which are :mod:`mocks.marketo.leads`, :mod:`~mocks.marketo.activities` and
:mod:`~mocks.marketo.bulk`), and the part of the Asset API clients read alongside it.

Each module is one area of Adobe's reference; the state and rules behind it live in the
model (:class:`mocks.marketo.models.MarketoModel`), never here.
"""

from __future__ import annotations

from flask import Blueprint

from mocks.marketo.api import (
    campaigns,
    customobjects,
    customtypes,
    fields,
    leadactions,
    leadimport,
    lists,
    objects,
    partitions,
    programs,
    stats,
)

BLUEPRINTS: tuple[Blueprint, ...] = (stats.bp, lists.bp, campaigns.bp, programs.bp,
                                     partitions.bp, leadactions.bp, customtypes.bp,
                                     objects.bp, fields.bp, leadimport.bp,
                                     customobjects.bp)
