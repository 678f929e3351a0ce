"""Section 3 of the style page: real neural style transfer, Adam on G's pixels with ∂J/∂G from ONNX Runtime.

The optimisation runs in a worker thread behind the server-wide line
(``playground.style_transfer.jobs``); this section only starts, stops and
watches it. While a job is waiting or running, the section is a fragment that
reruns itself every ``POLL_S`` seconds, so the progress moves without
rerunning the rest of the page, and other visitors' pages are never blocked.
"""

from __future__ import annotations

import streamlit as st

from pages._shared import format as fmt
from pages._shared import plot, ui
from pages._style_transfer import controls, figures
from pages._style_transfer.compute import Picked
from playground.style_transfer import jobs, prepare, run_job
from playground.style_transfer.generation import MAX_ITERATIONS, MAX_SIDE, MIN_SIDE, Settings

POLL_S = 1.0  # how often a running generation's progress is redrawn
SIDES = tuple(str(s) for s in range(MIN_SIDE * 2, MAX_SIDE + 1, 64))  # 128 … 384
TV_WEIGHTS = ("0", "1e-4", "3e-4", "1e-3", "3e-3", "1e-2")
RATES = ("0.01", "0.02", "0.05", "0.1")
KEYS = ("side", "it", "tv", "lr", "keep", "seed")
JOB, LABEL, SETTINGS = "_st_job", "_st_job_label", "_st_job_settings"
POLLING = "_st_polling"  # whether this run drew the section as a self-refreshing fragment


def link_state() -> None:
    """Seed this section's keys from the link (or their defaults): called before any section draws."""
    ui.url_choice("side", "256", SIDES)
    ui.url_int("it", 150, 10, MAX_ITERATIONS)
    ui.url_choice("tv", "1e-3", TV_WEIGHTS)
    ui.url_choice("lr", "0.02", RATES)
    ui.url_bool("keep", False)
    ui.url_int("seed", 0, 0, 999)


def settings_from_controls() -> Settings:
    """The Settings the controls (here and in section 1) describe."""
    alpha, beta, lambdas = controls.weights()
    return Settings(side=int(st.session_state["side"]), iterations=int(st.session_state["it"]), alpha=alpha,
                    beta=beta, tv_weight=float(st.session_state["tv"]), layer_weights=tuple(lambdas.values()),
                    learning_rate=float(st.session_state["lr"]), keep_colours=bool(st.session_state["keep"]),
                    seed=int(st.session_state["seed"]))


def _start(content: Picked, style: Picked, provider: str) -> None:
    """The run button's callback: prepare the targets and join the line."""
    settings = settings_from_controls()
    problem = prepare(content.rgb, style.rgb, settings, provider)
    try:
        job = jobs.shared_queue().submit(lambda job: run_job(job, problem, settings, provider), settings.iterations)
    except jobs.QueueFull as exc:
        st.session_state["_st_refused"] = str(exc)
        return
    st.session_state.pop("_st_refused", None)
    st.session_state[JOB], st.session_state[SETTINGS] = job, settings
    st.session_state[LABEL] = f"{content.label} in the style of {style.label}"


def _stop() -> None:
    job = st.session_state.get(JOB)
    if job is not None:
        job.stop()


def controls_row(running: bool) -> None:
    cols = st.columns(6)
    cols[0].select_slider("Longer side (px)", SIDES, key="side", disabled=running)
    cols[1].slider("Iterations", 10, MAX_ITERATIONS, step=10, key="it", disabled=running)
    cols[2].select_slider("TV weight", TV_WEIGHTS, key="tv", disabled=running,
                          help="Weight of Σ (x_{i+1,j} − x_{i,j})² + (x_{i,j+1} − x_{i,j})²: smooths the "
                               "checkerboard that stride-2 convs leave.")
    cols[3].select_slider("Learning rate", RATES, key="lr", disabled=running,
                          help="Adam's step on the pixels (0…1).")
    cols[4].toggle("Keep colours", key="keep", disabled=running,
                   help="Keep the content's colours: transfer on luminance only (Gatys et al. 2016), the style's "
                        "brightness matched to the content's, the content's colours put back afterwards.")
    ui.number_field("Noise seed", 0, 999, key="seed", disabled=running, container=cols[5])


