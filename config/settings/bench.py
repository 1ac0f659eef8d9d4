"""Production settings served over plain HTTP on loopback, with a bare view to compare against."""

from .production import *  # noqa: F403

SECURE_SSL_REDIRECT = False
ROOT_URLCONF = "config.urls_bench"
