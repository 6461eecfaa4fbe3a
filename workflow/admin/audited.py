"""Other apps' models in the admin under the audited base: users, groups, viewflow's processes and
tasks, and django-axes' sign-in records."""

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.db import transaction
from viewflow.workflow.admin import ProcessAdmin, TaskAdmin
from viewflow.workflow.models import Process, Task

from project.admin_base import CHANGED, AuditedAdmin

# Users, groups and viewflow's processes and tasks: their own admins, with the scoped object pages
# and the audit of every change like every other model admin.
for _model in (get_user_model(), Group, Process, Task):
    admin.site.unregister(_model)


@admin.register(Process)
class AuditedProcessAdmin(AuditedAdmin, ProcessAdmin):
    pass


@admin.register(Task)
class AuditedTaskAdmin(AuditedAdmin, TaskAdmin):
    pass


@admin.register(get_user_model())
class AuditedUserAdmin(AuditedAdmin, UserAdmin):
    def user_change_password(self, request, id, form_url=""):
        """The password page saves outside ``save_model``: report the change (never the value)."""
        with transaction.atomic():
            response = super().user_change_password(request, id, form_url)
            if request.method == "POST" and response.status_code == 302:
                user = self.get_object(request, unquote(id))
                self.send_admin_changed(request, CHANGED, user, {"password": "***"}, {"password": "*** (changed)"})
        return response


@admin.register(Group)
class AuditedGroupAdmin(AuditedAdmin, GroupAdmin):
    pass


# django-axes' sign-in records (superusers only: no government admin has permissions on them). Deleting
# an access attempt is how a superuser unlocks a sign-in, so it is audited like every admin change.
for _model, _base in (
    (AccessAttempt, AccessAttemptAdmin),
    (AccessLog, AccessLogAdmin),
    (AccessFailureLog, AccessFailureLogAdmin),
):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
    admin.site.register(_model, type(f"Audited{_base.__name__}", (AuditedAdmin, _base), {}))
