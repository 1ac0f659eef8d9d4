"""Stripe's webhook endpoint: verify, store once, answer at once; a worker does the rest."""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from core.adapters import client_ip
from core.audit import audit_record
from core.models.audit import AuditAction
from payments.services.events import DeliveryRefused, delivery_verify, event_store
from payments.stripe_api import webhooks_configured


@csrf_exempt  # Stripe signs its deliveries instead; the signature is checked before anything else
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    if not webhooks_configured():
        return HttpResponse("Webhooks are not configured.", status=503, content_type="text/plain")
    try:
        event = delivery_verify(request.body, request.headers.get("Stripe-Signature"))
    except DeliveryRefused:
        audit_record(
            actor=None,
            action=AuditAction.SECURITY,
            obj=None,
            detail={
                "event": "stripe_webhook_refused",
                "ip": client_ip(request),
            },
        )
        return HttpResponse("Refused.", status=400, content_type="text/plain")
    event_store(event)
    return HttpResponse(status=200)
