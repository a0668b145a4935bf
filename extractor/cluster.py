"""The batch on a Dask cluster: each file one task, run by the workers, results written by them.

Needs the ``cluster`` extra (``pip install '.[cluster]'``) and a folder every worker can write to (the
dataset folder on a shared file system); a file's bytes travel with its task, so inputs need not be shared.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from extractor.errors import SettingsError
from extractor.task import Source, process


def run_on_cluster(tasks: list[dict[str, Any]], scheduler: str, finished: Callable[[dict[str, Any]], None]) -> None:
    """Run ``tasks`` (see :func:`extractor.task.process`) on the scheduler at ``scheduler``; report each as it ends."""
    try:
        from dask.distributed import Client, as_completed
    except ImportError as e:
        raise SettingsError("running on a cluster needs Dask: pip install 'budget-disclosure-extractor[cluster]'") from e

    with Client(scheduler) as client:
        futures = []
        for task in tasks:
            if task.get("data") is None:
                task = {**task, "data": Source(task["path"], task.get("archive"), task.get("member"), task.get("index")).read()}
            futures.append(client.submit(process, task, pure=False, key=f"extract-{task['out'].rsplit('/', 1)[-1]}"))
        for future in as_completed(futures):
            finished(future.result())
