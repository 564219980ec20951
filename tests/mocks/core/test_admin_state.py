"""The admin state dump, filtered and ordered: how a dashboard reads one record."""

from __future__ import annotations


def _add(client, *names):
    assert client.post("/api/items", json={"names": list(names)}).status_code == 200


def test_where_keeps_rows_equal_to_any_value_given(client):
    _add(client, "a", "b", "c", "b")
    one = client.get("/__admin__/state?table=items&where.name=b").json
    assert one["count"] == 2 and [r["id"] for r in one["rows"]] == [2, 4]
    both = client.get("/__admin__/state?table=items&where.name=a&where.name=c").json
    assert [r["name"] for r in both["rows"]] == ["a", "c"]
    # an INTEGER column matches the text of a query string
    assert client.get("/__admin__/state?table=items&where.id=3").json["rows"] == [
        {"id": 3, "name": "c"}]
    none = client.get("/__admin__/state?table=items&where.name=zzz").json
    assert none == {"table": "items", "count": 0, "rows": []}


def test_order_and_limit(client):
    _add(client, "b", "c", "a")
    rows = client.get("/__admin__/state?table=items&order=-name&limit=2").json
    assert [r["name"] for r in rows["rows"]] == ["c", "b"] and rows["count"] == 3
    rows = client.get("/__admin__/state?table=items&order=name").json["rows"]
    assert [r["name"] for r in rows] == ["a", "b", "c"]


def test_unknown_columns_are_refused_not_interpolated(client):
    _add(client, "a")
    for query in ("where.nope=1", 'where.name"=1', "order=nope", "order=-rowid;DROP"):
        response = client.get(f"/__admin__/state?table=items&{query}")
        assert response.status_code == 400, query
        assert "column" in response.json["message"]
    assert client.get("/__admin__/state?where.name=a").status_code == 400
    assert client.get("/__admin__/state").json["tables"]["items"] == 1
