"""Background delivery on RQ: a commit wakes the worker; Redis being down loses nothing."""
from __future__ import annotations

import uuid

from rq import Queue, SimpleWorker
from sqlalchemy import select

from app.extensions import db
from app.models import OutboxMessage, OutboxStatus
from app.notify.outbox import notify
from app.notify.queue import deliver_job, redis_connection
from tests.notify_helpers import free_port, gateway, queued, redis_url  # noqa: F401


def _resident(make):
    resident = make.resident(make.group(), name="Nguyễn Thị Bình", phone="+84912345678")
    make.commit()
    return resident


def test_a_commit_with_messages_wakes_the_worker_which_sends_them(app, make, gateway,
                                                                 redis_url):
    name = f"outbox-test-{uuid.uuid4().hex[:8]}"
    app.config.update(REDIS_URL=redis_url, OUTBOX_QUEUE_NAME=name)
    queue = Queue(name, connection=redis_connection(redis_url))
    binh = _resident(make)
    assert queue.count == 0  # creating people queues no message, so no job

    notify("request_received", resident=binh, context={"code": "T12345"})
    db.session.commit()
    assert [job.func for job in queue.jobs] == [deliver_job]

    SimpleWorker([queue], connection=queue.connection).work(burst=True)
    [sent] = gateway.received("/sms")
    assert "T12345" in sent["json"]["text"]
    db.session.expire_all()
    assert db.session.scalar(select(OutboxMessage.status)) == OutboxStatus.SENT


def test_a_rolled_back_change_enqueues_nothing(app, make, redis_url):
    name = f"outbox-test-{uuid.uuid4().hex[:8]}"
    app.config.update(REDIS_URL=redis_url, OUTBOX_QUEUE_NAME=name)
    binh = _resident(make)
    notify("request_received", resident=binh)
    db.session.rollback()
    db.session.commit()
    assert Queue(name, connection=redis_connection(redis_url)).count == 0


def test_a_failed_send_is_scheduled_for_its_retry(app, make, gateway, redis_url):
    name = f"outbox-test-{uuid.uuid4().hex[:8]}"
    app.config.update(REDIS_URL=redis_url, OUTBOX_QUEUE_NAME=name)
    queue = Queue(name, connection=redis_connection(redis_url))
    gateway.fail_next(1, 503)
    queued("request_received", resident=_resident(make))
    SimpleWorker([queue], connection=queue.connection).work(burst=True)
    assert len(queue.scheduled_job_registry.get_job_ids()) == 1


def test_redis_being_down_does_not_fail_the_change_and_the_timer_sends(app, make, runner,
                                                                       gateway):
    app.config["REDIS_URL"] = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    message = queued("request_received", resident=_resident(make))
    assert db.session.get(OutboxMessage, message.id).status == OutboxStatus.PENDING
    assert runner.invoke(args=["outbox", "deliver"]).exit_code == 0
    assert len(gateway.received("/sms")) == 1


def test_the_worker_command_needs_redis(app, runner):
    app.config["REDIS_URL"] = None
    result = runner.invoke(args=["outbox", "worker", "--burst"])
    assert result.exit_code != 0 and "REDIS_URL" in result.output


def test_the_worker_command_sends_what_waited_while_no_worker_ran(app, make, runner, gateway,
                                                                  redis_url):
    queued("request_received", resident=_resident(make))  # no REDIS_URL yet: no job
    app.config.update(REDIS_URL=redis_url, OUTBOX_QUEUE_NAME=f"outbox-test-{uuid.uuid4().hex}")
    result = runner.invoke(args=["outbox", "worker", "--burst"])
    assert result.exit_code == 0, result.output
    assert len(gateway.received("/sms")) == 1
