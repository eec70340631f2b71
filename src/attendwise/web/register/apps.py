from django.apps import AppConfig


class RegisterConfig(AppConfig):
    name = "attendwise.web.register"
    label = "register"
    verbose_name = "Register: schools, pupils, contacts and marks"
