"""Loading worlds into a mock's store (the bridge to ``fixtures``)."""

from __future__ import annotations

from fixtures import scenarios
from fixtures.world import PROFILES, WorldSource, generate, write_side
from mocks.core.service import AdminError
from mocks.core.store import Store


def load_world_into(store: Store, side: str, world: WorldSource) -> dict[str, int]:
    """Replace ``side``'s tables with the world's rows, atomically."""
    with store._write_lock:
        conn = store.db.conn
        if conn.in_transaction:
            conn.commit()
        return write_side(conn, world, side)


def world_from_request(body: dict) -> tuple[WorldSource, dict]:
    """The world an admin ``seed`` call asks for: a named scenario or a generated world."""
    if "scenario" in body:
        extra = set(body) - {"scenario"}
        if extra:
            raise AdminError(f"a scenario takes no other options ({', '.join(sorted(extra))})")
        name = body["scenario"]
        if not isinstance(name, str):
            raise AdminError("'scenario' must be a scenario name")
        try:
            return scenarios.load(name), {"scenario": name}
        except scenarios.ScenarioError as exc:
            raise AdminError(str(exc)) from None
    unknown = set(body) - {"seed", "profile", "people"}
    if unknown:
        raise AdminError(f"unknown seed options: {', '.join(sorted(unknown))}")
    seed_value = body.get("seed", 1)
    profile = body.get("profile", "default")
    people = body.get("people")
    if not isinstance(seed_value, int) or isinstance(seed_value, bool) or seed_value < 0:
        raise AdminError("'seed' must be a whole number, 0 or more")
    if not isinstance(profile, str) or profile not in PROFILES:
        raise AdminError(f"unknown profile '{profile}'; profiles: {', '.join(PROFILES)}")
    if people is not None and (not isinstance(people, int) or isinstance(people, bool)
                               or people < 1):
        raise AdminError("'people' must be a whole number of at least 1")
    world = generate(seed=seed_value, profile=profile, people=people)
    return world, {"seed": seed_value, "profile": profile, "people": world.people}
