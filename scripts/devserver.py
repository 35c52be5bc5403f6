"""Run web, Celery worker and Celery beat together for the demo; Ctrl-C stops all three."""

import os
import signal
import subprocess
import sys
import time

PY = sys.executable
COMMANDS = {
    "web": [PY, "manage.py", "runserver", os.environ.get("PORT", "127.0.0.1:8000")],
    "worker": [
        PY,
        "-m",
        "celery",
        "-A",
        "homework_platform",
        "worker",
        "--loglevel=INFO",
        "--concurrency=2",
        "--pool=threads",
    ],
    "beat": [PY, "-m", "celery", "-A", "homework_platform", "beat", "--loglevel=INFO"],
}


def main() -> int:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    processes = {name: subprocess.Popen(cmd) for name, cmd in COMMANDS.items()}  # noqa: S603
    try:
        while True:
            for name, process in processes.items():
                code = process.poll()
                if code is not None:
                    print(f"{name} stopped with exit code {code}; stopping the others.")
                    return code
            time.sleep(1)
    except KeyboardInterrupt:
        return 0
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.terminate()
        for process in processes.values():
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


if __name__ == "__main__":
    sys.exit(main())
