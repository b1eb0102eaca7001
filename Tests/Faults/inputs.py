"""Structure-aware hostile inputs: valid requests mutated by kind (wrong types, deep nesting,
huge strings and numbers, invalid UTF-8, NUL, duplicate keys, truncation), so that most get
past the first parser and reach the decoders and rules behind it."""

import json
import random

TEMPLATES = {
    "create-story": {"storyId": "F-1", "title": "t", "priority": 2, "service": "web", "team": "core"},
    "integrate-commit": {"sha": "9fceb02", "service": "web", "storyIds": ["F-1"], "branch": "main", "message": "m"},
    "pass-build": {"buildId": "b1", "sha": "9fceb02", "service": "web", "durationSeconds": 12.5},
    "fail-build": {"buildId": "b2", "sha": "9fceb02", "service": "web", "reason": "r"},
    "complete-test-run": {"runId": "r1", "suite": "unit", "sha": "9fceb02", "passed": 3, "failed": 1, "skipped": 0,
                          "failingTests": ["T.a"]},
    "succeed-deployment": {"deploymentId": "d1", "environment": "production", "sha": "9fceb02", "service": "web"},
    "breach-metric": {"metric": "latency", "environment": "production", "service": "web", "value": 3.5, "threshold": 1},
    "open-incident": {"incidentId": "i1", "title": "down", "severity": 2, "service": "web"},
    "receive-feedback": {"feedbackId": "fb1", "rating": 4, "service": "web", "comment": "c"},
}

ODD_VALUES = [None, True, False, 0, -1, 2 ** 63, -(2 ** 63) - 1, 1e308, -1e308, 0.5, "", " ", "x" * 10_000,
              "\u0000", "a\u0000b", "\ud800", "💥" * 50, [], [None], {}, {"a": {}}, "2026-13-45T99:99:99Z",
              "../../etc/passwd", "'; DROP TABLE events; --", "%00", "\\", "\u202e", "null"]

# Numbers as raw JSON text, past what a double holds or with its sign and class wrong.
RAW_NUMBERS = ["1e400", "-1e400", "1e-400", "123456789012345678901234567890", "-0", "0.0000000000000000000001",
               "1E+999999999", "00012", "1.", ".5", "+1", "NaN", "Infinity", "0x10"]


