#!/usr/bin/env python
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "homework_platform.settings")
    # manage.py is the developer's tool: in a fresh checkout `makemigrations --check` and
    # friends work with no configuration. Production sets DJANGO_DEBUG=0 (.env.example, the
    # compose file); the web server, worker and beat do not start here and default to 0.
    os.environ.setdefault("DJANGO_DEBUG", "1")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
