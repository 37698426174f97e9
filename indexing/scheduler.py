"""APScheduler wiring of the jobs: in the bot process by default, or alone (`python -m bot scheduler`).

Jobs run one at a time per process (one worker thread, coalesced, never overlapping) and one at
a time across processes (each job's Redis lock). Their thread runs at a lower CPU priority, so
queries answered beside a retrain or a rebuild keep their latency.
"""
from __future__ import annotations

import logging

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from indexing.jobs import JobPolicy, interrupted_jobs, run_job
from indexing.priority import background_priority
from indexing.settings import Settings

log = logging.getLogger(__name__)


def policy_from(settings: Settings) -> JobPolicy:
    return JobPolicy(retrain_min_new=settings.retrain_min_new, rebuild_min_deleted=settings.rebuild_min_deleted,
                     members=settings.retrain_members, keep_releases=settings.keep_releases)


class JobScheduler:
    def __init__(self, engine, settings: Settings, blocking: bool = False) -> None:
        self.engine = engine
        self.policy = policy_from(settings)
        cls = BlockingScheduler if blocking else BackgroundScheduler
        self._scheduler = cls(executors={"default": ThreadPoolExecutor(1)},
                              job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None})
        for name, minutes in (("snapshot", settings.snapshot_minutes), ("rebuild", settings.rebuild_minutes),
                              ("retrain", settings.retrain_minutes)):
            if minutes > 0:
                self._scheduler.add_job(self.run, "interval", args=[name], minutes=minutes, id=name, name=name)

    def run(self, name: str, force: bool = False) -> dict:
        background_priority()
        return run_job(self.engine, name, self.policy, force=force)

    def start(self) -> "JobScheduler":
        """Start the timers; jobs a crash interrupted run again at once (blocks if blocking)."""
        for name in interrupted_jobs(self.engine):
            log.warning("job %s was interrupted (its process died); running it again", name)
            self._scheduler.add_job(self.run, args=[name, True], id=f"resume-{name}", name=f"resume {name}")
        jobs = ", ".join(f"{j.name} every {j.trigger.interval}" for j in self._scheduler.get_jobs()
                         if not j.id.startswith("resume-"))
        log.info("scheduler started: %s", jobs or "no periodic jobs")
        self._scheduler.start()
        return self

    def stop(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=True)
