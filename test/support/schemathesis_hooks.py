"""
schemathesis hooks for test/api/schemathesis.test.ts.

The OpenAPI document states every rule of a single field. A few rules tie fields together or depend on
stored data, which OpenAPI 3.0 cannot state (the document describes each in words); for the requests
schemathesis draws as *valid*, this hook makes them hold, so that the positive-data check tests the
rest. Requests drawn as invalid are left alone.

- a currency's decimals (0 for SATS and JPY, 8 for BTC, 2 otherwise) and amounts a payment can carry;
  percentages and tolerances with at most 2 decimals;
- preset: min_amount < max_amount; transfers: percentages adding up to at most 100, to an account
  that exists (PARTNER_ACCOUNT, connected to the run's merchant); a transfer destination the admin
  connects is PARTNER_ACCOUNT too;
- success_url and success_message: not both;
- custom fields: a dropdown has options, other types have none;
- a Lightning memo (statement_descriptor, else title) within 639 bytes of UTF-8;
- metadata keys of 1 to 40 characters, without control characters, not `__proto__`;
- xpub: a valid extended key (left out: no fuzzer draws one), and so `onchain_settlement`
  "merchant_wallet", which needs one, is left out too;
- the event a redelivery names exists (an unknown one is a 400, as Stripe answers);
- list cursors and ID filters that name existing objects (KNOWN_IDS: a JSON map from list path to an
  ID of its kind), so that valid draws page from a real position (an unknown cursor is a 404, which
  schemathesis accepts too);
- the simulator receives at most 10 times its payment's amount: valid draws receive 1 to 10 sats;
- money out is paid from the balance of the run's merchant (a paid 1 BTC session): a payout pays
  ONCHAIN_ADDRESS (no fuzzer draws a valid address or BOLT11) in SATS, at least the 546-sat dust limit;
  withdrawal links and refunds are small (at most ~5,000 sats) so the balance lasts the run; a refund
  refunds part of the known paid session (a full one would leave nothing to refund for the rest of the
  run) to a withdrawal link (an invoice is not drawn either);
- operations on one object that no create in the run reaches with valid data (payouts, withdrawal
  links, refunds, and a few link operations the stateful phase may not reach within its steps) get a
  known object's ID in their valid draws (what schemathesis calls supplying the identifiers), so their
  valid requests reach the API's logic rather than a 404.
"""
import json
import os
import re
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
    if body.get("onchain_settlement") == "merchant_wallet":
        del body["onchain_settlement"]
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


ONCHAIN_ADDRESS = os.environ.get("ONCHAIN_ADDRESS", "")
# Operations on one object whose valid draws get a known object of their kind (KNOWN_IDS key).
KNOWN_OBJECT = {
    "/instant-sends/{id}": "/instant-sends",
    "/withdrawal-links/{id}": "/withdrawal-links",
    "/withdrawal-links/{id}/deactivate": "/withdrawal-links",
    "/refunds/{id}": "/refunds",
    "/refunds/{id}/cancel": "/refunds",
    "/payment-links/{id}": "/payment-links",
    "/checkout-links/{id}/deactivate": "/checkout-links",
    "/payment-links/{id}/deactivate": "/payment-links",
}


def _small(body, top_sats):
    """`amount` in `currency` with its decimals, between about 10 and `top_sats` sats (static test rates)."""
    currency = str(body.get("currency", "SATS")).upper()
    places = _decimals(currency)
    top = {"SATS": top_sats, "BTC": Decimal(top_sats).scaleb(-8), "JPY": top_sats // 7}.get(currency, Decimal(top_sats) / 1000)
    low = {"SATS": 10, "JPY": 2}.get(currency, None)
    value = body.get("amount")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        amount = _amount(value, places, top)
        if low is not None and amount < low:
            amount = low
        if currency not in ("SATS", "JPY", "BTC") and amount < 0.01:
            amount = 0.01
        body["amount"] = amount


def _instant_send(body):
    body["withdraw_method"] = "onchain"
    body["withdraw_request"] = ONCHAIN_ADDRESS
    body["currency"] = "SATS"
    amount = body.get("amount")
    body["amount"] = 546 + (int(abs(amount)) % 2000 if isinstance(amount, (int, float)) and not isinstance(amount, bool) else 0)


def _refund(body):
    body["checkout_session"] = KNOWN_IDS.get("funding", body.get("checkout_session"))
    body.pop("payment", None)
    body["type"] = "partial"
    amount = body.get("amount")
    body["amount"] = 1 + (int(abs(amount)) % 1000 if isinstance(amount, (int, float)) and not isinstance(amount, bool) else 0)
    body["withdraw_method"] = "withdrawal_link"
    body.pop("withdraw_request", None)


@schemathesis.hook
def map_case(context, case):
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive:
        return case
    path, method = case.operation.path, case.operation.method.lower()
    known = KNOWN_IDS.get(KNOWN_OBJECT.get(path, ""))
    if known and isinstance(case.path_parameters, dict) and "id" in case.path_parameters and str(meta.phase.name) != "stateful":
        case.path_parameters["id"] = known
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
        if path == "/accounts/{id}/transfer-destinations":
            body["destination_account"] = PARTNER
        if path == "/test-helpers/payments/{id}/receive" and isinstance(body.get("amount"), int) and not isinstance(body.get("amount"), bool):
            body["amount"] = 1 + abs(body["amount"]) % 10
        if path == "/instant-sends":
            _instant_send(body)
        if path == "/withdrawal-links":
            _small(body, 5000)
            _metadata(body)
        if path == "/refunds":
            _refund(body)
            _metadata(body)
        if path == "/webhooks/{id}/redeliver" and "event" in body and KNOWN_IDS.get("/events"):
            body["event"] = KNOWN_IDS["/events"]
    return case
