from django.urls import path

from completion import campaign_views, views

app_name = "completion"
urlpatterns = [
    path("attempts/<id:attempt_id>/submit/", views.submit_attempt, name="submit_attempt"),
    path("report/", views.report, name="report"),
    path("report/<id:unit_id>/", views.unit_report, name="unit_report"),
    path("report/<id:unit_id>/summary.pdf", views.unit_summary_pdf, name="unit_summary_pdf"),
    path("report/<id:unit_id>/export.csv", views.export, {"kind": "csv"}, name="report_csv"),
    path("report/<id:unit_id>/export.xlsx", views.export, {"kind": "xlsx"}, name="report_xlsx"),
    path("report/exports/<id:job_id>/", views.export_job, name="export_job"),
    path("report/exports/<id:job_id>/download/", views.export_download, name="export_download"),
    path("report/people/<id:employee_id>/", views.person, name="person"),
    path("report/<id:unit_id>/assign/", views.assign, name="assign"),
    path("report/<id:unit_id>/study-hours/", views.unit_study_hours, name="unit_study_hours"),
    path("report/<id:unit_id>/remind/", views.remind_now, name="remind_now"),
    path("report/<id:unit_id>/campaigns/", campaign_views.campaign_list, name="campaigns"),
    path("report/<id:unit_id>/campaigns/new/", campaign_views.campaign_new, name="campaign_new"),
    path("campaigns/<id:campaign_id>/", campaign_views.campaign, name="campaign"),
    path("campaigns/<id:campaign_id>/end/", campaign_views.campaign_end, name="campaign_end"),
    path(
        "report/<id:unit_id>/people/<id:employee_id>/invite/",
        views.send_invitation,
        name="send_invitation",
    ),
    path(
        "report/<id:unit_id>/assign/people/",
        views.assign_people_search,
        name="assign_people_search",
    ),
    path("report/<id:unit_id>/inspection/", views.inspection_pack, name="inspection_pack"),
    path("report/<id:unit_id>/import/", views.import_employees, name="import_employees"),
    path(
        "report/<id:unit_id>/import/template.csv",
        views.import_template,
        name="import_template",
    ),
    path("training/record/", views.annual_record, name="annual_record_now"),
    path("training/record/<year:year>/", views.annual_record, name="annual_record"),
    path("training/record/<year:year>.pdf", views.annual_record_pdf, name="annual_record_pdf"),
    path("verify/", views.verify_lookup, name="verify_lookup"),
    path("verify/<token:token>/", views.verify, name="verify"),
    path(
        "modules/<slug:slug>/acknowledge/",
        views.acknowledge,
        name="acknowledge",
    ),
    path(
        "certificates/<serial:serial>.pdf",
        views.certificate_pdf,
        name="certificate_pdf",
    ),
    path("certificates/print/", views.bulk_print, name="bulk_print"),
    path(
        "certificates/print/<id:job_id>/",
        views.bulk_print_job,
        name="bulk_print_job",
    ),
    path(
        "certificates/print/<id:job_id>/download/",
        views.bulk_print_download,
        name="bulk_print_download",
    ),
]
