from django.apps import AppConfig


class UiConfig(AppConfig):
    name = "attendwise.web.ui"
    label = "ui"
    verbose_name = "Staff web application"
