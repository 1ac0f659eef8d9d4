from django.apps import AppConfig


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = "Public website"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from wagtail.models import Page, Site
        from wagtail.signals import post_page_move

        from cms.models import SiteSettings
        from cms.site_facts import site_facts_forget

        # What the header and footer show is cached (cms.site_facts): forget it when it may change.
        for model in (SiteSettings, Site):
            post_save.connect(site_facts_forget, sender=model, dispatch_uid=f"site-facts-{model}")
            post_delete.connect(
                site_facts_forget, sender=model, dispatch_uid=f"site-facts-del-{model}"
            )
        post_delete.connect(site_facts_forget, sender=Page, dispatch_uid="site-facts-page-deleted")
        post_page_move.connect(site_facts_forget, dispatch_uid="site-facts-page-moved")
