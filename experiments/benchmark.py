"""Speed and memory benchmark behind ``make bench``.

Measures, each in a fresh subprocess so that peak memory is clean:

* hikisim at 100,000 youths: building the model (population, social graph, kernel and
  Mesa agents), stepping a warm model (youth-weeks per second), and peak memory;
* the same warm stepping at 10,000 youths, where the cost per week rather than per youth
  decides the speed;
* Mesa's own ``virus_on_network`` example (1,000 nodes, average degree 10, 100 steps)
  as the reference for idiomatic per-agent Mesa speed;
* one default run (the calendar burn-in plus the 10-year horizon) at the default size
  and at a million people, with the million-person build's time and peak memory;
* start-up (importing the package) apart from the stepping figures.

Then it adds the rows of the optional sibling modules ``bench_sweep.py`` and
``bench_dashboard.py`` (each exposes ``run() -> list[dict]``), prints one markdown table
and writes it, with the machine and the command, to ``docs/performance.md``. Every run
also appends its headline figures to a log next to that page
(``docs/performance-history.csv``, see ``bench_history.py``), and the page shows the
logged runs of the same code with each figure's run-to-run range.

Usage::

    .venv/bin/python experiments/benchmark.py            # full run, writes docs/performance.md
    .venv/bin/python experiments/benchmark.py --quick    # smoke run, writes nothing
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import bench_history

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = ROOT / "docs" / "performance.md"
# The run log, written next to the page (bench_history.py).
HISTORY_NAME = "performance-history.csv"
EXTRA_MODULES = ("bench_sweep", "bench_dashboard")
WORKER_TIMEOUT_S = 900

# Targets from the speed-and-memory section of the core issue and from the speed issue
# (ratios in the same run as the Mesa reference; the million-person build and run).
BUILD_TARGET_S = 15.0
MEMORY_TARGET_MB = 3 * 1024
RATIO_TARGET = 50.0
SMALL_RATIO_TARGET = 20.0
MILLION_BUILD_TARGET_S = 20.0
MILLION_RUN_TARGET_S = 180.0

Row = dict[str, Any]


@dataclass(frozen=True)
class Config:
    """Sizes of one benchmark run.

    Attributes:
        youths: Population size of the hikisim model.
        small_youths: Population size of the second, small warm model.
        million_people: Population size of the large default run.
        warmup_weeks: Weeks stepped, untimed, before timing (prevalence builds up).
        timed_weeks: Weeks timed on the warm model.
        block_weeks: Timed weeks are measured in blocks of this many weeks, one block of
            each model per round, next to one Mesa run.
        seed: Seed of the hikisim model and first seed of the Mesa runs.
        mesa_nodes: Nodes of Mesa's virus_on_network model.
        mesa_degree: Average node degree of its Erdős-Rényi graph.
        mesa_steps: Steps of each Mesa run (one run per round, with seeds ``seed``,
            ``seed + 1``, ...).
    """

    youths: int = 100_000
    small_youths: int = 10_000
    million_people: int = 1_000_000
    warmup_weeks: int = 260
    timed_weeks: int = 260
    block_weeks: int = 26
    seed: int = 1
    mesa_nodes: int = 1_000
    mesa_degree: float = 10.0
    mesa_steps: int = 100

    def __post_init__(self) -> None:
        if self.block_weeks < 1 or self.timed_weeks < self.block_weeks:
            raise ValueError("benchmark config: timed_weeks must hold at least one block")
        if self.timed_weeks % self.block_weeks:
            raise ValueError("benchmark config: timed_weeks must be a whole number of blocks")

    @property
    def rounds(self) -> int:
        """Interleaved rounds: one block of each model and one Mesa run each."""
        return self.timed_weeks // self.block_weeks


FULL = Config()
QUICK = Config(
    youths=10_000,
    small_youths=2_000,
    million_people=4_000,
    warmup_weeks=26,
    timed_weeks=26,
    block_weeks=13,
    mesa_nodes=200,
    mesa_steps=20,
)


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MiB (Linux reports KiB)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 if sys.platform != "darwin" else peak / 2**20


def script_command(role: str, name: str, quick: bool) -> list[str]:
    """The command that runs this script as one worker or server in a fresh interpreter.

    Args:
        role: ``--worker`` or ``--serve``.
        name: The worker's or server's name.
        quick: Run the quick configuration.
    """
    command = [sys.executable, str(Path(__file__).resolve()), role, name]
    return [*command, "--quick"] if quick else command


# --------------------------------------------------------------------------- workers
# Each worker runs in its own interpreter, prints one JSON object and exits; the stepping
# servers below stay alive and answer one command at a time.


def _timed(record: dict[str, float], key: str, func: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap ``func`` so that its run time is added to ``record[key]``."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return func(*args, **kwargs)
        finally:
            record[key] = record.get(key, 0.0) + time.perf_counter() - start

    return wrapper


def build_warm(config: Config, youths: int) -> tuple[Any, dict[str, Any]]:
    """Build a hikisim model and step it through the untimed warm-up weeks.

    Args:
        config: The benchmark sizes.
        youths: Population size.

    Returns:
        The warm model and what was measured on the way: import, build (with its parts)
        and warm-up times, and the peak memory after the build.
    """
    start = time.perf_counter()
    import hikisim.model as model_module
    from hikisim import HikiModel
    from hikisim.scenario import Scenario

    import_s = time.perf_counter() - start
    scenario = Scenario().with_overrides(
        {
            "population.youths": youths,
            "run.burn_in_years": 0,
            "run.years": (config.warmup_weeks + config.timed_weeks) / 52 + 1,
        }
    )
    # Time the build's parts through the names the model module calls.
    parts: dict[str, float] = {}
    for name, label in (
        ("build_population", "population"),
        ("build_network", "graph"),
        ("Kernel", "kernel"),
    ):
        if hasattr(model_module, name):
            setattr(model_module, name, _timed(parts, label, getattr(model_module, name)))
    start = time.perf_counter()
    model = HikiModel(scenario, seed=config.seed)
    build_s = time.perf_counter() - start
    build_peak_mb = peak_rss_mb()
    parts["agents and the rest"] = build_s - sum(parts.values())

    start = time.perf_counter()
    for _ in range(config.warmup_weeks):
        model.step()
    info = {
        "import_s": import_s,
        "build_s": build_s,
        "build_parts_s": parts,
        "build_peak_mb": build_peak_mb,
        "warmup_s": time.perf_counter() - start,
        "youths": youths,
    }
    return model, info


class HikisimStepper:
    """A warm hikisim model that steps one timed block at a time (a stepping server).

    Args:
        config: The benchmark sizes.
        youths: Population size.
    """

    def __init__(self, config: Config, youths: int) -> None:
        self.config = config
        self.model, self.info = build_warm(config, youths)
        self.blocks: list[float] = []

    def block(self) -> dict[str, Any]:
        """Step ``config.block_weeks`` weeks.

        Returns:
            Their time in seconds.
        """
        start = time.perf_counter()
        for _ in range(self.config.block_weeks):
            self.model.step()
        self.blocks.append(time.perf_counter() - start)
        return {"seconds": self.blocks[-1]}

    def done(self) -> dict[str, Any]:
        """The whole measurement: the build, every block and the memory."""
        import numpy as np

        from hikisim.states import State

        state = self.model.population.youths.state
        symptomatic = int(np.count_nonzero((state == State.AT_RISK) | (state == State.WITHDRAWN)))
        youths = self.info["youths"]
        weeks = self.config.block_weeks * len(self.blocks)
        timed_s = sum(self.blocks)
        return {
            **self.info,
            "blocks_s": self.blocks,
            "timed_s": timed_s,
            "timed_weeks": weeks,
            "rate": youths * weeks / timed_s,
            "best_block_rate": youths * self.config.block_weeks / min(self.blocks),
            "peak_mb": peak_rss_mb(),
            "symptomatic_share": symptomatic / youths,
            "edges": self.model.graph.number_of_edges(),
            "agents": len(self.model.agents),
        }


class MesaStepper:
    """Mesa's virus_on_network example, one seeded run per block (a stepping server).

    The example builds its Erdős-Rényi graph with networkx's global ``random`` state and
    ``mesa.discrete_space.Network`` lays it out with ``nx.spring_layout`` on numpy's
    global state, so both are seeded before each model is built. Every round's model is
    built when the server starts (a few seconds each, untimed, and a few MiB), so that
    no build runs between the rounds' timed blocks and disturbs them.

    Args:
        config: The benchmark sizes.
    """

    def __init__(self, config: Config) -> None:
        import random

        import numpy as np
        from mesa.examples.basic.virus_on_network.model import VirusOnNetwork

        self.config = config
        self.models: list[tuple[int, float, Any]] = []
        for seed in range(config.seed, config.seed + config.rounds):
            random.seed(seed)
            np.random.seed(seed)
            start = time.perf_counter()
            model = VirusOnNetwork(
                num_nodes=config.mesa_nodes, avg_node_degree=config.mesa_degree, rng=seed
            )
            self.models.append((seed, time.perf_counter() - start, model))
        self.runs: list[dict[str, Any]] = []

    def block(self) -> dict[str, Any]:
        """Step the next seed's model through its run.

        Returns:
            The stepping time in seconds.
        """
        from mesa.examples.basic.virus_on_network.agents import State

        seed, build_s, model = self.models[len(self.runs)]
        start = time.perf_counter()
        for _ in range(self.config.mesa_steps):
            model.step()
        step_s = time.perf_counter() - start
        infected = sum(1 for agent in model.agents if agent.state is State.INFECTED)
        self.runs.append({"seed": seed, "build_s": build_s, "step_s": step_s, "infected": infected})
        return {"seconds": step_s}

    def done(self) -> dict[str, Any]:
        """Every run, and the memory."""
        return {"runs": self.runs, "peak_mb": peak_rss_mb()}


SERVERS: dict[str, Callable[[Config], HikisimStepper | MesaStepper]] = {
    "hikisim": lambda config: HikisimStepper(config, config.youths),
    "hikisim_small": lambda config: HikisimStepper(config, config.small_youths),
    "hikisim_one_thread": lambda config: HikisimStepper(config, config.youths),
    "mesa": MesaStepper,
}
# Servers kept to one thread: the large model again, as it steps where threads are not
# allowed (a sweep's workers) and as the one-core Mesa reference does.
ONE_THREAD_SERVERS = {"hikisim_one_thread": {"NUMBA_NUM_THREADS": "1"}}
# Replies carry this prefix, and go to a copy of the original stdout while stdout itself
# is sent to stderr, so that nothing a library prints can be taken for a reply.
REPLY = "benchmark-reply "


def serve(name: str, config: Config) -> None:
    """Run one stepping server: read commands from stdin, reply on stdout.

    The server replies once when it is ready (built and warm), once to each ``block``,
    and once to ``done``, after which it ends.

    Args:
        name: A key of :data:`SERVERS`.
        config: The benchmark sizes.
    """
    sys.stdout.flush()
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "w")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    sys.stdout = sys.stderr

    def reply(message: dict[str, Any]) -> None:
        replies.write(REPLY + json.dumps(message) + "\n")
        replies.flush()

    stepper = SERVERS[name](config)
    reply({"ready": True})
    for line in iter(sys.stdin.readline, ""):
        command = line.strip()
        if command == "block":
            reply(stepper.block())
        elif command == "done":
            reply(stepper.done())
            return
        else:
            raise ValueError(f"benchmark server {name}: unknown command {command!r}")


class Server:
    """The controller's handle on a stepping server running in a fresh interpreter.

    A server that has not replied within :data:`WORKER_TIMEOUT_S` is killed, and a
    server that ended (killed or failed) raises an error quoting its stderr.

    Args:
        name: A key of :data:`SERVERS`.
        quick: Run the quick configuration.
        errors: A file for the server's stderr, quoted if it fails.
    """

    def __init__(self, name: str, quick: bool, errors: IO[str]) -> None:
        self.name = name
        self.errors = errors
        self.process = subprocess.Popen(
            script_command("--serve", name, quick),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
            cwd=ROOT,
            env={**os.environ, **ONE_THREAD_SERVERS.get(name, {})},
        )

    def reply(self) -> dict[str, Any]:
        """The server's next reply; an error with its stderr if it ended instead."""
        assert self.process.stdout is not None
        watchdog = threading.Timer(WORKER_TIMEOUT_S, self.process.kill)
        watchdog.start()
        try:
            for line in iter(self.process.stdout.readline, ""):
                if line.startswith(REPLY):
                    return json.loads(line[len(REPLY) :])
        finally:
            watchdog.cancel()
        self.process.wait()
        self.errors.seek(0)
        raise RuntimeError(
            f"benchmark server {self.name!r} ended (exit code {self.process.returncode}; "
            f"killed if it did not reply within {WORKER_TIMEOUT_S} s):\n{self.errors.read()}"
        )

    def ask(self, command: str) -> dict[str, Any]:
        """Send one command and return the reply."""
        assert self.process.stdin is not None
        try:
            self.process.stdin.write(command + "\n")
            self.process.stdin.flush()
        except OSError:
            pass  # the server has ended: reply() reports it with its stderr
        return self.reply()

    def finish(self) -> dict[str, Any]:
        """Ask for the whole measurement and wait for the server to end."""
        result = self.ask("done")
        self.process.wait(timeout=WORKER_TIMEOUT_S)
        return result

    def close(self) -> None:
        """Kill the server if it still runs, and close its pipes."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None:
                pipe.close()


def interleaved_stepping(config: Config, quick: bool) -> tuple[dict[str, Any], ...]:
    """Time hikisim's warm models and the Mesa reference in alternation.

    Four servers (hikisim at both sizes, the large size again on one thread, then Mesa
    with every round's model built) are
    started one at a time, each once the one before is built and warm, so that no build
    or start-up figure is timed while another process starts. Each round then times one
    block of each hikisim model and one Mesa run, one after the other and with nothing
    untimed between them, so that every hikisim block has a Mesa run measured next to it
    in time, under the same load. The order flips every round (Mesa last, then first)
    so that neither side always follows the other.

    Returns:
        The pooled Mesa result (:func:`combine_mesa`) and the three hikisim results
        (large, small, large on one thread), each with its ``paired_ratios`` to the Mesa
        run of the same round.
    """
    names = tuple(SERVERS)
    servers: dict[str, Server] = {}
    with tempfile.TemporaryDirectory(prefix="hikisim-bench-") as folder:
        try:
            for name in names:
                errors = open(Path(folder) / f"{name}.err", "w+")  # noqa: SIM115 (closed below)
                servers[name] = Server(name, quick, errors)
                servers[name].reply()  # ready: built and warm
            for index in range(config.rounds):
                for name in names if index % 2 == 0 else names[::-1]:
                    servers[name].ask("block")
            results = {name: servers[name].finish() for name in names}
        finally:
            for server in servers.values():
                server.close()
                server.errors.close()
    mesa_result = combine_mesa(config, results["mesa"]["runs"])
    mesa_rates = [
        config.mesa_nodes * config.mesa_steps / run["step_s"] for run in mesa_result["runs"]
    ]
    hikisim_names = ("hikisim", "hikisim_small", "hikisim_one_thread")
    for name in hikisim_names:
        result = results[name]
        block_rates = [
            result["youths"] * config.block_weeks / seconds for seconds in result["blocks_s"]
        ]
        result["paired_ratios"] = [
            block / mesa for block, mesa in zip(block_rates, mesa_rates, strict=True)
        ]
    return mesa_result, *(results[name] for name in hikisim_names)


def combine_mesa(config: Config, runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Pool the Mesa runs: the rate over all of them, and the fastest."""
    agent_steps = config.mesa_nodes * config.mesa_steps
    return {
        "runs": runs,
        "rate": agent_steps * len(runs) / sum(run["step_s"] for run in runs),
        "best_rate": agent_steps / min(run["step_s"] for run in runs),
        "build_s": statistics.median(run["build_s"] for run in runs),
    }


def full_run(people: int, seed: int) -> dict[str, Any]:
    """Build the default scenario at a size and run it through the whole calendar.

    The time includes the build, as a user running ``hikisim run`` waits for both; the
    build's own time and the peak memory it reached are kept apart.
    """
    from hikisim import HikiModel
    from hikisim.scenario import Scenario

    scenario = Scenario().with_overrides({"population.youths": people})
    start = time.perf_counter()
    model = HikiModel(scenario, seed=seed)
    build_s = time.perf_counter() - start
    build_peak_mb = peak_rss_mb()
    model.run()
    seconds = time.perf_counter() - start
    return {
        "people": people,
        "build_s": build_s,
        "build_peak_mb": build_peak_mb,
        "seconds": seconds,
        "weeks": model.total_weeks,
        "rate": people * model.total_weeks / seconds,
        "start": model.calendar.start,
        "peak_mb": peak_rss_mb(),
    }


def worker_default_run(config: Config) -> dict[str, Any]:
    """One run of the default baseline, as ``hikisim run`` does it (the v2 default size).

    The quick configuration shortens it to a tenth of the people.
    """
    from hikisim.scenario import Scenario

    people = Scenario().population.youths
    return full_run(people if config == FULL else people // 10, config.seed)


def worker_million(config: Config) -> dict[str, Any]:
    """The default scenario at a million people, built and run through the calendar."""
    return full_run(config.million_people, config.seed)


def worker_compile(config: Config) -> dict[str, Any]:
    """Time a small model's first weeks, then a second model's, in one fresh process.

    The first model's weeks include loading the compiled kernel (compiling it if the
    numba cache is empty); the second's do not. Run with ``NUMBA_CACHE_DIR`` set to an
    empty folder, then again with the same folder, to time compiling and loading apart.
    The threaded passes of large towns are included: the small model steps them too,
    with their size limit lifted (where the machine has threads for them).
    """
    from hikisim import HikiModel, threads
    from hikisim.scenario import Scenario

    threads.MIN_SEATS = 0

    scenario = Scenario().with_overrides(
        {"population.youths": 1_000, "run.burn_in_years": 0, "run.years": 1}
    )
    times = []
    for _ in range(2):
        start = time.perf_counter()
        model = HikiModel(scenario, seed=config.seed)
        # Sixty weeks, so that every weekly pass runs (turnover among them).
        for _ in range(60):
            model.step()
        model.kernel.hazards(model.kernel.nonengaged())
        times.append(time.perf_counter() - start)
    return {"first_s": times[0], "again_s": times[1]}


WORKERS: dict[str, Callable[[Config], dict[str, Any]]] = {
    "compile": worker_compile,
    "default_run": worker_default_run,
    "million": worker_million,
}


def default_run_row(result: dict[str, Any]) -> Row:
    """The table row of one default run."""
    return {
        "benchmark": f"Default run, {result['people']:,} people aged 10-64",
        "value": result["seconds"],
        "unit": "s",
        "note": f"build and {result['weeks']:,} weeks from {result['start']} (burn-in and the "
        f"10-year horizon); {result['rate'] / 1e6:.1f} M person-weeks/s",
    }


def run_worker(name: str, quick: bool, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run one worker in a fresh interpreter and return its JSON result.

    Args:
        name: The worker.
        quick: Run the quick configuration.
        env: Extra environment variables for the worker.
    """
    done = subprocess.run(
        script_command("--worker", name, quick),
        capture_output=True,
        text=True,
        timeout=WORKER_TIMEOUT_S,
        cwd=ROOT,
        check=False,
        env={**os.environ, **(env or {})},
    )
    if done.returncode != 0:
        raise RuntimeError(f"benchmark worker {name!r} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------- report


def machine() -> dict[str, str]:
    """CPU, cores, memory and software versions of this machine."""
    import mesa
    import networkx
    import numpy
    import scipy

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 2**20:.1f} GiB"
                break
    except OSError:
        pass
    load = (
        ""
        if not hasattr(os, "getloadavg")
        else ", ".join(f"{value:.1f}" for value in os.getloadavg())
    )
    return {
        "CPU": cpu,
        "Cores (logical)": str(os.cpu_count()),
        "Memory": memory,
        "OS": platform.platform(),
        "Python": platform.python_version(),
        "numpy": numpy.__version__,
        "scipy": scipy.__version__,
        "networkx": networkx.__version__,
        "Mesa": mesa.__version__,
        "Load average at start (1, 5, 15 min)": load,
    }


# How the rows of the large model kept to one thread name it.
ONE_THREAD = " on one thread"


def core_rows(
    config: Config,
    hiki: dict[str, Any],
    small: dict[str, Any],
    one_thread: dict[str, Any],
    mesa_result: dict[str, Any],
) -> list[Row]:
    """The table rows of the core benchmarks, with each target's verdict.

    Args:
        config: The benchmark sizes.
        hiki: The warm stepping result at ``config.youths``.
        small: The warm stepping result at ``config.small_youths``.
        one_thread: The warm stepping result at ``config.youths`` on one thread.
        mesa_result: The pooled Mesa reference runs.
    """

    def verdict(met: bool) -> str:
        if config != FULL:
            return "applies to the full run"
        return "met" if met else "MISSED"

    n = f"{config.youths:,}"
    parts = ", ".join(f"{k} {v:.2f} s" for k, v in hiki["build_parts_s"].items())
    infected = [run["infected"] for run in mesa_result["runs"]]
    rows = [
        {
            "benchmark": f"Build model, {n} youths (population, graph, agents)",
            "value": hiki["build_s"],
            "unit": "s",
            "note": f"target < {BUILD_TARGET_S:g} s: {verdict(hiki['build_s'] < BUILD_TARGET_S)}; "
            f"{parts}; {hiki['edges']:,} ties, {hiki['agents']:,} Mesa agents",
        },
        {
            "benchmark": "Start-up: importing hikisim, numpy, networkx and Mesa",
            "value": hiki["import_s"],
            "unit": "s",
            "note": "kept out of every stepping figure",
        },
    ]
    for result, target in ((hiki, RATIO_TARGET), (small, SMALL_RATIO_TARGET)):
        rows += stepping_rows(config, result, mesa_result, target, verdict)
    rows += stepping_rows(config, one_thread, mesa_result, RATIO_TARGET, verdict, ONE_THREAD)
    rows += [
        {
            "benchmark": f"Simulated {(config.warmup_weeks + hiki['timed_weeks']) / 52:g} years, "
            f"{n} youths",
            "value": hiki["warmup_s"] + hiki["timed_s"],
            "unit": "s",
            "note": "warm-up plus timed weeks, from a freshly built model (build not included)",
        },
        {
            "benchmark": f"Peak memory, {n} youths",
            "value": hiki["peak_mb"],
            "unit": "MiB",
            "note": f"target < {MEMORY_TARGET_MB / 1024:g} GiB: "
            f"{verdict(hiki['peak_mb'] < MEMORY_TARGET_MB)}; {hiki['build_peak_mb']:.0f} MiB "
            f"after the build; max RSS of a fresh process, interpreter included",
        },
        {
            "benchmark": f"Mesa virus_on_network, {config.mesa_nodes:,} nodes, degree "
            f"{config.mesa_degree:g}, {config.mesa_steps} steps",
            "value": mesa_result["rate"] / 1e6,
            "unit": "M agent-steps/s",
            "note": f"{len(infected)} seeded runs, one per round between the hikisim "
            f"blocks; fastest run {mesa_result['best_rate'] / 1e6:.2f} M/s; infected at the end: "
            f"{', '.join(map(str, infected))}; build incl. spring layout "
            f"{mesa_result['build_s']:.2f} s (not timed)",
        },
    ]
    return rows


def stepping_rows(
    config: Config,
    result: dict[str, Any],
    mesa_result: dict[str, Any],
    target: float,
    verdict: Callable[[bool], str],
    threads: str = "",
) -> list[Row]:
    """The stepping rate of one warm model and its ratios to the Mesa reference.

    The first ratio, the target's measure, is the median over the rounds of each
    block's rate over the rate of the Mesa run timed next to it; the pooled and the
    least disturbed ratios follow. ``threads`` follows the size in every row's name
    (:data:`ONE_THREAD` for the model kept to one thread).
    """
    who = f"{result['youths']:,} youths{threads}"
    paired = result["paired_ratios"]
    median = statistics.median(paired)
    ratio = result["rate"] / mesa_result["rate"]
    best_ratio = result["best_block_rate"] / mesa_result["best_rate"]
    return [
        {
            "benchmark": f"Stepping, {who} (warm model)",
            "value": result["rate"] / 1e6,
            "unit": "M youth-weeks/s",
            "note": f"{result['timed_weeks']} weeks timed after {config.warmup_weeks} warm-up "
            f"weeks, {1e3 * result['timed_s'] / result['timed_weeks']:.2f} ms/week; best "
            f"{config.block_weeks}-week block {result['best_block_rate'] / 1e6:.1f} M/s; "
            f"{100 * result['symptomatic_share']:.1f}% at risk or withdrawn at the end",
        },
        {
            "benchmark": f"hikisim youth-weeks/s over Mesa agent-steps/s, {who}",
            "value": median,
            "unit": "x",
            "note": f"target >= {target:g}x: {verdict(median >= target)}; median of "
            f"{len(paired)} interleaved rounds, each {config.block_weeks}-week block over the "
            f"Mesa run timed next to it; rounds range {min(paired):.1f}-{max(paired):.1f}x, "
            f"{sum(r >= target for r in paired)} of {len(paired)} at or above the target",
        },
        {
            "benchmark": f"Same ratio, pooled, {who}",
            "value": ratio,
            "unit": "x",
            "note": f"all timed weeks over all Mesa runs ({verdict(ratio >= target)})",
        },
        {
            "benchmark": f"Same ratio, least disturbed by load, {who}",
            "value": best_ratio,
            "unit": "x",
            "note": f"best {config.block_weeks}-week block over the fastest Mesa run "
            f"({verdict(best_ratio >= target)}); the three ratios agree on a quiet machine",
        },
    ]


def compilation_rows(quick: bool) -> list[Row]:
    """Compile the kernel into an empty numba cache, then load it, in fresh processes."""
    with tempfile.TemporaryDirectory(prefix="hikisim-numba-") as cache:
        env = {"NUMBA_CACHE_DIR": cache}
        compiled = run_worker("compile", quick, env)
        loaded = run_worker("compile", quick, env)
    return [
        {
            "benchmark": "Compiling the kernel (first process on a machine)",
            "value": compiled["first_s"] - compiled["again_s"],
            "unit": "s",
            "note": "numba, cache=True: paid once; the compiled code is written to the cache "
            "(``__pycache__`` next to the sources) and never counted in a stepping figure",
        },
        {
            "benchmark": "Loading the compiled kernel (every later process, e.g. a sweep worker)",
            "value": loaded["first_s"] - loaded["again_s"],
            "unit": "s",
            "note": "the first weeks of a 1,000-person model in a fresh process, less the "
            "same weeks of a second model in it",
        },
    ]


def million_rows(config: Config, result: dict[str, Any]) -> list[Row]:
    """The rows of the million-person build and full run."""
    met = config == FULL
    people = f"{result['people']:,}"

    def verdict(ok: bool) -> str:
        return ("met" if ok else "MISSED") if met else "applies to the full run"

    return [
        {
            "benchmark": f"Build model, {people} people (default scenario)",
            "value": result["build_s"],
            "unit": "s",
            "note": f"target < {MILLION_BUILD_TARGET_S:g} s: "
            f"{verdict(result['build_s'] < MILLION_BUILD_TARGET_S)}; peak memory after the "
            f"build {result['build_peak_mb']:,.0f} MiB (target < {MEMORY_TARGET_MB / 1024:g} "
            f"GiB: {verdict(result['build_peak_mb'] < MEMORY_TARGET_MB)})",
        },
        {
            "benchmark": f"Full run, {people} people",
            "value": result["seconds"],
            "unit": "s",
            "note": f"target < {MILLION_RUN_TARGET_S:g} s: "
            f"{verdict(result['seconds'] < MILLION_RUN_TARGET_S)}; build and "
            f"{result['weeks']:,} weeks (calendar burn-in and the 10-year horizon); peak "
            f"memory {result['peak_mb']:,.0f} MiB (target < {MEMORY_TARGET_MB / 1024:g} GiB: "
            f"{verdict(result['peak_mb'] < MEMORY_TARGET_MB)})",
        },
    ]


def extra_rows(quick: bool) -> list[Row]:
    """Rows from the optional sibling benchmark modules, if present."""
    rows: list[Row] = []
    for name in EXTRA_MODULES:
        path = Path(__file__).resolve().parent / f"{name}.py"
        if not path.exists():
            continue
        if quick:
            rows.append({"benchmark": name, "value": None, "unit": "", "note": "skipped (--quick)"})
            continue
        try:
            spec = importlib.util.spec_from_file_location(name, path)
            assert spec is not None and spec.loader is not None
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            rows.extend(module.run())
        except Exception as error:  # one failing extra must not hide the others
            rows.append({"benchmark": name, "value": None, "unit": "", "note": f"failed: {error}"})
    return rows


def format_value(value: Any) -> str:
    """A number with a sensible number of digits."""
    if value is None:
        return "–"
    if isinstance(value, int | float):
        magnitude = abs(value)
        if magnitude >= 100:
            return f"{value:,.0f}"
        if magnitude >= 10:
            return f"{value:.1f}"
        return f"{value:.2f}"
    return str(value)


def markdown_table(rows: list[Row]) -> str:
    """The rows as a markdown table."""
    lines = ["| Benchmark | Value | Unit | Note |", "|---|---:|---|---|"]
    for row in rows:
        cells = [
            str(row.get("benchmark", "")),
            format_value(row.get("value")),
            str(row.get("unit", "")),
            str(row.get("note", "")),
        ]
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines)


def document(
    config: Config, rows: list[Row], host: dict[str, str], command: str, spread: str
) -> str:
    """The full text of docs/performance.md.

    Args:
        config: The benchmark sizes.
        rows: The results table.
        host: The machine's description.
        command: The command that reproduces the page.
        spread: The run-to-run section (:func:`bench_history.spread_section`).
    """
    from hikisim import threads

    machine_lines = "\n".join(f"| {key} | {value} |" for key, value in host.items())
    return f"""# Performance

This page is written by `experiments/benchmark.py`; every figure on it comes from that
script. Rerun it on your machine with:

```
{command}
```

(`make bench` runs the same command.)

## Machine

| | |
|---|---|
{machine_lines}

## Results

{markdown_table(rows)}

## Run-to-run spread

{spread}
## Method

- **hikisim.** A fresh Python process builds `HikiModel` for the baseline scenario with
  {config.youths:,} youths (seed {config.seed}), and another with {config.small_youths:,}:
  population, social graph (its CSR arrays; the networkx view is built only when
  something asks for it), kernel and one Mesa agent per youth, family and school. Each
  steps {config.warmup_weeks} weeks untimed, so that withdrawal has built up from zero to
  its usual level, and then times {config.timed_weeks} weeks in blocks of
  {config.block_weeks}, one block per round (below). Each step is a full model week: the
  kernel, interventions (none in the baseline), the weekly record and Mesa's
  DataCollector. The rate is youths times weeks timed over the time they took. Peak
  memory is the process's maximum resident set size (`ru_maxrss`). Importing the package
  is timed apart (start-up) and kept out of the stepping figures.
- **Default and million-person runs.** Each in a fresh process: `HikiModel` for the
  default scenario (at its own size, and at {config.million_people:,} people), then
  `model.run()`: the calendar burn-in and the 10-year horizon, as `hikisim run` does
  it. The time includes the build; the million-person build is also given alone, with
  the peak memory it reached.
- **Mesa reference.** A third fresh process steps Mesa's own
  `mesa.examples.basic.virus_on_network` model, unchanged: {config.mesa_nodes:,} nodes,
  average degree {config.mesa_degree:g}, the example's other defaults (one initial
  infection), {config.mesa_steps} steps, one run per round with seeds {config.seed}
  onwards. The example draws its graph from networkx's global `random` state and Mesa's
  `Network` computes a spring layout from numpy's global state, so both are seeded before
  each model is built; building (layout included) is not timed. Its rate is nodes times
  steps over the stepping time; its epidemic usually burns out early, so this is close to
  Mesa's per-agent floor.
- **Threads.** In a town of {threads.MIN_SEATS:,} people or more, stepped from a
  process's main thread, the four passes that read every person (onset, the conditions,
  careers and the weekly census; `hikisim/threads.py`) split their seats into ranges run
  on numba's threads, one per core; the results are byte-identical to one thread (each
  uniform is counted by seat, ranges write only their own seats and are joined in seat
  order, and only integer counts are summed across them). A fourth process steps the
  {config.youths:,}-person model again with `NUMBA_NUM_THREADS=1`, as a sweep's workers
  and the one-core Mesa reference run, and its ratio is given beside the other; the
  {config.small_youths:,}-person model, below that size, runs on one thread anyway.