def progress_view(job: jobs.Job, settings: Settings) -> None:
    """Progress bar, the latest G, intermediate pictures and the costs per iteration."""
    progress = job.result
    queue = jobs.shared_queue()
    if job.state == jobs.WAITING:
        typical = queue.typical_seconds()
        wait = f" Each takes about {typical:.0f} s on this server." if typical else ""
        st.info(f"Waiting in line: place {job.position}. The server runs {queue.slots} generation"
                f"{'s' if queue.slots > 1 else ''} at a time so every visitor's page stays quick.{wait}")
    done = job.done
    fraction = done / max(job.total, 1)
    if job.state == jobs.RUNNING:
        rate = job.elapsed_s / done if done else None
        left = f", about {rate * (job.total - done):.0f} s left" if rate else ""
        st.progress(fraction, text=f"Iteration {done} of {job.total} ({job.elapsed_s:.1f} s{left})")
    elif not job.active:
        words = {jobs.DONE: "Done", jobs.STOPPED: "Stopped", jobs.DROPPED: "Dropped (nobody was watching)",
                 jobs.FAILED: "Failed"}[job.state]
        st.progress(fraction, text=f"{words}: {done} of {job.total} iterations in {job.elapsed_s:.1f} s")
    if job.error:
        st.error(f"The generation failed: {fmt.escape(job.error)}")
    if progress is None:
        return
    left, right = st.columns([2, 3])
    with left:
        latest, at = progress.latest, (progress.pictures[-1][0] if progress.pictures else 0)
        st.image(latest, caption=f"G after {at} iterations" if at else "G at the start: content + noise",
                 width="stretch", output_format="JPEG", alt="The generated image G so far")
    with right:
        steps = list(progress.steps)
        if steps:
            iterations = [s.iteration for s in steps]
            series = {"J": [s.j for s in steps], "J_content": [settings.alpha * s.j_content for s in steps],
                      "J_style": [settings.beta * s.j_style for s in steps]}
            if settings.tv_weight > 0:
                series["J_tv"] = [settings.tv_weight * s.j_tv for s in steps]
            plot.chart(figures.cost_curves(iterations, series, job.total), "cost_curves")
            first, last = steps[0], steps[-1]
            step_ms = sorted(progress.step_ms)[len(progress.step_ms) // 2] if progress.step_ms else 0.0
            st.caption(f"J_style fell from {fmt.num(first.j_style)} to {fmt.num(last.j_style)}"
                       f" (÷{fmt.ratio(first.j_style / max(last.j_style, 1e-30))}); J_content moved from "
                       f"{fmt.num(first.j_content)} to {fmt.num(last.j_content)}. Costs are those of G before each "
                       f"update. Each step ran the `style_gradient` graph on {progress.provider} in "
                       f"{step_ms:.0f} ms (median).")
    snapshots = progress.pictures[:-1][-6:]  # up to six earlier pictures
    if snapshots:
        st.image([p for _, p in snapshots], caption=[f"iteration {i}" for i, _ in snapshots], width=120,
                 output_format="JPEG", alt=[f"The generated image G at iteration {i}" for i, _ in snapshots])


def _watch(content: Picked, style: Picked, provider: str, page_keys: tuple[str, ...]) -> None:
    job: jobs.Job | None = st.session_state.get(JOB)
    running = job is not None and job.active
    if job is not None:
        job.touch()
    buttons = st.columns([2, 1, 5])
    seed_bad = st.session_state.get("seed") is None  # the seed's text is not valid: no run for an old seed
    buttons[0].button("Run the optimisation", key="run", type="primary", disabled=running or seed_bad,
                      on_click=_start, args=(content, style, provider))
    if seed_bad:
        ui.missing(None)
    buttons[1].button("Stop", key="stop", disabled=not running, on_click=_stop)
    refused = st.session_state.get("_st_refused")
    if refused:
        st.warning(refused)
    if job is None:
        typical = jobs.shared_queue().typical_seconds()
        st.caption("Nothing run yet in this session." + (
            f" Generations on this server have lately taken {typical:.0f} s." if typical else ""))
    else:
        buttons[2].caption(f"Last run: {st.session_state.get(LABEL, '')}")
        progress_view(job, st.session_state[SETTINGS])
    controls.sync_link_in_fragment(page_keys)
    if st.session_state.get(POLLING, False) != (job is not None and job.active):
        st.rerun()  # start or stop polling; at the end, section 1 can compare the finished picture


def show(content: Picked, style: Picked, provider: str, page_keys: tuple[str, ...]) -> None:
    """The section; a self-refreshing fragment while this visitor's generation is waiting or running."""
    st.markdown(
        "Now minimise J(G) = α J_content + β J_style + (TV weight) · J_TV over the **pixels** of G, as the course "
        "does: G starts as the content image plus noise; each iteration runs MobileNetV2 forward **and backward** "
        "in one ONNX graph (`style_gradient`, the backward pass written out as convolutions) to get ∂J/∂G, and "
        "Adam moves the pixels. α, β and the λ^[l] are the ones set in section 1.")
    job = st.session_state.get(JOB)
    active = job is not None and job.active
    controls_row(active)  # outside the fragment: a change (colours kept or not) redraws sections 1 and 2 too
    st.session_state[POLLING] = active
    st.fragment(_watch, run_every=POLL_S if active else None)(content, style, provider, page_keys)
