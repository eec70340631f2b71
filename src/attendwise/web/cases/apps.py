from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "attendwise.web.cases"
    label = "cases"
    verbose_name = "Cases: the intervention pathway, tasks and letters"
