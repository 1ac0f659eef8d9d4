from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from cms.site_facts import site_facts


def site(request: HttpRequest) -> dict:
    """`site_facts` for templates: the council's name and the rest the header and footer show."""
    return {"site_facts": SimpleLazyObject(lambda: site_facts(request))}
