"""Shared data for the end-to-end tests: Tracks tables made with the
independent client (ddbclient), never with the extension under test."""

import decimal
import os
import random

from harness import ddb, defer, unique
from ddbclient import marshal_item

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SAMPLE_ITEM = os.path.join(ROOT, "sql", "sampleItem.json")


def tracks_table(prefix="tracks", items=(), sk=("timestamp", "S"),
                 pk=("uuid", "S")):
    """A new table with the Tracks key schema (or another), filled with
    items (plain Python dicts), deleted after the test. Returns its name."""
    name = unique(prefix)
    ddb().create_table(name, hash=pk, range=sk)
    defer(ddb().delete_table, name)
    if items:
        ddb().batch_put(name, [marshal_item(i) for i in items])
    return name


def track_items(n_uuid=4, n_per=25, seed=7):
    """GPS fixes as the Tracks workshop writes them: some attributes are
    missing on some items, numbers are integers and decimals."""
    rnd = random.Random(seed)
    models = ["iPhone8,4", "iPhone10,6", "Pixel 3", "SM-G960F", "iPhone8,4"]
    out = []
    for u in range(n_uuid):
        uuid = "u%02d" % u
        for i in range(n_per):
            it = {
                "uuid": uuid,
                "timestamp": "2017-12-%02dT%02d:%02d:%02d.%03dZ" % (
                    1 + i % 28, rnd.randrange(24), rnd.randrange(60),
                    rnd.randrange(60), rnd.randrange(1000)),
                # as phones write them: the shortest text of a double
                "latitude": decimal.Decimal(repr(rnd.uniform(47.0, 48.0))),
                "longitude": decimal.Decimal(repr(rnd.uniform(-123.0, -122.0))),
                "accuracy": rnd.choice([5, 10, 65]),
                "model": models[(u + i) % len(models)],
                "platform": "iOS" if (u + i) % 3 else "Android",
            }
            if i % 4:
                it["speed"] = decimal.Decimal("%.2f" % rnd.uniform(0, 40))
            if i % 5 == 0:
                it["heading"] = rnd.randrange(360)
            out.append(it)
    # timestamps must be unique per uuid: the sort key
    seen = set()
    uniq = []
    for it in out:
        k = (it["uuid"], it["timestamp"])
        if k not in seen:
            seen.add(k)
            uniq.append(it)
    return uniq
