"""Campaign pages: a unit's campaigns, launching one, its standings (the
target units ranked by completion rate) and ending it early.

Every view fetches through `completion.access`: the unit for its admin, the
campaign for the admins of its unit or above, a 404 for anyone else.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from completion import access, campaigns
from completion.forms import CampaignForm
from completion.models import Campaign, local_today


@require_GET
def campaign_list(request: HttpRequest, unit_id: int) -> HttpResponse:
    """The campaigns that concern the unit and that the admin may open."""
    unit = access.get_unit_for_admin(request.user, unit_id)
    found = Campaign.objects.relevant_to(unit).administered_by(request.user).select_related("unit")
    today = local_today()
    rows = [(campaign, campaign.state(today)) for campaign in found]
    return render(request, "completion/campaign_list.html", {"unit": unit, "rows": rows})


@require_http_methods(["GET", "POST"])
def campaign_new(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = access.get_unit_for_admin(request.user, unit_id)
    form = CampaignForm(request.POST or None, root=unit)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        launched = campaigns.launch(
            unit=unit,
            name=data["name"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            modules=list(data["modules"]),
            targets=list(data["target_units"]),
            due_date=data["due_date"],
            days_allowed=data["days_allowed"],
            by=request.user,
        )
        messages.success(request, _launched_message(launched, len(data["modules"])))
        return redirect("completion:campaign", campaign_id=launched.campaign.pk)
    status = 400 if form.is_bound else 200  # 400: it did not validate
    return render(
        request, "completion/campaign_new.html", {"unit": unit, "form": form}, status=status
    )


def _launched_message(launched: campaigns.Launched, modules: int) -> str:
    message = _("Campaign created: %(modules)s assigned to %(people)s.") % {
        "modules": ngettext("%(n)d module", "%(n)d modules", modules) % {"n": modules},
        "people": ngettext("%(n)d person", "%(n)d people", launched.people)
        % {"n": launched.people},
    }
    if launched.already:
        message += " " + ngettext(
            "%(n)d of them already had one of these modules.",
            "%(n)d of them already had one of these modules.",
            launched.already,
        ) % {"n": launched.already}
    if launched.existing:
        message += " " + ngettext(
            "%(n)d assignment already existed: it keeps its history, with the campaign's due date.",
            "%(n)d assignments already existed: they keep their history, with the campaign's "
            "due date.",
            launched.existing,
        ) % {"n": launched.existing}
    return message


@require_GET
def campaign(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = access.get_campaign_for_admin(request.user, campaign_id)
    today = local_today()
    context = {
        "campaign": campaign,
        "state": campaign.state(today),
        "standings": campaigns.standings(campaign, today=today),
    }
    return render(request, "completion/campaign.html", context)


@require_http_methods(["GET", "POST"])
def campaign_end(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """End a running campaign early, after a confirmation: its figures stop
    there, its assignments stay."""
    campaign = access.get_campaign_for_admin(request.user, campaign_id)
    if campaign.state() != Campaign.State.RUNNING:
        messages.error(request, _("Only a running campaign can be ended early."))
        return redirect("completion:campaign", campaign_id=campaign.pk)
    if request.method == "POST":
        campaign.end_early(by=request.user)
        messages.success(
            request,
            _(
                "The campaign has ended. Its assignments stay: "
                "the people still have to complete them."
            ),
        )
        return redirect("completion:campaign", campaign_id=campaign.pk)
    return render(request, "completion/campaign_end.html", {"campaign": campaign})
