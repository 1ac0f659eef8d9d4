"""Money's public URLs: giving to a fund, Stripe's webhook, a group's payment set-up and a
funder's view of what their money paid for."""

from django.urls import path

from payments.views import giving, groups, webhooks

app_name = "payments"

urlpatterns = [
    path("funds/<slug:slug>/give/", giving.give, name="give"),
    path("give/thanks/<uuid:token>/", giving.thanks, name="thanks"),
    path("funders/", giving.funder_home, name="funder-home"),
    path("payments/stripe/webhook/", webhooks.stripe_webhook, name="stripe-webhook"),
    path("organisations/<int:pk>/payments/", groups.payment_setup, name="group-payments"),
    path("organisations/<int:pk>/payments/stripe/", groups.stripe_onboard, name="group-stripe"),
    path(
        "organisations/<int:pk>/payments/stripe/back/", groups.stripe_back, name="group-stripe-back"
    ),
]
