from django.db import models
from django.db.models import Q


class OutboxTask(models.Model):
    """A Celery task written in the same transaction as the change that needs it (see core.outbox).

    The row exists exactly when the change does; `dispatched_at` is set once the broker has taken
    the message. A row still pending is sent again by `core.tasks.dispatch_pending_tasks`.
    """

    task_name = models.CharField(max_length=200)
    args = models.JSONField(default=list, blank=True)
    kwargs = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "queued task"
        indexes = [
            # The dispatcher looks only at pending rows, oldest first; sent ones are most of the table.
            models.Index(
                fields=["created_at"],
                condition=Q(dispatched_at__isnull=True),
                name="outbox_pending_idx",
            ),
            models.Index(fields=["dispatched_at"], name="outbox_dispatched_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.task_name} #{self.pk}"

    @property
    def is_pending(self) -> bool:
        return self.dispatched_at is None