def mutate(rng, template):
    """Bytes of one hostile body for a command template."""
    data = json.loads(json.dumps(template))
    kind = rng.randrange(12)
    keys = list(data)
    if kind == 0:  # a field of the wrong type or with an odd value
        data[rng.choice(keys)] = rng.choice(ODD_VALUES)
        return dumps(rng, data)
    if kind == 1:  # a field missing, or an unknown one
        if rng.random() < 0.5:
            del data[rng.choice(keys)]
        else:
            data[rng.choice(["extra", "", "__proto__", "storyIds", "x" * 300])] = rng.choice(ODD_VALUES)
        return dumps(rng, data)
    if kind == 2:  # deep nesting in a field
        depth = rng.choice([10, 64, 65, 200, 1000, 100_000])
        inner = "[" * depth + "]" * depth if rng.random() < 0.5 else '{"a":' * depth + "1" + "}" * depth
        return splice(dumps(rng, data), rng.choice(keys), inner)
    if kind == 3:  # a huge string
        size = rng.choice([501, 10_001, 200_000, 1_100_000])
        data[rng.choice(keys)] = "y" * size
        return dumps(rng, data)
    if kind == 4:  # a number JSON cannot carry as a double
        return splice(dumps(rng, data), rng.choice(keys), rng.choice(RAW_NUMBERS))
    if kind == 5:  # invalid UTF-8 inside a string
        body = dumps(rng, data)
        at = body.find(b'"', 1)
        return body[: at + 1] + rng.choice([b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\x80"]) + body[at + 1:]
    if kind == 6:  # a raw NUL or control byte
        body = dumps(rng, data)
        at = rng.randrange(len(body))
        return body[:at] + rng.choice([b"\x00", b"\x01", b"\x1b", b"\n"]) + body[at:]
    if kind == 7:  # duplicate keys
        key = rng.choice(keys)
        body = dumps(rng, data)
        return body[:-1] + b"," + json.dumps(key).encode() + b":" + json.dumps(rng.choice(ODD_VALUES)).encode() + b"}"
    if kind == 8:  # truncated
        body = dumps(rng, data)
        return body[: rng.randrange(len(body))]
    if kind == 9:  # not an object
        return rng.choice([b"[]", b"null", b"1", b'"s"', b"", b" ", b"{", b"}", b"[" * 100_000, b"\xef\xbb\xbf{}"])
    if kind == 10:  # a list field with many entries
        for key, value in data.items():
            if isinstance(value, list):
                data[key] = [f"E-{i}" for i in range(rng.choice([1001, 20_000]))]
        return dumps(rng, data)
    # random bytes
    return bytes(rng.getrandbits(8) for _ in range(rng.randrange(1, 300)))


def dumps(rng, data):
    return json.dumps(data, ensure_ascii=rng.random() < 0.5).encode("utf-8", "surrogatepass")


def splice(body, key, raw):
    """Replaces `key`'s value in a flat JSON object with raw text."""
    document = json.loads(body)
    document[key] = "\u0001SPLICE\u0001"
    return json.dumps(document).replace('"\\u0001SPLICE\\u0001"', raw).encode()


QUERY_ROUTES = ["/v1/events", "/v1/stages/planning/backlog", "/v1/stages/delivery/deployments", "/v1/dora",
                "/v1/value-stream/stories/F-1", "/v1/streams/story-F-1", "/v1/projections", "/v1/exports/events.jsonl",
                "/v1/exports/dora.csv", "/v1/deliveries", "/v1/stages/testing/flaky-tests"]
QUERY_NAMES = ["after", "limit", "type", "category", "from", "to", "service", "team", "bucket", "explain", "since",
               "minPosition", "environment", "limit"]
QUERY_VALUES = ["-1", "0", "1001", "99999999999999999999", "1e3", "", "%00", "%ff", "%", "%zz", "a,,b", "story",
                "2026-01-01", "2026-02-30", "x" * 5000, "true", "null", "..", "%C3%28", "'--", "1;2"]


def query(rng):
    route = rng.choice(QUERY_ROUTES)
    pairs = [f"{rng.choice(QUERY_NAMES)}={rng.choice(QUERY_VALUES)}" for _ in range(rng.randrange(4))]
    return route + ("?" + "&".join(pairs) if pairs else "")


def socket_line(rng, authenticated):
    """One line for the JSON socket (without its newline)."""
    kind = rng.randrange(8)
    if kind == 0:
        name = rng.choice(list(TEMPLATES))
        return b'{"op":"command","id":%d,"name":"%s","data":' % (rng.randrange(1000), name.encode()) + mutate(rng, TEMPLATES[name]) + b"}"
    if kind == 1:
        op = {"op": rng.choice(["read", "query", "subscribe", "unsubscribe", "projections", "ping", "nope", 7, None]),
              "id": rng.choice([1, "a", None, [], {}, 1.5, "x" * 500])}
        op[rng.choice(["after", "limit", "stream", "category", "types", "stage", "query", "parameters", "subscription"])] = rng.choice(ODD_VALUES)
        return json.dumps(op).encode("utf-8", "surrogatepass")
    if kind == 2:
        return mutate(rng, {"op": "read", "id": 1, "stream": "story-F-1", "after": 0})
    if kind == 3:
        return b'{"op":"auth","id":1,"token":' + json.dumps(rng.choice(ODD_VALUES)).encode("utf-8", "surrogatepass") + b"}"
    if kind == 4:
        return b"[" * rng.choice([65, 1000, 100_000])
    if kind == 5:
        return b'{"op":"ping","id":"' + b"z" * rng.choice([1000, 1_100_000]) + b'"}'
    if kind == 6:
        return bytes(rng.getrandbits(8) for _ in range(rng.randrange(1, 200))).replace(b"\n", b" ")
    return rng.choice([b"{}", b"null", b'{"op":"command"}', b'{"op":"command","name":"create-story","data":[]}', b"\xff\xfe"])
