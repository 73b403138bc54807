"""gunicorn settings for `make serve` (gunicorn -c config/gunicorn.conf.py config.wsgi).

Sized for the busiest page, not the average one: the council workbook download and the first
explanation or dashboard page after a change (a roll-up from scratch) take seconds of CPU on a
city-size plan (`make bench`), while entry saves and list pages take tens of milliseconds.

* workers: one process per CPU core plus one, so a slow page on one worker leaves the others
  answering; more processes than cores only queue for the CPU and multiply memory (each worker holds
  its own figures and caches, beside what it shares with the master: see preload_app).
* threads: 4 per worker, so requests that wait on PostgreSQL or on a slow client overlap; the portal
  is mostly database-bound, and Django's connections are per thread (CONN_MAX_AGE keeps each open).
* preload_app: the portal is loaded once, in the master, with openpyxl (0.2 s to import; the pages
  import it when they first write or read a workbook), and each worker is forked ready from it: a
  worker replaced after max_requests (below) answers its first request as fast as the others, and the
  workers share those pages of memory. So a new release needs gunicorn restarted: HUP forks the
  workers again from the master's copy of the old code.
* timeout: 120 s, well above the slowest page (a workbook or a roll-up from scratch, a few seconds),
  so a real request is never killed, while a hung worker is still replaced within two minutes.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND") or f"127.0.0.1:{os.environ.get('PORT') or 8000}"
workers = int(os.environ.get("GUNICORN_WORKERS") or multiprocessing.cpu_count() + 1)
threads = int(os.environ.get("GUNICORN_THREADS") or 4)
preload_app = True
timeout = 120
graceful_timeout = 30
keepalive = 5
# Restart each worker now and then, so a slow leak cannot grow for four years; jittered so the
# workers do not restart together.
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
errorlog = "-"
# Request time in microseconds (%(D)s) at the end of each access-log line.
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(D)sus "%(a)s"'


def when_ready(server):
    """In the master, after the preloaded portal and before the first worker is forked: openpyxl
    imported, and everything loaded so far frozen (`gc.freeze`), so the workers' collections never
    scan it (nor touch its memory pages, which they share with the master)."""
    import gc

    import openpyxl  # noqa: F401

    gc.freeze()
