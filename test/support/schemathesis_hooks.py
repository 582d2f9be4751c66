"""
schemathesis hooks for test/api/schemathesis.test.ts.

The OpenAPI document states every rule of a single field. A few rules tie fields together or depend on
stored data, which OpenAPI 3.0 cannot state (the document describes each in words); for the requests
schemathesis draws as *valid*, this hook makes them hold, so that the positive-data check tests the
rest. Requests drawn as invalid are left alone.

- a currency's decimals (0 for SATS and JPY, 8 for BTC, 2 otherwise) and amounts a payment can carry;
  percentages and tolerances with at most 2 decimals;
- preset: min_amount < max_amount; transfers: percentages adding up to at most 100, to an account
  that exists (PARTNER_ACCOUNT);
- success_url and success_message: not both;
- custom fields: a dropdown has options, other types have none;
- a Lightning memo (statement_descriptor, else title) within 639 bytes of UTF-8;
- metadata keys of 1 to 40 characters, without control characters, not `__proto__`;
- xpub: a valid extended key (left out: no fuzzer draws one); a dashboard user's email: a valid
  address not taken yet (one per account);
- the event a redelivery names exists (an unknown one is a 400, as Stripe answers);
- list cursors and ID filters that name existing objects (KNOWN_IDS: a JSON map from list path to an
  ID of its kind), as an unknown cursor is a 400 (Stripe's answer).
"""
import json
import os
import re
import uuid
from decimal import ROUND_DOWN, Decimal

import schemathesis

DECIMALS = {"SATS": 0, "JPY": 0, "BTC": 8}
CREATES = {"/checkout-sessions", "/checkout-links", "/payment-links"}
PARTNER = os.environ.get("PARTNER_ACCOUNT", "")
KNOWN_IDS = json.loads(os.environ.get("KNOWN_IDS", "{}"))
# The C0 controls the edge refuses (src/domain/text.ts); the document states it for values, not keys.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _decimals(currency):
    return DECIMALS.get(str(currency).upper(), 2)


def _amount(value, places, top):
    """A positive amount with at most `places` decimals and at most `top`."""
    step = Decimal(1).scaleb(-places)
    d = min(abs(Decimal(str(value))), Decimal(top)).quantize(step, rounding=ROUND_DOWN)
    d = max(d, step)
    return int(d) if places == 0 else float(d)


def _percentage(value, top):
    d = min(abs(Decimal(str(value))), Decimal(str(top))).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    return float(max(d, Decimal("0.01")))


def _truncate_utf8(text, limit=639):
    while len(text.encode("utf-8")) > limit:
        text = text[:-1]
    return text


def _session_fields(body):
    places = _decimals(body.get("currency", "SATS"))
    top = 1_000_000 if places == 0 else 1000
    if body.get("type", "fixed") == "fixed" and isinstance(body.get("amount"), (int, float)):
        body["amount"] = _amount(body["amount"], places, top)
    if isinstance(body.get("options"), list):
        body["options"] = [_amount(o, places, top) if isinstance(o, (int, float)) else o for o in body["options"]]
    preset = body.get("preset")
    if isinstance(preset, dict) and isinstance(preset.get("min_amount"), (int, float)) and isinstance(preset.get("max_amount"), (int, float)):
        low, high = sorted([_amount(preset["min_amount"], places, top), _amount(preset["max_amount"], places, top)])
        if low == high:
            high = _amount(Decimal(str(low)) + Decimal(1).scaleb(-places), places, top * 2)
        preset["min_amount"], preset["max_amount"] = low, high
    if isinstance(body.get("amount_paid_tolerance"), (int, float)):
        body["amount_paid_tolerance"] = float(Decimal(str(body["amount_paid_tolerance"])).quantize(Decimal("0.01"), rounding=ROUND_DOWN))
    if body.get("success_url") and body.get("success_message"):
        del body["success_message"]
    transfers = body.get("transfers")
    if isinstance(transfers, list) and transfers:
        share = Decimal("99.99") / len(transfers)
        for t in transfers:
            if isinstance(t, dict):
                t["destination_account"] = PARTNER
                if isinstance(t.get("percentage"), (int, float)):
                    t["percentage"] = _percentage(t["percentage"], share)
    for field in body.get("custom_fields") or []:
        if isinstance(field, dict):
            if field.get("type") == "dropdown" and not field.get("options"):
                field["options"] = ["S"]
            elif field.get("type") != "dropdown":
                field.pop("options", None)
    for name in ("statement_descriptor", "title"):
        if isinstance(body.get(name), str):
            body[name] = _truncate_utf8(body[name])


def _metadata(body):
    metadata = body.get("metadata")
    if isinstance(metadata, dict):
        body["metadata"] = {k[:40]: v for k, v in metadata.items() if k and k != "__proto__" and not CONTROL.search(k)}


def _accounts(body):
    body.pop("xpub", None)
    affiliate = body.get("affiliate")
    if isinstance(affiliate, dict):
        affiliate["account"] = PARTNER
        if isinstance(affiliate.get("percentage"), (int, float)):
            affiliate["percentage"] = _percentage(affiliate["percentage"], 50)
    if isinstance(body.get("amount_paid_tolerance"), (int, float)):
        body["amount_paid_tolerance"] = float(Decimal(str(body["amount_paid_tolerance"])).quantize(Decimal("0.01"), rounding=ROUND_DOWN))


def _query(path, query):
    known = KNOWN_IDS.get(path)
    for cursor in ("starting_after", "ending_before"):
        if cursor in query:
            if known:
                query[cursor] = known
            else:
                del query[cursor]
    for name, kind in (("checkout_session", "/checkout-sessions"), ("event", "/events")):
        if name in query and KNOWN_IDS.get(kind):
            query[name] = KNOWN_IDS[kind]


@schemathesis.hook
def map_case(context, case):
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive:
        return case
    path, method = case.operation.path, case.operation.method.lower()
    if isinstance(case.query, dict) and method == "get":
        _query(path, case.query)
    body = case.body
    if method == "post" and isinstance(body, dict):
        if path in CREATES:
            _session_fields(body)
        if path in CREATES or path == "/checkout-sessions/{id}":
            _metadata(body)
            if body.get("success_url") and body.get("success_message"):
                del body["success_message"]
            for name in ("title",):
                if isinstance(body.get(name), str):
                    body[name] = _truncate_utf8(body[name])
        if path.startswith("/accounts"):
            _accounts(body)
        if path == "/accounts/{id}/users" and "email" in body:
            body["email"] = f"user-{uuid.uuid4().hex}@shop.example"
        if path == "/webhooks/{id}/redeliver" and "event" in body and KNOWN_IDS.get("/events"):
            body["event"] = KNOWN_IDS["/events"]
    return case