- **Same-run ratios, interleaved.** The four processes are started one at a time, each
  once the one before is built and warm (the Mesa process builds every round's model
  first), so no build is timed while another process starts, and stay alive, idle while
  another is timed. Each of the {config.rounds} rounds times one block of each hikisim
  model and one Mesa run, one after the other with nothing between them: Mesa last in
  even rounds and first in odd ones. A block is thus always measured within a few tenths
  of a second of a Mesa run, under the same load, and the ratio the targets are judged
  on is the median over the rounds of each block's rate over its round's Mesa rate (its
  range over the rounds is given). The pooled ratio (all timed weeks over all Mesa runs)
  and the least disturbed one (hikisim's fastest block over Mesa's fastest run) are
  given too.
- **Compilation.** The weekly passes are compiled with numba (`hikisim/kernels.py`,
  `conditions.py`, `careers.py`, `help_seeking.py`, `ties.py`, `entries.py`,
  `population.py`, `parents.py`, `seat_lists.py`, `philox.py` and `threads.py`,
  `cache=True`).
  Before anything is timed the script fills the
  repository's cache (`python -m hikisim.precompile`, as `make venv` does), so no figure
  includes compiling after a code change. Then two fresh processes share an empty
  `NUMBA_CACHE_DIR`: in the first, a 1,000-person model's first sixty weeks (and its
  build; the threaded passes of large towns included, with their size limit lifted)
  less a second model's in the same process is the compilation; in the second,
  the same difference is loading the compiled code from the cache, which every later
  process (a sweep worker, a test) pays instead. Neither is in a stepping figure:
  the warm-up weeks come first.
