"""A flow with the appraisal's human steps and nothing else: the baseline of bench.lifecycle."""

from viewflow import this
from viewflow.workflow import flow, lock


class BareFlow(flow.Flow):
    """Bare appraisal steps"""

    lock_impl = lock.select_for_update_lock

    start = flow.StartHandle(this.begin).Next(this.draft_plan)
    draft_plan = flow.View(lambda request: None).Assign(this.owner).Next(this.approve_plan)
    approve_plan = flow.View(lambda request: None).Assign(this.owner).Next(this.self_review)
    self_review = flow.View(lambda request: None).Assign(this.owner).Next(this.review)
    review = flow.View(lambda request: None).Assign(this.owner).Next(this.final_self_review)
    final_self_review = flow.View(lambda request: None).Assign(this.owner).Next(this.final_review)
    final_review = flow.View(lambda request: None).Assign(this.owner).Next(this.score)
    score = flow.Function(this.noop).Next(this.publish)
    publish = flow.Function(this.noop).Next(this.end)
    end = flow.End()

    def begin(self, activation, user):
        activation.process.data = {"owner": user.pk}
        activation.process.save()
        return activation.process

    def owner(self, activation):
        from django.contrib.auth import get_user_model

        return get_user_model().objects.get(pk=activation.process.data["owner"])

    def noop(self, activation):
        return None


# The human steps of the bare flow, in order: what bench.lifecycle and bench.steps take each
# process through after its start.
BARE_STEPS = (
    BareFlow.draft_plan,
    BareFlow.approve_plan,
    BareFlow.self_review,
    BareFlow.review,
    BareFlow.final_self_review,
    BareFlow.final_review,
)
