"""Shopify's compliance webhooks in the app's terms, and how a stored Shopify payload is cleared
of a customer: which of its keys hold a person's data, and which payloads concern them."""

from __future__ import annotations

from app.domain.errors import InvalidInput
from app.services.privacy import CustomerRequest

# Keys of a webhook payload, at any depth, that hold a person's data: removed on redaction.
PERSONAL_KEYS = frozenset({
    "customer", "email", "contact_email", "phone", "billing_address", "shipping_address",
    "destination", "client_details", "browser_ip", "note", "note_attributes", "customer_locale",
    "first_name", "last_name",
})


def customer_request(payload: dict) -> CustomerRequest:
    """`customers/data_request` and `customers/redact` alike."""
    customer = payload.get("customer") or {}
    if customer.get("id") is None:
        raise InvalidInput("payload names no customer id", field="customer.id")
    email = customer.get("email")
    return CustomerRequest(
        customer_id=str(customer["id"]),
        request_id=str((payload.get("data_request") or {}).get("id") or "") or None,
        order_ids=frozenset(str(o) for o in payload.get("orders_to_redact") or []),
        email=email if isinstance(email, str) else None)


def granted_scopes(payload: dict) -> list[str]:
    """`app/scopes_update`: the scopes the shop grants now."""
    return [str(scope) for scope in payload.get("current") or []]


def scrubbed(body: dict, topic: str, request: CustomerRequest) -> dict | None:
    """A stored payload without the customer's personal keys, or None when it does not concern
    them. It keeps what its handler needs (the order, its lines, a compliance request's ids), so
    the order is still planned when its receipt is handled, without the customer."""
    if not _concerns(body, request):
        return None
    cleaned = _without_personal(body)
    if topic.startswith("customers/"):
        cleaned["customer"] = {"id": request.customer_id}  # all its handler reads
    return cleaned


def _concerns(body: dict, request: CustomerRequest) -> bool:
    customer = body.get("customer") if isinstance(body.get("customer"), dict) else {}
    named = {v for v in (body.get("email"), body.get("contact_email"), customer.get("email"))
             if isinstance(v, str)}
    return (str(customer.get("id")) == request.customer_id or str(body.get("id")) in
            request.order_ids or (request.email is not None and request.email in named))


def _without_personal(value):
    if isinstance(value, dict):
        return {k: _without_personal(v) for k, v in value.items() if k not in PERSONAL_KEYS}
    if isinstance(value, list):
        return [_without_personal(v) for v in value]
    return value