- **Random numbers.** Each mechanism's weekly uniforms are counter-based (Philox4x32-10,
  keyed by seed and mechanism, counted by seat, week and draw) and computed only for the
  youths a mechanism reads, so no week generates a number per person per mechanism.
- **Caveats.** Wall-clock times on a shared machine vary with its load (the load average
  at the start is listed above).
"""


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small smoke run")
    parser.add_argument(
        "--output",
        type=Path,
        default=None,
        help=f"markdown file to write (default {DEFAULT_OUTPUT.relative_to(ROOT)}; "
        "--quick writes nothing unless given)",
    )
    parser.add_argument("--no-extras", action="store_true", help="skip the sibling modules")
    parser.add_argument("--worker", choices=sorted(WORKERS), help=argparse.SUPPRESS)
    parser.add_argument("--serve", choices=sorted(SERVERS), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    config = QUICK if args.quick else FULL

    if args.worker:
        print(json.dumps(WORKERS[args.worker](config)))
        return 0
    if args.serve:
        serve(args.serve, config)
        return 0

    output = args.output if args.output is not None else (None if args.quick else DEFAULT_OUTPUT)
    log = None if output is None else output.with_name(HISTORY_NAME)
    if log is not None:
        try:
            bench_history.check(log)  # before the run, so that no result is lost to it
        except ValueError as error:
            print(f"benchmark: {error}", file=sys.stderr)
            return 2
    # The code measured is the code at the start: every worker imports it afresh.
    commit = bench_history.commit_of(ROOT)
    host = machine()
    # The repository's numba cache is filled first (as `make venv` does), so that no
    # stepping or run figure below includes compiling the kernel after a code change.
    subprocess.run([sys.executable, "-m", "hikisim.precompile"], check=True, cwd=ROOT)
    print("hikisim: compiling the kernel, then loading it from the cache ...", flush=True)
    compile_rows = compilation_rows(args.quick)
    print(
        f"Stepping: {config.youths:,} and {config.small_youths:,} youths and the Mesa "
        f"reference, {config.rounds} interleaved rounds ...",
        flush=True,
    )
    mesa_result, hiki, small, one_thread = interleaved_stepping(config, args.quick)
    rows = core_rows(config, hiki, small, one_thread, mesa_result) + compile_rows
    print("hikisim: the default run ...", flush=True)
    default_run = run_worker("default_run", args.quick)
    rows.append(default_run_row(default_run))
    print(f"hikisim: {config.million_people:,} people, the whole run ...", flush=True)
    million = run_worker("million", args.quick)
    rows += million_rows(config, million)
    if not args.no_extras:
        rows += extra_rows(args.quick)

    table = markdown_table(rows)
    print()
    print(table)
    if output is not None and log is not None:
        command = ".venv/bin/python experiments/benchmark.py" + (" --quick" if args.quick else "")
        size = "quick" if args.quick else "full"
        load = float(host["Load average at start (1, 5, 15 min)"].split(",")[0] or "nan")
        figures = headline_figures(hiki, small, one_thread, mesa_result, default_run, million)
        bench_history.record(log, commit, size, load, figures)
        log_name = str(log.relative_to(ROOT)) if log.is_relative_to(ROOT) else log.name
        spread = bench_history.spread_section(bench_history.read(log), commit, size, log_name)
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(document(config, rows, host, command, spread))
        print(f"\nwrote {output} and logged the run in {log}")
    return 0


def headline_figures(
    hiki: dict[str, Any],
    small: dict[str, Any],
    one_thread: dict[str, Any],
    mesa_result: dict[str, Any],
    default_run: dict[str, Any],
    million: dict[str, Any],
) -> dict[str, float]:
    """The figures each run logs (the keys of :data:`bench_history.FIGURES`)."""
    return {
        "mesa_rate_m": mesa_result["rate"] / 1e6,
        "ratio_large": hiki["rate"] / mesa_result["rate"],
        "ratio_large_best": hiki["best_block_rate"] / mesa_result["best_rate"],
        "ms_week_large": 1e3 * hiki["timed_s"] / hiki["timed_weeks"],
        "ratio_small": small["rate"] / mesa_result["rate"],
        "ratio_small_best": small["best_block_rate"] / mesa_result["best_rate"],
        "ms_week_small": 1e3 * small["timed_s"] / small["timed_weeks"],
        "default_run_s": default_run["seconds"],
        "million_run_s": million["seconds"],
        "ratio_large_paired": statistics.median(hiki["paired_ratios"]),
        "ratio_small_paired": statistics.median(small["paired_ratios"]),
        "ratio_large_one_thread_paired": statistics.median(one_thread["paired_ratios"]),
        "ms_week_large_one_thread": 1e3 * one_thread["timed_s"] / one_thread["timed_weeks"],
    }


if __name__ == "__main__":
    sys.exit(main())
