"""Email backends for the reminder tests."""

import os
import smtplib
import time
from pathlib import Path

from django.core.mail.backends import locmem
from django.core.mail.backends.base import BaseEmailBackend


class FailingBackend(BaseEmailBackend):
    """A mail server that is down."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


class BlockingBackend(BaseEmailBackend):
    """For the chaos tests, in a real worker process: each send first writes a marker file
    (the test sees the send has started), then waits while ``$CHAOS_DIR/block`` exists (the
    test kills the worker meanwhile), then records the message as delivered."""

    def send_messages(self, email_messages):
        folder = Path(os.environ["CHAOS_DIR"])
        for message in email_messages:
            message_id = message.extra_headers["Message-ID"]
            marker = folder / f"attempt-{os.getpid()}-{time.monotonic_ns()}"
            marker.write_text(message_id)
            deadline = time.monotonic() + 60
            while (folder / "block").exists() and time.monotonic() < deadline:
                time.sleep(0.05)
            with open(folder / "delivered.log", "a") as log:
                log.write(f"{message_id} {message.to[0]}\n")
        return len(email_messages)


class SessionBackend(locmem.EmailBackend):
    """A mail server reached in sessions, like SMTP: counts the sessions opened, refuses mail
    to the addresses in ``refused`` (and, like smtplib after an error, the caller then closes
    the session). A send without an open session opens one for itself and closes it."""

    sessions = 0
    refused: set = set()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.connected = False

    def open(self):
        if self.connected:
            return False
        self.connected = True
        SessionBackend.sessions += 1
        return True

    def close(self):
        self.connected = False

    def send_messages(self, email_messages):
        opened = self.open()
        try:
            for message in email_messages:
                if message.to[0] in self.refused:
                    raise smtplib.SMTPRecipientsRefused({message.to[0]: (550, b"No such user")})
            return super().send_messages(email_messages)
        finally:
            if opened:
                self.close()
