"""The randomized differential: random items in DynamoDB tables of several
key shapes, random SELECTs over dynamo virtual tables and over native SQLite
tables holding the same items, every answer compared.

    run(seed, queries) -> Report      (tests/e2e/test_175_differential.py;
                                       make differential SEEDS=... QUERIES=...)

Shapes: S+S, S+N, N alone, N+N, S+B, and S+S with a global index whose sort key
items may lack (sparse), a KEYS_ONLY global index and a local index on an
attribute items may lack. N keys hold numbers of 16 to 23 significant digits
around doubles (several decimals SQLite reads as one double), S keys text that
reads as numbers ('05', ' 5', '5.0'), characters at U+007F and U+10FFFF.
Each table is declared three ways (columns discovered, SQLite types, DynamoDB
types) and opened with the options default, filter=0, segments=3 and
consistent_read=1.

The native copy holds the values the virtual table shows, computed here from
the items (the README's type table; checked against a full read of the
virtual table once per declaration), in columns of the same declared types.
A native column converts what it stores, and SQLite shows an N beyond a
double's precision as TEXT, which no NUMERIC column keeps: so the rows are
stored in untyped columns and the types declared afterwards (writable_schema).
The native table then holds exactly the virtual table's values with its
affinities, and SQLite's answer over it is the answer over the virtual table.

Queries: WHERE with =, IN (lists and subqueries), <, <=, >, >=, BETWEEN, <>,
LIKE, GLOB (prefixes ending at U+007F and U+10FFFF), IS [NOT] NULL, on keys,
index keys and other columns, literals and bound parameters, ORs of key
lookups; ORDER BY, LIMIT, OFFSET; count(*); joins against a native table
with TEXT, INTEGER, REAL, NUMERIC and untyped columns, in either order or
with the native table outside (CROSS JOIN). The report counts the plans,
the Queries that only counted (Select=COUNT) and the statements whose
lookups read the table once instead (cache.c).

A difference is a failure unless README documents it, and each documented
kind is checked for exactly its shape:
  order    ORDER BY an N sort key that DynamoDB orders (one Query): numeric
           order, where SQLite puts a number it shows as TEXT after all
           numbers. The rows must be those of the numeric order.
  npk      an N partition key SQLite shows as TEXT is found only by its own
           decimal: rows missing from an equality or IN on an N partition
           key, each with a partition key the native copy holds as TEXT.
  snum     an S key against a number of NUMERIC affinity (a join on an
           INTEGER, REAL or NUMERIC column, IN over such a subquery): rows
           missing whose key reads as that number in another spelling; and
           IN over a subquery of an untyped column holding numbers: rows
           found whose key is the number's text.
  realin   a column declared REAL showing an integer beyond a double's 53
           bits (exact, INTEGER), which IN converts to the column's REAL
           affinity and = does not; the native copy's column is NUMERIC (a
           REAL one would show the double). The rows must be those of the
           native query with the column read as REAL inside its IN.
"""

import decimal
import math
import random
import re

from harness import connect, ddb, defer, unique
from ddbclient import marshal_item

D = decimal.Decimal
MISSING = object()

# ---- what the virtual table shows (README: Types) ---------------------------

AFF_NONE, AFF_REAL, AFF_TEXT = "none", "real", "text"
DYNAMO_TYPES = {"S", "N", "B", "BOOL", "NULL", "SS", "NS", "BS", "L", "M"}


def sqlite_affinity(decl):
    """SQLite's affinity of a declared type (datatype3.html, 3.1)."""
    t = decl.upper()
    if "INT" in t:
        return "INTEGER"
    if "CHAR" in t or "CLOB" in t or "TEXT" in t:
        return "TEXT"
    if "BLOB" in t or not t:
        return "BLOB"
    if "REAL" in t or "FLOA" in t or "DOUB" in t:
        return "REAL"
    return "NUMERIC"


def read_affinity(decl, key_type=None):
    """How a column declared decl shows what it reads: a DynamoDB type name
    and the other affinities as read, REAL and TEXT as a native column of
    that type stores a number. A key shows its own type, but an N key
    declared REAL reads as REAL."""
    first = decl.split(" ")[0].split("(")[0].upper() if decl else ""
    if first in DYNAMO_TYPES:
        return AFF_NONE
    aff = sqlite_affinity(decl)
    if key_type is not None:
        return AFF_REAL if key_type == "N" and aff == "REAL" else AFF_NONE
    return {"REAL": AFF_REAL, "TEXT": AFF_TEXT}.get(aff, AFF_NONE)


