"""The enrichment pool: `streams.enrich` off the event loop, in parser processes, with a time budget.

spaCy is CPU work: on the event loop it would starve Faust's heartbeats (the classic rebalance storm),
so it runs in processes (real parallelism; `WORKER_PROCESSES=0`: a thread, for debugging, without time
budgets). A batch that takes longer than its budget, or kills its process (out of memory, a crash in
native code), costs only its culprit: the pool is rebuilt, the batch enriched one article at a time, and
the article that times out or crashes again is rejected (`processing_timeout`, `processing_crashed`),
so it goes to the dead letters instead of stalling every partition of the worker, after every restart.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from streams import enrich
from streams.enrich import Rejected, Result
from streams.settings import Settings

log = logging.getLogger("streams.worker.pool")


Task = Callable[[Sequence[bytes], Mapping[str, str] | None], list[Result]]


class EnrichmentPool:
    """`task` runs in the processes on a batch of raw articles, after `initializer(settings, worker_pid)`
    ran once in each (module-level functions: they are pickled by name)."""

    def __init__(
        self,
        settings: Settings,
        task: Task = enrich.enrich_raw_batch,
        initializer: Callable[[Settings, int | None], None] = enrich.init_process,
    ) -> None:
        self.settings = settings
        self.task = task
        self.initializer = initializer
        self._executor: Executor | None = None

    async def start(self) -> None:
        if self._executor is not None:
            return
        if self.settings.worker_processes > 0:
            # spawn, not fork: a forked child would inherit the worker's sockets (its web port, Kafka
            # connections) and the state of its threads; spawned ones start clean.
            self._executor = ProcessPoolExecutor(
                max_workers=self.settings.worker_processes,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=self.initializer,
                initargs=(self.settings, os.getpid()),
            )
        else:
            self._executor = ThreadPoolExecutor(
                max_workers=1, initializer=self.initializer, initargs=(self.settings, None)
            )
        # Load the model now, not on the first batch, so the first batch does not stall the stream.
        await self._run([], None, timeout=None)

    def budget(self, raws: Sequence[bytes]) -> float:
        """Seconds a batch may take: the per-article budget for each largest-allowed article's worth of bytes."""
        size = sum(len(raw) for raw in raws)
        return self.settings.article_timeout_seconds * max(1.0, size / self.settings.max_article_bytes)

    async def enrich(self, raws: Sequence[bytes], owners: Mapping[str, str] | None = None) -> list[Result]:
        """One result per raw article, in order; never raises for what an article does to the pool.

        `owners`: what the stream knows of people by surname, for these articles (`streams.people`).
        """
        try:
            return await self._run(raws, owners, timeout=self.budget(raws))
        except (TimeoutError, BrokenProcessPool) as exc:
            log.warning("a batch of %d %s; enriching it one article at a time", len(raws), _what(exc))
            await self.restart()
        results: list[Result] = []
        for raw in raws:
            try:
                results += await self._run([raw], owners, timeout=self.budget([raw]))
            except (TimeoutError, BrokenProcessPool) as exc:
                log.error("an article of %d bytes %s: dead-lettered", len(raw), _what(exc))
                results.append(_rejection(exc, self.budget([raw])))
                await self.restart()
        return results

    async def _run(
        self, raws: Sequence[bytes], owners: Mapping[str, str] | None, timeout: float | None
    ) -> list[Result]:
        if self._executor is None:
            await self.start()
        assert self._executor is not None
        work = asyncio.get_running_loop().run_in_executor(self._executor, self.task, raws, owners)
        if timeout is None or isinstance(self._executor, ThreadPoolExecutor):
            return await work  # a thread cannot be stopped: no budget without processes
        return await asyncio.wait_for(work, timeout)

    async def restart(self) -> None:
        """Replace the processes (a stuck one is killed) and load the model in the new ones."""
        await self.stop(kill=True)
        await self.start()

    async def stop(self, kill: bool = False) -> None:
        executor, self._executor = self._executor, None
        if executor is None:
            return
        if kill and isinstance(executor, ProcessPoolExecutor):
            # A process stuck in a parse never returns: shutdown would wait for it forever.
            for process in list((executor._processes or {}).values()):  # type: ignore[attr-defined]
                process.kill()
        # Off the event loop: shutdown joins the processes, which can take a while.
        await asyncio.get_running_loop().run_in_executor(
            None, lambda: executor.shutdown(wait=True, cancel_futures=True)
        )


def _what(exc: BaseException) -> str:
    return "ran out of time" if isinstance(exc, TimeoutError) else f"killed its parser process ({exc!r})"


def _rejection(exc: BaseException, budget: float) -> Rejected:
    if isinstance(exc, TimeoutError):
        return Rejected("processing_timeout", f"enriching it took longer than its budget of {budget:.0f} s")
    return Rejected("processing_crashed", f"its parser process died while enriching it: {exc!r}")
