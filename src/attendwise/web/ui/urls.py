from __future__ import annotations

from django.urls import URLPattern, path

from attendwise.web.ui.views import (
    imports,
    letters,
    overview,
    pupils,
    signin,
    tasks,
    worklist,
)

app_name = "ui"

urlpatterns: list[URLPattern] = [
    path("", worklist.home, name="home"),
    path("sign-in/", signin.sign_in, name="sign-in"),
    path("sign-out/", signin.sign_out, name="sign-out"),
    path("worklist/", worklist.worklist_page, name="worklist"),
    path("pupils/", pupils.pupil_list, name="pupils"),
    path("pupils/<int:pupil_id>/", pupils.pupil_page, name="pupil"),
    path(
        "pupils/<int:pupil_id>/contacts/<int:contact_id>/",
        pupils.contact_settings_page,
        name="contact-settings",
    ),
    path("pupils/<int:pupil_id>/action/", tasks.case_action_page, name="case-action"),
    path("items/<int:task_id>/", tasks.task_page, name="task"),
    path("letters/", letters.letters_page, name="letters"),
    path("letters/<int:letter_id>.pdf", letters.letter_pdf, name="letter-pdf"),
    path("letters/approve/preview/", letters.bulk_preview, name="bulk-preview"),
    path("letters/approve/", letters.bulk_approve, name="bulk-approve"),
    path("letters/print/", letters.print_run_create, name="print-run"),
    path("letters/print/<int:run_id>.pdf", letters.print_run_pdf, name="print-run-pdf"),
    path("letters/wording/<str:kind>/", letters.template_edit, name="template"),
    path(
        "letters/wording/<str:kind>/preview/",
        letters.template_preview,
        name="template-preview",
    ),
    path("import/", imports.import_page, name="import"),
    path("import/jobs/<int:job_id>/", imports.import_job, name="import-job"),
    path("import/jobs/<int:job_id>/apply/", imports.import_apply, name="import-apply"),
    path("dashboard/", overview.dashboard_page, name="dashboard"),
    path("policy/", overview.policy_page, name="policy"),
    path("audit/", overview.audit_page, name="audit"),
]
