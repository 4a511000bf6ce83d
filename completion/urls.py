from django.urls import path

from completion import views

app_name = "completion"
urlpatterns = [
    path("attempts/<int:attempt_id>/submit/", views.submit_attempt, name="submit_attempt"),
    path("report/", views.report, name="report"),
    path("report/<int:unit_id>/", views.unit_report, name="unit_report"),
    path("report/<int:unit_id>/export.csv", views.export, {"kind": "csv"}, name="report_csv"),
    path("report/<int:unit_id>/export.xlsx", views.export, {"kind": "xlsx"}, name="report_xlsx"),
    path("report/exports/<int:job_id>/", views.export_job, name="export_job"),
    path("report/exports/<int:job_id>/download/", views.export_download, name="export_download"),
    path("report/<int:unit_id>/assign/", views.assign, name="assign"),
    path("report/<int:unit_id>/inspection/", views.inspection_pack, name="inspection_pack"),
    path("report/<int:unit_id>/import/", views.import_employees, name="import_employees"),
    path("verify/", views.verify_lookup, name="verify_lookup"),
    path("verify/<str:token>/", views.verify, name="verify"),
    path(
        "modules/<slug:slug>/acknowledge/",
        views.acknowledge,
        name="acknowledge",
    ),
    path(
        "certificates/<str:serial>.pdf",
        views.certificate_pdf,
        name="certificate_pdf",
    ),
    path("certificates/print/", views.bulk_print, name="bulk_print"),
    path(
        "certificates/print/<int:job_id>/",
        views.bulk_print_job,
        name="bulk_print_job",
    ),
    path(
        "certificates/print/<int:job_id>/download/",
        views.bulk_print_download,
        name="bulk_print_download",
    ),
]
