"""A small stand-in for Stripe's API, so the test suite never reaches Stripe.

`FakeStripe` serves the handful of endpoints Seedbed uses over real HTTP on 127.0.0.1, in Stripe's
wire format (form-encoded nested parameters in, JSON out), so the code under test runs through the
real stripe-python client, its error classes and its idempotency keys. Tests drive Stripe's side of
things (a family paying, a Bacs debit clearing, an organisation finishing onboarding) with helpers
such as `pay_session` and `enable_account`, and inject failures with `fail_next`.
"""

import copy
import itertools
import json
import operator
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import stripe

FAILURE_MODES = ("timeout_after_apply", "500", "card_declined")


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    params: dict[str, Any]
    idempotency_key: str | None


class StripeError(Exception):
    """Raised inside an endpoint to answer with a Stripe-shaped error body."""

    def __init__(
        self, status: int, error_type: str, message: str, code: str | None = None, param=None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.body = {"error": {"type": error_type, "code": code, "message": message}}
        if param:
            self.body["error"]["param"] = param


def parse_stripe_params(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Turn `a[b][0][c]=1` style pairs into nested dicts and lists, as Stripe's server does."""
    root: dict[str, Any] = {}
    for key, value in pairs:
        head = key.split("[", 1)[0]
        parts = [head, *re.findall(r"\[([^\]]*)\]", key[len(head) :])]
        node = root
        for depth, part in enumerate(parts):
            # `expand[]` style keys append; stripe-python itself sends `expand[0]`.
            part = part or str(len(node))
            if depth == len(parts) - 1:
                node[part] = value
            else:
                node = node.setdefault(part, {})
    return _listify(root)


def _listify(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    converted = {key: _listify(item) for key, item in value.items()}
    if converted and sorted(converted) == sorted(str(i) for i in range(len(converted))):
        return [converted[str(i)] for i in range(len(converted))]
    return converted


def stripe_fee(amount: int) -> int:
    """The fee the fake charges on a card payment: 1.5% + 20p, rounded half up."""
    return (amount * 15 + 500) // 1000 + 20


def _now() -> int:
    return int(time.time())


def _invalid(message: str, code: str | None = None, param: str | None = None) -> StripeError:
    return StripeError(400, "invalid_request_error", message, code, param)


def _required(params: dict[str, Any], name: str) -> Any:
    if params.get(name) in (None, ""):
        raise _invalid(f"Missing required param: {name}.", "parameter_missing", name)
    return params[name]


def _amount(value: Any, name: str = "amount") -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise _invalid(f"Invalid integer: {value}", "parameter_invalid_integer", name) from None


class FakeStripe:
    """A threaded HTTP server that behaves enough like Stripe for Seedbed's payment tests."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._ids = itertools.count(1)
        # (method, path with `{id}` for an object id, endpoint)
        routes: list[tuple[str, str, Callable[..., dict]]] = [
            ("POST", "/v1/checkout/sessions", self._create_session),
            ("GET", "/v1/checkout/sessions/{id}", self._get_session),
            ("POST", "/v1/accounts", self._create_account),
            ("GET", "/v1/accounts/{id}", self._get_account),
            ("POST", "/v1/account_links", self._create_account_link),
            ("POST", "/v1/transfers", self._create_transfer),
            ("GET", "/v1/transfers/{id}", self._get_transfer),
            ("POST", "/v1/transfers/{id}/reversals", self._create_reversal),
            ("GET", "/v1/balance_transactions", self._list_balance_transactions),
            ("POST", "/v1/refunds", self._create_refund),
            ("GET", "/v1/charges/{id}", self._get_charge),
        ]
        self._routes = [
            (method, re.compile(path.replace("{id}", r"(?P<object_id>\w+)")), endpoint)
            for method, path, endpoint in routes
        ]
        self.reset()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    # ----- life cycle -----------------------------------------------------------------------

    def reset(self) -> None:
        """Forget everything, so each test starts with an empty Stripe account."""
        with self._lock:
            self.requests: list[RecordedRequest] = []
            self.sessions: dict[str, dict] = {}
            self.payment_intents: dict[str, dict] = {}
            self.charges: dict[str, dict] = {}
            self.accounts: dict[str, dict] = {}
            self.transfers: dict[str, dict] = {}
            self.reversals: dict[str, dict] = {}
            self.refunds: dict[str, dict] = {}
            self.balance_transactions: dict[str, dict] = {}
            self._idempotent: dict[str, tuple[tuple, int, dict]] = {}
            self._failures: list[dict[str, Any]] = []

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def fail_next(self, method: str, path_prefix: str, mode: str, times: int = 1) -> None:
        """Make the next `times` matching requests fail.

        "timeout_after_apply": the change is made and its idempotent response stored, then the
            connection is closed unanswered, so the client raises APIConnectionError not knowing
            whether it worked. A retry with the same idempotency key gets the stored response.
        "500": answer 500 api_error without applying anything; nothing is stored against the
            idempotency key (the failure is before Stripe began the work), so a retry proceeds.
        "card_declined": answer 402 card_error / card_declined without applying anything.
        """
        if mode not in FAILURE_MODES:
            raise ValueError(f"Unknown failure mode {mode!r}; choose from {FAILURE_MODES}.")
        with self._lock:
            self._failures.append(
                {"method": method.upper(), "prefix": path_prefix, "mode": mode, "left": times}
            )

    # ----- Stripe's side, for tests to drive ------------------------------------------------

    def pay_session(
        self, session_id: str, *, payment_status: str = "paid", amount_total: int | None = None
    ) -> dict:
        """The payer completes Checkout. "unpaid" is a Bacs Direct Debit still to clear: the
        session completes unpaid and no money (no balance transaction) exists until
        `async_succeed`. `amount_total` overrides what was actually paid."""
        with self._lock:
            session = self.sessions[session_id]
            amount = session["amount_total"] if amount_total is None else amount_total
            paid = payment_status == "paid"
            intent = self._store(
                self.payment_intents,
                "pi",
                object="payment_intent",
                amount=amount,
                currency=session["currency"],
                status="succeeded" if paid else "processing",
                metadata=dict(session["_payment_intent_metadata"]),
                latest_charge=None,
            )
            charge = self._store(
                self.charges,
                "ch",
                object="charge",
                amount=amount,
                amount_refunded=0,
                currency=session["currency"],
                payment_intent=intent["id"],
                status="pending",
                paid=False,
                refunded=False,
                balance_transaction=None,
                metadata=dict(intent["metadata"]),
            )
            intent["latest_charge"] = charge["id"]
            session.update(
                status="complete",
                payment_status=payment_status,
                payment_intent=intent["id"],
                amount_total=amount,
            )
            if paid:
                self._settle_charge(charge)
            return self._public(session)

    def async_succeed(self, session_id: str) -> dict:
        """A delayed (Bacs) payment clears: the money arrives, less the fee."""
        with self._lock:
            session = self.sessions[session_id]
            intent = self.payment_intents[session["payment_intent"]]
            intent["status"] = "succeeded"
            session["payment_status"] = "paid"
            self._settle_charge(self.charges[intent["latest_charge"]])
            return self._public(session)

    def async_fail(self, session_id: str) -> dict:
        """A delayed (Bacs) payment bounces: the session stays complete and unpaid."""
        with self._lock:
            session = self.sessions[session_id]
            intent = self.payment_intents[session["payment_intent"]]
            intent["status"] = "requires_payment_method"
            self.charges[intent["latest_charge"]].update(status="failed", paid=False)
            return self._public(session)

    def enable_account(self, account_id: str) -> dict:
        """The organisation finishes Stripe's onboarding and can be paid."""
        with self._lock:
            account = self.accounts[account_id]
            account.update(charges_enabled=True, payouts_enabled=True, details_submitted=True)
            account["capabilities"] = dict.fromkeys(account["capabilities"], "active")
            return self._public(account)

    def refund(self, payment_intent_id: str, amount: int | None = None) -> dict:
        """A refund made outside Seedbed (say, in Stripe's dashboard)."""
        with self._lock:
            return self._refund(payment_intent_id, amount, {})

    def add_balance_transaction(self, **fields: Any) -> dict:
        """Plant a balance transaction directly, to make Stripe's ledger drift from ours."""
        with self._lock:
            amount = int(fields.pop("amount", 0))
            fee = int(fields.pop("fee", 0))
            created = fields.pop("created", _now())
            fields.pop("id", None)
            defaults = {
                "type": "charge",
                "source": None,
                "currency": "gbp",
                "net": amount - fee,
                "status": "available",
                "description": None,
            }
            txn = self._store(
                self.balance_transactions,
                "txn",
                object="balance_transaction",
                amount=amount,
                fee=fee,
                created=created,
                available_on=created,
                **{**defaults, **fields},
            )
            return self._public(txn)

    def event(
        self,
        type: str,
        data_object: dict,
        *,
        event_id: str | None = None,
        created: int | None = None,
    ) -> dict:
        """An event payload as Stripe would deliver it to the webhook endpoint."""
        return {
            "id": event_id or self._new_id("evt"),
            "object": "event",
            "type": type,
            "created": _now() if created is None else created,
            "data": {"object": copy.deepcopy(data_object)},
            "livemode": False,
            "api_version": stripe.api_version,
            "pending_webhooks": 1,
        }

    # ----- request handling ------------------------------------------------------------------

    def handle(
        self, method: str, path: str, params: dict, key: str | None
    ) -> tuple[int, dict, bool]:
        """Answer one request: (status, body, drop_connection)."""
        with self._lock:
            self.requests.append(RecordedRequest(method, path, params, key))
            use_key = bool(key) and method == "POST"
            stored = self._idempotent.get(key) if use_key else None
            if stored and stored[0] != (method, path, params):
                error = StripeError(
                    400,
                    "idempotency_error",
                    "Keys for idempotent requests can only be used with the same parameters "
                    "they were first used with.",
                )
                return error.status, error.body, False
            mode = self._take_failure(method, path)
            if mode == "500":
                return 500, StripeError(500, "api_error", "Something went wrong.").body, False
            if stored:
                return stored[1], stored[2], mode == "timeout_after_apply"
            if mode == "card_declined":
                error = StripeError(402, "card_error", "Your card was declined.", "card_declined")
                status, body = error.status, error.body
            else:
                status, body = self._route(method, path, params)
            # Stripe keeps the result once an endpoint has run; refused or invalid requests
            # (other 4xx) are not stored, so they can be corrected and retried with the same key.
            if use_key and status in (200, 402):
                self._idempotent[key] = ((method, path, params), status, body)
            return status, body, mode == "timeout_after_apply"

    def _take_failure(self, method: str, path: str) -> str | None:
        for failure in self._failures:
            if failure["method"] == method and path.startswith(failure["prefix"]):
                failure["left"] -= 1
                if failure["left"] <= 0:
                    self._failures.remove(failure)
                return failure["mode"]
        return None

    def _route(self, method: str, path: str, params: dict) -> tuple[int, dict]:
        for route_method, pattern, endpoint in self._routes:
            match = pattern.fullmatch(path)
            if route_method == method and match:
                try:
                    return 200, endpoint(params, **match.groupdict())
                except StripeError as error:
                    return error.status, error.body
                except (AttributeError, KeyError, TypeError, ValueError) as error:
                    # Malformed parameters the fake does not check one by one.
                    return 400, _invalid(repr(error)).body
        return 404, StripeError(
            404, "invalid_request_error", f"Unrecognized request URL ({method}: {path})."
        ).body

    # ----- endpoints ------------------------------------------------------------------------

    def _create_session(self, params: dict) -> dict:
        if params.get("mode") != "payment":
            raise _invalid("Only mode=payment is faked.", param="mode")
        line_items = _required(params, "line_items")
        amount_total, currency = 0, None
        for item in line_items:
            price = item.get("price_data") or {}
            amount_total += _amount(price.get("unit_amount")) * _amount(item.get("quantity", 1))
            currency = price.get("currency", currency)
        session = self._store(
            self.sessions,
            "cs_test",
            object="checkout.session",
            mode="payment",
            amount_total=amount_total,
            currency=currency,
            status="open",
            payment_status="unpaid",
            payment_intent=None,
            metadata=params.get("metadata", {}),
            client_reference_id=params.get("client_reference_id"),
            customer_email=params.get("customer_email"),
            success_url=_required(params, "success_url"),
            cancel_url=params.get("cancel_url"),
            payment_method_types=params.get("payment_method_types", ["card"]),
            expires_at=_now() + 24 * 3600,
            _payment_intent_metadata=params.get("payment_intent_data", {}).get("metadata", {}),
        )
        session["url"] = f"https://checkout.stripe.test/c/pay/{session['id']}"
        return self._public(session)

    def _get_session(self, params: dict, object_id: str) -> dict:
        return self._expand(
            self._public(self._find(self.sessions, object_id, "checkout.session")), params
        )

    def _get_charge(self, params: dict, object_id: str) -> dict:
        return self._expand(self._public(self._find(self.charges, object_id, "charge")), params)

    def _create_account(self, params: dict) -> dict:
        requested = params.get("capabilities", {})
        account = self._store(
            self.accounts,
            "acct",
            object="account",
            type=params.get("type", "express"),
            country=params.get("country", "GB"),
            email=params.get("email"),
            metadata=params.get("metadata", {}),
            capabilities=dict.fromkeys(requested, "inactive"),
            charges_enabled=False,
            payouts_enabled=False,
            details_submitted=False,
        )
        return self._public(account)

    def _get_account(self, params: dict, object_id: str) -> dict:
        return self._public(self._find(self.accounts, object_id, "account"))

    def _create_account_link(self, params: dict) -> dict:
        account = self._find(self.accounts, _required(params, "account"), "account", "account")
        return {
            "object": "account_link",
            "created": _now(),
            "expires_at": _now() + 300,
            "url": f"https://connect.stripe.test/setup/e/{account['id']}/{secrets.token_hex(6)}",
        }

    def _create_transfer(self, params: dict) -> dict:
        amount = _amount(_required(params, "amount"))
        destination = self._find(
            self.accounts, _required(params, "destination"), "destination", "destination"
        )
        if not destination["payouts_enabled"]:
            raise _invalid(
                "Your destination account needs to have at least one of the following "
                "capabilities enabled: transfers, legacy_payments",
                "insufficient_capabilities_for_transfer",
                "destination",
            )
        transfer = self._store(
            self.transfers,
            "tr",
            object="transfer",
            amount=amount,
            amount_reversed=0,
            currency=_required(params, "currency"),
            destination=destination["id"],
            transfer_group=params.get("transfer_group"),
            metadata=params.get("metadata", {}),
            description=params.get("description"),
            reversed=False,
        )
        txn = self.add_balance_transaction(
            amount=-amount, type="transfer", source=transfer["id"], currency=transfer["currency"]
        )
        transfer["balance_transaction"] = txn["id"]
        return self._public(transfer)

    def _get_transfer(self, params: dict, object_id: str) -> dict:
        transfer = self._public(self._find(self.transfers, object_id, "transfer"))
        reversals = [r for r in self.reversals.values() if r["transfer"] == object_id]
        transfer["reversals"] = {"object": "list", "data": [self._public(r) for r in reversals]}
        return transfer

    def _create_reversal(self, params: dict, object_id: str) -> dict:
        transfer = self._find(self.transfers, object_id, "transfer")
        remaining = transfer["amount"] - transfer["amount_reversed"]
        amount = _amount(params.get("amount", remaining))
        if not 0 < amount <= remaining:
            raise _invalid(
                f"You can only reverse up to {remaining} on this transfer.", param="amount"
            )
        reversal = self._store(
            self.reversals,
            "trr",
            object="transfer_reversal",
            amount=amount,
            currency=transfer["currency"],
            transfer=transfer["id"],
            metadata=params.get("metadata", {}),
        )
        txn = self.add_balance_transaction(
            amount=amount,
            type="transfer_refund",
            source=reversal["id"],
            currency=reversal["currency"],
        )
        reversal["balance_transaction"] = txn["id"]
        transfer["amount_reversed"] += amount
        transfer["reversed"] = transfer["amount_reversed"] >= transfer["amount"]
        return self._public(reversal)

    def _list_balance_transactions(self, params: dict) -> dict:
        rows = list(reversed(self.balance_transactions.values()))
        # Newest first, as Stripe lists; among equal timestamps the later-made comes first.
        rows.sort(key=lambda row: row["created"], reverse=True)
        created = params.get("created")
        if isinstance(created, dict):
            bounds = {op: int(value) for op, value in created.items()}
            rows = [row for row in rows if _within(row["created"], bounds)]
        elif created is not None:
            rows = [row for row in rows if row["created"] == int(created)]
        for name in ("type", "source"):
            if params.get(name):
                rows = [row for row in rows if row[name] == params[name]]
        if params.get("starting_after"):
            ids = [row["id"] for row in rows]
            rows = rows[ids.index(params["starting_after"]) + 1 :]
        limit = min(_amount(params.get("limit", 10), "limit"), 100)
        page = {
            "object": "list",
            "url": "/v1/balance_transactions",
            "has_more": len(rows) > limit,
            "data": [self._public(row) for row in rows[:limit]],
        }
        return self._expand(page, params)

    def _create_refund(self, params: dict) -> dict:
        amount = params.get("amount")
        return self._refund(
            _required(params, "payment_intent"),
            None if amount is None else _amount(amount),
            params.get("metadata", {}),
        )

    # ----- shared workings ------------------------------------------------------------------

    def _new_id(self, prefix: str) -> str:
        return f"{prefix}_{next(self._ids):06d}{secrets.token_hex(7)}"

    def _store(self, table: dict[str, dict], prefix: str, **fields: Any) -> dict:
        record = {"id": self._new_id(prefix), "created": _now(), "livemode": False, **fields}
        table[record["id"]] = record
        return record

    @staticmethod
    def _public(record: dict) -> dict:
        """A copy fit to send: private bookkeeping fields (leading underscore) left out."""
        return {key: copy.deepcopy(value) for key, value in record.items() if key[0] != "_"}

    @staticmethod
    def _find(table: dict[str, dict], object_id: str, noun: str, param: str | None = None) -> dict:
        if object_id not in table:
            raise StripeError(
                400 if param else 404,
                "invalid_request_error",
                f"No such {noun}: '{object_id}'",
                "resource_missing",
                param or "id",
            )
        return table[object_id]

    def _settle_charge(self, charge: dict) -> None:
        charge.update(status="succeeded", paid=True)
        fee = stripe_fee(charge["amount"])
        txn = self.add_balance_transaction(
            amount=charge["amount"],
            fee=fee,
            type="charge",
            source=charge["id"],
            currency=charge["currency"],
            status="pending",
        )
        charge["balance_transaction"] = txn["id"]

    def _refund(self, payment_intent_id: str, amount: int | None, metadata: dict) -> dict:
        intent = self._find(
            self.payment_intents, payment_intent_id, "payment_intent", "payment_intent"
        )
        charge = self.charges[intent["latest_charge"]]
        remaining = charge["amount"] - charge["amount_refunded"]
        amount = remaining if amount is None else amount
        if charge["status"] != "succeeded" or not 0 < amount <= remaining:
            raise _invalid(
                f"Cannot refund {amount}: {remaining} is refundable.", "amount_too_large", "amount"
            )
        refund = self._store(
            self.refunds,
            "re",
            object="refund",
            amount=amount,
            currency=charge["currency"],
            payment_intent=intent["id"],
            charge=charge["id"],
            status="succeeded",
            metadata=metadata,
        )
        txn = self.add_balance_transaction(
            amount=-amount, type="refund", source=refund["id"], currency=refund["currency"]
        )
        refund["balance_transaction"] = txn["id"]
        charge["amount_refunded"] += amount
        charge["refunded"] = charge["amount_refunded"] >= charge["amount"]
        return self._public(refund)

    def _expand(self, body: dict, params: dict) -> dict:
        """Swap ids for objects along each `expand[]` path, such as `data.source`."""
        for path in params.get("expand", []):
            self._expand_path(body, path.split("."))
        return body

    def _expand_path(self, node: Any, fields: list[str]) -> None:
        if isinstance(node, list):
            for item in node:
                self._expand_path(item, fields)
            return
        if not isinstance(node, dict) or fields[0] not in node:
            return
        if len(fields) > 1:
            self._expand_path(node[fields[0]], fields[1:])
            return
        object_id = node[fields[0]]
        for table in (self.payment_intents, self.charges, self.transfers, self.reversals,
                      self.refunds, self.accounts, self.sessions):  # fmt: skip
            if isinstance(object_id, str) and object_id in table:
                node[fields[0]] = self._public(table[object_id])


_COMPARISONS = {"gte": operator.ge, "gt": operator.gt, "lte": operator.le, "lt": operator.lt}


def _within(created: int, bounds: dict[str, int]) -> bool:
    return all(_COMPARISONS[op](created, limit) for op, limit in bounds.items())


def _handler_for(fake: FakeStripe) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            url = urlsplit(self.path)
            if self.command == "POST":
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode()
            else:
                raw = url.query
            params = parse_stripe_params(parse_qsl(raw, keep_blank_values=True))
            key = self.headers.get("Idempotency-Key")
            status, body, drop = fake.handle(self.command, url.path, params, key)
            if drop:
                # Say nothing and hang up: the client cannot tell whether the change happened.
                self.close_connection = True
                return
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.send_header("Request-Id", f"req_{secrets.token_hex(7)}")
            if key:
                self.send_header("Idempotency-Key", key)
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep test output quiet

    return Handler
