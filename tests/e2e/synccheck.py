"""What the tests of dynamo_sync() share: items of every type, writers,
and the check that a copy is exact.

A copy is exact when (1) every row equals what a fresh full read of the
virtual table gives, stored in a table of the copy's own declaration (the
values the virtual table reads, as SQLite stores them in columns of those
types: the oracle is SQLite itself), value and storage class alike, _key as
text, the item as the same item (its numbers as numbers: DynamoDB Local
spells some differently in a Scan and in a stream record; a set's elements
in any order); and (2) its items are the DynamoDB table's, as a consistent
Scan by the independent client returns them.
"""

import base64
import decimal
import json
import random

from harness import ddb, eq

# numbers: integers, decimals, 38 digits, beyond a double, the extremes
NUMBERS = ["0", "-7", "9223372036854775807", "-9223372036854775808", "47.6349834766135",
           "0.10000000000000001", "12345678901234567890123456789012345678",
           "-0.000012345678901234567890123456789012345678", "9.9999999999999999999999999999999999999E+125",
           "1E-130", "3.0", "123456789012345678901234567"]


def number(rnd):
    return rnd.choice(NUMBERS) if rnd.random() < 0.6 else str(rnd.randrange(-10**6, 10**6))


def value(rnd, depth=0):
    """An AttributeValue of a random type: S, N, B, BOOL, NULL, SS, NS, BS, L, M."""
    t = rnd.choice(["S", "N", "B", "BOOL", "NULL", "SS", "NS", "BS", "L", "M"] if depth < 2
                   else ["S", "N", "B", "BOOL", "NULL"])
    if t == "S":
        return {"S": rnd.choice(["", "x", "02134", "1e3", "h\u00e9 \u2713", "a" * rnd.randrange(1, 40)])}
    if t == "N":
        return {"N": number(rnd)}
    if t == "B":
        return {"B": base64.b64encode(bytes(rnd.randrange(256) for _ in range(rnd.randrange(0, 9)))).decode()}
    if t == "BOOL":
        return {"BOOL": rnd.random() < 0.5}
    if t == "NULL":
        return {"NULL": True}
    if t == "SS":
        return {"SS": sorted({rnd.choice("abcdefg") * rnd.randrange(1, 4) for _ in range(3)})}
    if t == "NS":
        return {"NS": sorted({str(rnd.randrange(-50, 50)) for _ in range(3)} | {NUMBERS[6]})}
    if t == "BS":
        return {"BS": sorted({base64.b64encode(bytes([rnd.randrange(256)])).decode() for _ in range(3)})}
    if t == "L":
        return {"L": [value(rnd, depth + 1) for _ in range(rnd.randrange(0, 4))]}
    return {"M": {"k%d" % i: value(rnd, depth + 1) for i in range(rnd.randrange(0, 4))}}


# the declared columns of the copies under test: one per type, and c_any
# that holds every type
COLUMNS = ("s TEXT", "n N", "r REAL", "i INTEGER", "b BLOB", "f BOOL", "z NULL", "ss SS",
           "ns NS", "bs BS", "l L", "m M", "c_any")
TYPED = {"s": "S", "n": "N", "r": "N", "i": "N", "b": "B", "f": "BOOL", "z": "NULL",
         "ss": "SS", "ns": "NS", "bs": "BS", "l": "L", "m": "M"}


def item(rnd, key):
    """An item with key `key` (a dict of AttributeValues): most columns of
    their type, some missing, some of another type, c_any anything."""
    out = dict(key)
    for col, t in TYPED.items():
        if rnd.random() < 0.15:
            continue
        v = value(rnd)
        if rnd.random() < 0.8:
            while list(v)[0] != t:
                v = value(rnd)
        out[col] = v
    out["c_any"] = value(rnd)
    return out


def keys(n):
    return [{"pk": {"S": "p%02d" % (i % 7)}, "sk": {"N": str(i)}} for i in range(n)]


def write_some(client, table, rnd, key_space, n):
    """n writes: puts (new items and replacements), updates, deletes of keys
    of key_space, through client (a ddbclient.Client)."""
    for _ in range(n):
        key = rnd.choice(key_space)
        r = rnd.random()
        if r < 0.5:
            client.put_item(table, item(rnd, key))
        elif r < 0.8:
            col = rnd.choice(list(TYPED))
            client.call("UpdateItem", {"TableName": table, "Key": key,
                                       "UpdateExpression": "SET #c = :v",
                                       "ExpressionAttributeNames": {"#c": col},
                                       "ExpressionAttributeValues": {":v": value(rnd)}})
        else:
            client.delete_item(table, key)