def digits(d):
    """(negative, significant digits, e) with d = 0.DIGITS x 10^e."""
    sign, ds, exp = d.as_tuple()
    s = "".join(map(str, ds)).lstrip("0")
    n = len(s)
    s = s.rstrip("0")
    return sign == 1 and bool(s), s, n + exp


def plain(d):
    """The exact decimal, never an exponent (a TEXT column's text)."""
    neg, s, e = digits(d)
    if not s:
        return "0"
    if e <= 0:
        body = "0." + "0" * -e + s
    elif e >= len(s):
        body = s + "0" * (e - len(s))
    else:
        body = s[:e] + "." + s[e:]
    return ("-" if neg else "") + body


def canonical(d):
    """number.c's canonical text: plain from 1e-6 to 1e38, else d.dddE+x."""
    neg, s, e = digits(d)
    if not s or -6 <= e - 1 < 38:
        return plain(d)
    return "%s%s%sE%s%d" % ("-" if neg else "", s[0], "." + s[1:] if len(s) > 1 else "",
                            "-" if e - 1 < 0 else "+", abs(e - 1))


def number_value(d):
    """An N as SQLite sees it: INTEGER when integral within 64 bits, REAL
    when the double's shortest text is the number itself, else TEXT."""
    if d == d.to_integral_value() and -2 ** 63 <= d < 2 ** 63:
        return int(d)
    neg, s, e = digits(d)
    if len(s) <= 17 and D(repr(float(d))) == d:
        return float(d)
    return canonical(d)


def shown(v, aff):
    """The value the virtual table shows for an item's attribute v."""
    if v is None or v is MISSING:
        return None
    if isinstance(v, bool):
        v = int(v)
        return float(v) if aff == AFF_REAL else str(v) if aff == AFF_TEXT else v
    if isinstance(v, (str, bytes)):
        return v
    d = D(v)
    if aff == AFF_TEXT:
        return plain(d)
    x = number_value(d)
    if aff == AFF_REAL and isinstance(x, int) and float(x) < 2.0 ** 63 and int(float(x)) == x:
        return float(x)
    return x


def number_of(x):
    """The exact number a value shown for an N key stands for."""
    if isinstance(x, float):
        return D(repr(x))
    return D(x) if isinstance(x, (int, str)) else None


def numkey(x):
    """Text that sorts as the exact numbers sort (the order DynamoDB gives
    an N sort key): the oracle of the documented 'order' case."""
    d = number_of(x)
    if d is None:
        return None
    neg, s, e = digits(d)
    if not s:
        return "1"
    body = "%04d%s" % (e + 1000, s.ljust(40, "0"))
    return "0" + "".join(str(9 - int(c)) for c in body) if neg else "2" + body