def create_sql(name, table, extra=""):
    return ("CREATE VIRTUAL TABLE %s USING dynamo(table=%s%s, pk TEXT, sk N, %s, "
            "PRIMARY KEY (pk, sk))" % (name, table, extra, ", ".join(COLUMNS)))


def _typed(v):
    return (type(v).__name__, v)


def _num(x):
    """A number's value: DynamoDB Local spells a number one way in a Scan and
    another in a stream record (9.9...E+125, and the same in 126 digits)."""
    return str(decimal.Decimal(x).normalize())


def _canon(av):
    """An AttributeValue with its numbers as values and its sets in one order
    (DynamoDB's sets have none): DynamoDB's own equality of items."""
    (t, v), = av.items()
    if t == "N":
        return {t: _num(v)}
    if t == "NS":
        return {t: sorted(_num(x) for x in v)}
    if t in ("SS", "BS"):
        return {t: sorted(v)}
    if t == "L":
        return {t: [_canon(x) for x in v]}
    if t == "M":
        return {t: {k: _canon(x) for k, x in v.items()}}
    return av


def canon_item(it):
    return {k: _canon(v) for k, v in it.items()}


def rows(conn, sql):
    """{_key: (typed column values..., item as JSON)}: _key last, item before it."""
    out = {}
    for r in conn.execute(sql):
        out[r[-1]] = tuple(_typed(v) for v in r[:-2]) + (canon_item(json.loads(r[-2])),)
    return out


def check_exact(conn, source, copy, table, schema="main"):
    """The copy equals a fresh full read of source stored as the copy stores
    it, and holds the DynamoDB table's items. Returns the number of rows."""
    decl = conn.execute("SELECT sql FROM \"%s\".sqlite_master WHERE name = ?" % schema,
                        (copy,)).fetchone()[0]
    cols = [r[1] for r in conn.execute("PRAGMA \"%s\".table_info(\"%s\")" % (schema, copy))]
    eq(cols[-2:], ["item", "_key"])
    qcols = ", ".join('"%s"' % c for c in cols)
    conn.execute("DROP TABLE IF EXISTS temp.fresh")
    conn.execute(decl.replace("CREATE TABLE \"%s\"" % copy, "CREATE TABLE temp.fresh", 1)
                 .replace("CREATE TABLE %s" % copy, "CREATE TABLE temp.fresh", 1))
    conn.execute("INSERT INTO temp.fresh SELECT %s FROM %s" % (qcols, source))
    got = rows(conn, "SELECT %s FROM \"%s\".\"%s\"" % (qcols, schema, copy))
    want = rows(conn, "SELECT %s FROM temp.fresh" % qcols)
    conn.execute("DROP TABLE temp.fresh")
    missing = sorted(set(want) - set(got))[:3]
    extra = sorted(set(got) - set(want))[:3]
    wrong = [(k, got[k], want[k]) for k in sorted(set(got) & set(want)) if got[k] != want[k]][:2]
    assert not (missing or extra or wrong), (
        "the copy is not a fresh read: %d missing (%s), %d extra (%s), %d differ: %s"
        % (len(set(want) - set(got)), missing, len(set(got) - set(want)), extra,
           sum(1 for k in set(got) & set(want) if got[k] != want[k]), wrong))
    truth = {json.dumps({"pk": i["pk"], "sk": i["sk"]}, sort_keys=True): canon_item(i)
             for i in ddb().scan_all(table)}
    mine = {json.dumps(json.loads(k), sort_keys=True): v[-1] for k, v in got.items()}
    eq(len(mine), len(truth), "copy rows vs DynamoDB items")
    bad = [k for k in truth if mine.get(k) != truth[k]][:3]
    assert not bad, "items differ from DynamoDB's: %s" % [(k, mine.get(k), truth[k]) for k in bad]
    return len(got)


def sync(conn, source, copy, *opts):
    r = conn.execute("SELECT dynamo_sync(?, ?%s)" % (", ?" * len(opts)),
                     (source, copy) + opts).fetchone()[0]
    return json.loads(r)


def seeded(seed):
    return random.Random(seed)