def reads_as_number(text):
    """Does SQLite's NUMERIC affinity make this text a number?"""
    if not isinstance(text, str):
        return False
    t = text.strip(" \t\n\r\f\v")
    return bool(re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", t))


# ---- the tables ---------------------------------------------------------------

SHAPES = [
    # name, partition key, sort key, global indexes, local indexes
    ("SS", ("p", "S"), ("s", "S"), [], []),
    ("SN", ("p", "S"), ("s", "N"), [], []),
    ("N", ("p", "N"), None, [], []),
    ("NN", ("p", "N"), ("s", "N"), [], []),
    ("SB", ("p", "S"), ("s", "B"), [], []),
    ("IDX", ("p", "S"), ("s", "S"),
     [("byCat", ("cat", "S"), ("score", "N"), "ALL"), ("byTag", ("tag", "S"), None, "KEYS_ONLY")],
     [("byL", ("l", "N"))]),
]
OTHER = ["rid", "t", "n", "b", "f", "u"]           # every shape's other attributes
INDEXED = ["cat", "score", "tag", "l"]             # IDX's index keys
TYPES = {"rid": "S", "t": "S", "n": "N", "b": "B", "f": "BOOL", "u": None,
         "cat": "S", "score": "N", "tag": "S", "l": "N"}
SQL_TYPES = {"rid": "TEXT", "t": "TEXT", "n": "REAL", "b": "BLOB", "f": "INTEGER", "u": "",
             "cat": "VARCHAR(10)", "score": "REAL", "tag": "TEXT", "l": "INTEGER"}

S_POOL = ["a", "ab", "b", "x", "5", "05", " 5", "5.0", "10", "abc", "a\x7f", "a\x7fb",
          "a\U0010ffff", "a\U0010ffffz", "\U0010ffff", "\xe9", "Z", "0.1", "0.10000000000000001",
          "a b", "A", "30", "1e1"]
B_POOL = [b"\x00", b"\x01", b"\x01\x00", b"ab", b"abc", b"\x7f", b"\x80", b"\xff", b"\xff\x00", b"5"]
N_FIXED = ["0", "1", "-3", "5", "10", "1.5", "0.1", "0.2", "-0.5", "9007199254740992",
           "9007199254740993", "12345678901234567890123", "12345678901234567890124", "1E-10",
           "1.5E-7", "1E+20", "0.10000000000000001", "0.09999999999999999999", "5.0000000000000001",
           "4.9999999999999999", "1234567890123456.7", "-0.30000000000000004", "123.456"]
BASES = [0.1, 5.0, 9007199254740992.0, 1.5, 123.456, 1e20, -0.3]


def near(rnd, x):
    """A decimal of 16 to 23 significant digits within one unit in the last
    place of the double x: several of them read as x."""
    e = D(x)
    off = D(math.ulp(x)) * D(rnd.uniform(-1.0, 1.0))
    return decimal.Context(prec=rnd.randint(16, 23)).plus(decimal.Context(prec=60).add(e, off))


def number_pool(rnd):
    pool = [D(z) for z in N_FIXED]
    pool += [near(rnd, x) for x in BASES for _ in range(3)]
    return pool


def make_items(rnd, shape, nums):
    name, pk, sk, gsis, lsis = shape
    pvals = rnd.sample(nums if pk[1] == "N" else S_POOL, 14 if sk is None else 4)
    items, seen = [], set()
    for pv in pvals:
        count = 1 if sk is None else rnd.randint(6, 14)
        for _ in range(count):
            it = {pk[0]: pv}
            if sk is not None:
                pool = {"S": S_POOL, "N": nums, "B": B_POOL}[sk[1]]
                it[sk[0]] = rnd.choice(pool)
            key = tuple(D(v) if not isinstance(v, (str, bytes)) else v for v in it.values())
            if key in seen:
                continue
            seen.add(key)
            items.append(it)
    for i, it in enumerate(items):
        it["rid"] = "r%03d" % i
        choice = rnd.random
        if choice() < 0.8:
            it["t"] = rnd.choice(S_POOL + [""]) if choice() < 0.85 else rnd.choice(nums)
        if choice() < 0.8:
            it["n"] = rnd.choice(nums) if choice() < 0.85 else rnd.choice(["30", "abc", "1e1"])
        if choice() < 0.6:
            it["b"] = rnd.choice(B_POOL)
        if choice() < 0.6:
            it["f"] = choice() < 0.5
        if choice() < 0.8:
            it["u"] = rnd.choice([rnd.choice(S_POOL), rnd.choice(nums), rnd.choice(B_POOL),
                                  True, None])
        if name == "IDX":
            for attr, p in (("cat", 0.8), ("score", 0.6), ("tag", 0.6), ("l", 0.6)):
                if choice() < p:
                    it[attr] = rnd.choice(["x", "y", "z"]) if TYPES[attr] == "S" else rnd.choice(nums)
    return items


def create_table(name, shape, items):
    _, pk, sk, gsis, lsis = shape
    attrs = {pk[0]: pk[1]}
    schema = [{"AttributeName": pk[0], "KeyType": "HASH"}]
    if sk:
        attrs[sk[0]] = sk[1]
        schema.append({"AttributeName": sk[0], "KeyType": "RANGE"})
    extra = {}
    if gsis:
        extra["GlobalSecondaryIndexes"] = []
        for iname, ipk, isk, proj in gsis:
            ks = [{"AttributeName": ipk[0], "KeyType": "HASH"}]
            attrs[ipk[0]] = ipk[1]
            if isk:
                ks.append({"AttributeName": isk[0], "KeyType": "RANGE"})
                attrs[isk[0]] = isk[1]
            extra["GlobalSecondaryIndexes"].append(
                {"IndexName": iname, "KeySchema": ks, "Projection": {"ProjectionType": proj}})
    if lsis:
        extra["LocalSecondaryIndexes"] = []
        for iname, isk in lsis:
            attrs[isk[0]] = isk[1]
            extra["LocalSecondaryIndexes"].append(
                {"IndexName": iname, "Projection": {"ProjectionType": "ALL"},
                 "KeySchema": [{"AttributeName": pk[0], "KeyType": "HASH"},
                               {"AttributeName": isk[0], "KeyType": "RANGE"}]})
    ddb().call("CreateTable", dict(
        TableName=name, BillingMode="PAY_PER_REQUEST", KeySchema=schema,
        AttributeDefinitions=[{"AttributeName": a, "AttributeType": t} for a, t in attrs.items()],
        **extra))
    defer(ddb().delete_table, name)
    ddb().wait_active(name)
    ddb().batch_put(name, [marshal_item({k: v for k, v in it.items()}) for it in items])


def declarations(rnd, shape):
    """(name, column definitions or None, {column: read affinity})."""
    _, pk, sk, gsis, lsis = shape
    keys = [pk] + ([sk] if sk else [])
    attrs = OTHER + (INDEXED if gsis else [])
    out = [("discovered", None, {})]
    sql_key = {"S": lambda: rnd.choice(["TEXT", "VARCHAR(30)"]),
               "N": lambda: rnd.choice(["REAL", "INTEGER", "NUMERIC", "DOUBLE"]),
               "B": lambda: "BLOB"}
    cols = [(k, sql_key[t]()) for k, t in keys] + [(a, SQL_TYPES[a]) for a in attrs]
    out.append(("sqlite", cols, {}))
    cols = [(k, t) for k, t in keys] + [(a, TYPES[a] or "") for a in attrs]
    out.append(("dynamo", cols, {}))
    keytype = dict(keys)
    for _, cols, aff in out:
        for name, decl in cols or []:
            aff[name] = read_affinity(decl, keytype.get(name))
    return out


OPTIONS = ["", ", filter=0", ", segments=3", ", consistent_read=1"]


# ---- the differential ---------------------------------------------------------

class Report:
    def __init__(self, seed):
        self.seed = seed
        self.queries = 0
        self.plans = {}          # plan kind -> count
        self.documented = {"order": 0, "npk": 0, "snum": 0, "realin": 0}
        self.failures = []

    def line(self):
        return ("seed %d: %d queries (%s), %d differences documented in README (%s), %d failures"
                % (self.seed, self.queries,
                   ", ".join("%s %d" % kv for kv in sorted(self.plans.items())),
                   sum(self.documented.values()),
                   ", ".join("%s %d" % kv for kv in sorted(self.documented.items())),
                   len(self.failures)))


def lit(x):
    """A SQL literal for a Python value."""
    if x is None:
        return "NULL"
    if isinstance(x, bytes):
        return "x'%s'" % x.hex()
    if isinstance(x, str):
        return "'%s'" % x.replace("'", "''")
    return repr(x) if isinstance(x, float) else str(x)


class Table:
    """One shape: its DynamoDB table, virtual tables and native copies."""

    def __init__(self, c, rnd, shape, report):
        self.c, self.rnd, self.shape, self.report = c, rnd, shape, report
        self.name, self.pk, self.sk, self.gsis, self.lsis = shape
        self.nums = number_pool(rnd)
        self.items = make_items(rnd, shape, self.nums)
        self.byrid = {it["rid"]: it for it in self.items}
        self.ddb = unique("diff" + self.name)
        create_table(self.ddb, shape, self.items)
        self.decls = []
        for dname, cols, aff in declarations(rnd, shape):
            base = "d_%s_%s" % (self.name, dname)
            vts = []
            for k, opt in enumerate(OPTIONS):
                vt = "%s_%d" % (base, k)
                spec = ", ".join('"%s" %s' % (n, t) for n, t in cols) if cols else ""
                c.execute("CREATE VIRTUAL TABLE %s USING dynamo(table=%s%s%s)"
                          % (vt, self.ddb, opt, ", " + spec if spec else ""))
                vts.append(vt)
            colinfo = c.execute("SELECT name, type FROM pragma_table_info('%s')" % vts[0]).fetchall()
            names = [n for n, t in colinfo]
            nat = "nat.%s" % base
            self.native(nat, colinfo, aff)
            self.check_model(vts[1], nat, names)
            self.decls.append((dname, vts, nat, names, aff))

    def native(self, nat, colinfo, aff):
        """The native copy: the values shown, stored untyped, then the
        declared types (a REAL column as NUMERIC: it would turn an integer it
        reads into REAL, which the virtual table keeps where a double cannot
        hold it; both compare as numbers)."""
        c = self.c
        names = [n for n, t in colinfo]
        c.execute("CREATE TABLE %s(%s)" % (nat, ", ".join('"%s"' % n for n in names)))
        rows = [[shown(it.get(n, MISSING), aff.get(n, AFF_NONE)) for n in names] for it in self.items]
        c.executemany("INSERT INTO %s VALUES (%s)" % (nat, ", ".join("?" * len(names))), rows)

        def decl(t):
            if sqlite_affinity(t) == "REAL":
                return "NUMERIC"
            return '"NULL"' if t.upper() == "NULL" else t
        sql = "CREATE TABLE %s(%s)" % (nat.split(".")[1], ", ".join(
            '"%s" %s' % (n, decl(t)) for n, t in colinfo))
        c.execute("PRAGMA nat.writable_schema = ON")
        c.execute("UPDATE nat.sqlite_schema SET sql = ? WHERE name = ?", (sql, nat.split(".")[1]))
        c.execute("PRAGMA nat.writable_schema = RESET")

    def check_model(self, vt, nat, names):
        cols = ", ".join('"%s"' % n for n in names)
        key = lambda r: [(type(x).__name__, x) for x in r]
        got = sorted(self.c.execute("SELECT %s FROM %s" % (cols, vt)).fetchall(), key=key)
        want = sorted(self.c.execute("SELECT %s FROM %s" % (cols, nat)).fetchall(), key=key)
        if got != want:
            diff = [(g, w) for g, w in zip(got, want) if g != w][:3]
            self.report.failures.append("%s: the values read are not the README's (%d rows, model "
                                        "%d): %r" % (vt, len(got), len(want), diff))

    # ---- values ----------------------------------------------------------

    def values_of(self, col):
        """Values items hold for col (as shown with no affinity)."""
        return [shown(it[col], AFF_NONE) for it in self.items if it.get(col, MISSING) is not MISSING
                and it[col] is not None]

    def value(self, col, typ):
        """A value to compare col with: (SQL, Python value for a parameter)."""
        rnd = self.rnd
        r = rnd.random()
        held = self.values_of(col)
        if held and r < 0.6:
            x = rnd.choice(held)
            if isinstance(x, (int, float)) and rnd.random() < 0.3:
                x = rnd.choice([lit(x), " %s " % lit(x), "%s.0" % lit(x) if isinstance(x, int)
                                else lit(x) + "0"])  # numeric text, other spellings
            elif isinstance(x, str) and reads_as_number(x) and typ == "N" and rnd.random() < 0.5:
                return x, float(x)                   # a bare number: a REAL literal
        elif r < 0.8:
            x = {"S": lambda: rnd.choice(S_POOL), "B": lambda: rnd.choice(B_POOL),
                 "N": lambda: shown(rnd.choice(self.nums), AFF_NONE),
                 "BOOL": lambda: rnd.choice([0, 1, 2, "1", True]),
                 None: lambda: rnd.choice(S_POOL + B_POOL + [1, 0.5])}[typ]()
            if typ == "N" and rnd.random() < 0.4:
                x = plain(near(rnd, rnd.choice(BASES)))  # digits beyond a double, as text
        else:
            x = rnd.choice([None, 5, 30, 0.1, 1.5, -1, "abc", "", "5", "05", b"\x01", 1e300,
                            "9007199254740993.0", "0.10000000000000001", 9007199254740993,
                            12345678901234567890123.0, "12345678901234567890123", "a\x7f",
                            "a\U0010ffff"])
        return lit(x), x

    # ---- queries ---------------------------------------------------------

    def condition(self, col, typ, params, key=False):
        """A condition on column col of DynamoDB type typ."""
        rnd = self.rnd

        def v():
            sql, x = self.value(col, typ)
            if rnd.random() < 0.25:          # unknown at plan time
                params.append(x)
                return "?"
            return sql
        r = rnd.random()
        c = "t.%s" % col
        if key and r < 0.55:
            return "%s = %s" % (c, v())
        if key and r < 0.7:
            return "%s IN (%s)" % (c, ", ".join(v() for _ in range(rnd.randint(2, 4))))
        ops = ["=", "<", "<=", ">", ">=", "<>"]
        r = rnd.random()
        if r < 0.45:
            return "%s %s %s" % (c, rnd.choice(ops), v())
        if r < 0.55:
            return "%s BETWEEN %s AND %s" % (c, v(), v())
        if r < 0.62:
            return "%s > %s AND %s < %s" % (c, v(), c, v())
        if r < 0.78:
            held = [x for x in self.values_of(col) if isinstance(x, str)] or S_POOL
            pre = rnd.choice(held + ["a\x7f", "a\U0010ffff", "\U0010ffff", "a"])
            pre = pre[:rnd.randint(1, max(1, len(pre)))]
            if rnd.random() < 0.5:
                return "%s GLOB %s" % (c, lit(pre + rnd.choice(["*", "*b", "?", ""])))
            return "%s LIKE %s" % (c, lit(pre + rnd.choice(["%", "_%", ""])))
        if r < 0.86:
            return "%s IS %sNULL" % (c, rnd.choice(["", "NOT "]))
        return "%s IN (%s)" % (c, ", ".join(v() for _ in range(rnd.randint(1, 3))))

    def query(self):
        """(sql with {t} for the table, params, tags, order info)."""
        rnd = self.rnd
        params, where, tags = [], [], set()
        pk, sk = self.pk, self.sk
        r = rnd.random()
        single = False
        join = None
        if r < 0.15:                          # a join or subquery on a key
            kcol = rnd.choice(["vt", "vi", "vr", "vn", "vu"])
            target = pk if not sk or rnd.random() < 0.6 else sk
            if rnd.random() < 0.6:
                join = kcol
                where.append("t.%s %s k.%s" % (target[0], rnd.choice(["=", "=", ">", "<="])
                                               if target is sk else "=", kcol))
                if target is sk:
                    where.append("t.%s = %s" % (pk[0], self.value(pk[0], pk[1])[0]))
            else:
                where.append("t.%s IN (SELECT %s FROM k)" % (target[0], kcol))
            if target[1] == "S" and kcol != "vt":
                tags.add("snum")
            if pk[1] == "N":
                tags.add("npk")
        elif r < 0.85 and not (self.gsis and rnd.random() < 0.4):
            cond = self.condition(pk[0], pk[1], params, key=True)
            single = cond.startswith("t.%s = " % pk[0])
            if rnd.random() < 0.12:           # an OR of lookups SQLite may merge
                cond = "(%s OR %s)" % (cond, self.condition(pk[0], pk[1], params, key=True))
                single = False
                tags.add("or")
            where.append(cond)
            if pk[1] == "N" and (single or "or" in tags or cond.startswith("t.%s IN (" % pk[0])):
                tags.add("npk")  # a lookup (a range is a Scan: exact)
            if sk and rnd.random() < 0.65:
                where.append(self.condition(sk[0], sk[1], params, key=True))
            if self.lsis and rnd.random() < 0.4:
                where.append(self.condition("l", "N", params))
        elif self.gsis:                       # an index's partition key
            if rnd.random() < 0.6:
                where.append("t.cat = %s" % self.value("cat", "S")[0])
                if rnd.random() < 0.7:
                    where.append(self.condition("score", "N", params))
            else:
                where.append("t.tag = %s" % self.value("tag", "S")[0])
        for _ in range(rnd.choice([0, 0, 1, 1, 2])):
            col = rnd.choice(OTHER[1:] + (INDEXED if self.gsis else []))
            where.append(self.condition(col, TYPES[col], params))
        # what it reads, and in which order
        names = [pk[0]] + ([sk[0]] if sk else []) + OTHER + (INDEXED if self.gsis else [])
        order, limit = "", ""
        if join:
            select = "k.rowid, t.rid"
            order = " ORDER BY 1, 2"
        elif rnd.random() < 0.3:
            select = "count(*)"
        else:
            if self.gsis and rnd.random() < 0.3:
                cols = [pk[0], sk[0]]          # what a KEYS_ONLY index holds
            else:
                cols = rnd.sample(names, rnd.randint(1, 4))
            select = ", ".join("t.%s" % n for n in ["rid"] + [n for n in cols if n != "rid"])
            r = rnd.random()
            if single and sk and r < 0.45:
                order = " ORDER BY t.%s%s" % (sk[0], rnd.choice(["", " DESC"]))
                tags.add("sorted")
            elif r < 0.6:
                order = " ORDER BY t.rid%s" % rnd.choice(["", " DESC"])
            if order and rnd.random() < 0.6:
                limit = " LIMIT %d" % rnd.randint(1, 8)
                if rnd.random() < 0.3:
                    limit += " OFFSET %d" % rnd.randint(1, 4)
        # the join in the order SQLite chooses (by the plan's costs), or with
        # k outside (CROSS JOIN: the table's lookups, which the statement may
        # answer from one read of it)
        frm = rnd.choice(["k CROSS JOIN {t} AS t", "k JOIN {t} AS t", "{t} AS t JOIN k"]) \
            if join else "{t} AS t"
        sql = "SELECT %s FROM %s%s%s%s" % (select, frm, " WHERE " + " AND ".join(where) if where else "",
                                         order, limit)
        return sql, params, tags

    def run(self, n):
        for _ in range(n):
            dname, vts, nat, names, aff = self.rnd.choice(self.decls)
            vt = self.rnd.choice(vts)
            sql, params, tags = self.query()
            csl = "LIKE" in sql and self.rnd.random() < 0.3
            if csl:
                self.c.execute("PRAGMA case_sensitive_like = 1")
            try:
                self.compare(vt, nat, aff, sql, params, tags)
            finally:
                if csl:
                    self.c.execute("PRAGMA case_sensitive_like = 0")

    def compare(self, vt, nat, aff, sql, params, tags):
        c, rep = self.c, self.report
        rep.queries += 1
        q, qn = sql.format(t=vt), sql.format(t=nat)
        try:
            plan = " ".join(r[3] for r in c.execute("EXPLAIN QUERY PLAN " + q, params))
        except Exception as e:
            rep.failures.append("%s %r: EXPLAIN: %s" % (q, params, e))
            return
        m = re.search(r"INDEX \d+:(\w+)( INDEX \w+)?", plan)
        kind = (m.group(1) + ("+index" if m.group(2) else "")) if m else "?"
        rep.plans[kind] = rep.plans.get(kind, 0) + 1
        c.execute("DELETE FROM dynamo_stats")
        try:
            got = c.execute(q, params).fetchall()
        except Exception as e:
            rep.failures.append("%s %r: %s" % (q, params, e))
            return
        if ":Scan" not in plan and c.execute("SELECT 1 FROM dynamo_stats WHERE operation = 'Scan'"
                                             ).fetchone():
            rep.plans["read once"] = rep.plans.get("read once", 0) + 1
        if " COUNT " in plan and ":Query" in plan:
            rep.plans["Query COUNT"] = rep.plans.get("Query COUNT", 0) + 1
        want = c.execute(qn, params).fetchall()
        ordered = " ORDER BY " in sql
        consumed = ordered and "TEMP B-TREE FOR ORDER BY" not in plan
        if not ordered:
            key = lambda r: [(x is None, type(x).__name__, x) for x in r]
            got, want = sorted(got, key=key), sorted(want, key=key)
        if got == want:
            return
        why = self.documented(q, qn, params, tags, got, want, consumed, aff)
        if why:
            rep.documented[why] += 1
            return
        only_got = [r for r in got if r not in want][:4]
        only_want = [r for r in want if r not in got][:4]
        rep.failures.append("%s %r [%s]: %d rows, native %d; only here %r, only native %r"
                            % (q, params, plan, len(got), len(want), only_got, only_want))

    def rows_of(self, sql, params):
        """The rids a query's rows come from (its count(*) made SELECT t.rid)."""
        sql = re.sub(r"^SELECT count\(\*\)", "SELECT t.rid", sql)
        return [r[-1] for r in self.c.execute(sql, params).fetchall()]

    def documented(self, q, qn, params, tags, got, want, consumed, aff):
        """The README exception this difference is, or None."""
        sk = self.sk
        if "sorted" in tags and consumed and sk and sk[1] == "N":
            # the oracle in DynamoDB's order: exact numbers, then LIMIT
            alt = re.sub(r"ORDER BY t\.%s" % sk[0], "ORDER BY numkey(t.%s)" % sk[0], qn)
            if self.c.execute(alt, params).fetchall() == got:
                return "order"
        if " LIMIT " in q:  # which rows differ, before LIMIT chose some
            strip = lambda z: re.sub(r" LIMIT \d+( OFFSET \d+)?$", "", z)
            g, w = self.c.execute(strip(q), params).fetchall(), self.c.execute(strip(qn), params).fetchall()
            if g == w:
                return None
            return self.documented(strip(q), strip(qn), params, tags - {"sorted"}, g, w, False, aff)
        if "count(*)" in q:
            try:
                rg, rw = self.rows_of(q, params), self.rows_of(qn, params)
            except Exception:
                return None
        elif "k.rowid" in q:
            rg, rw = got, want
        else:
            rg, rw = [r[0] for r in got], [r[0] for r in want]
        # IN on a REAL column converts an exact integer it shows to a double
        reals = [col for col in re.findall(r"t\.(\w+) IN \(", q) if aff.get(col) == AFF_REAL]
        if reals:
            alt = qn
            for col in reals:
                alt = alt.replace("t.%s IN (" % col, "CAST(t.%s AS REAL) IN (" % col)
            rows, mine = self.c.execute(alt, params).fetchall(), got
            if " ORDER BY " not in q:
                key = lambda r: [(x is None, type(x).__name__, x) for x in r]
                rows, mine = sorted(rows, key=key), sorted(mine, key=key)
            if rows == mine:
                return "realin"
        rid = lambda r: r[1] if isinstance(r, tuple) else r
        missing = [rid(r) for r in rw if r not in rg]
        extra = [rid(r) for r in rg if r not in rw]
        pk, sk = self.pk, self.sk
        if "npk" in tags and not extra and missing and all(
                isinstance(shown(self.byrid[r][pk[0]], AFF_NONE), str) for r in missing):
            return "npk"
        if "snum" in tags:
            keys = [pk[0]] + ([sk[0]] if sk and sk[1] == "S" else [])
            numeric = lambda r: any(reads_as_number(self.byrid[r].get(k)) for k in keys)
            if all(numeric(r) for r in missing + extra) and (
                    not extra or "IN (SELECT vu FROM k)" in q):
                return "snum"
        return None


def run(seed, queries):
    """One seeded run of about `queries` queries over every shape."""
    rnd = random.Random(seed)
    report = Report(seed)
    c = connect()
    c.create_function("numkey", 1, numkey, deterministic=True)
    c.execute("ATTACH ':memory:' AS nat")
    # the native copies hold text that reads as a number in NUMERIC columns,
    # which an automatic index would convert (the virtual table has none)
    c.execute("PRAGMA automatic_index = OFF")
    c.execute("CREATE TEMP TABLE k(vt TEXT, vi INTEGER, vr REAL, vn NUMERIC, vu)")
    kvals = (["5", "05", "a", "abc", "x", "0.1", "0.10000000000000001", "9007199254740993.0",
              "12345678901234567890123", "30", " 5", "a\x7f"] +
             [5, 30, 10, 0.1, 1.5, 9007199254740993, 9007199254740992, -3, 1e20, b"\x01", b"ab"])
    for x in kvals:
        c.execute("INSERT INTO k VALUES (?, ?, ?, ?, ?)", (x, x, x, x, x))
    tables = [Table(c, rnd, shape, report) for shape in SHAPES]
    per = max(1, queries // len(tables))
    for tb in tables:
        tb.run(per)
    c.close()
    return report
