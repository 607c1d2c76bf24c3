"""`make demo`: run small but meaningful versions of the experiments and write results/REPORT.md.

1. A predictive-dialer shift under the seven pacing configurations (experiments/predictive_day.py).
2. The AMD benchmark on a freshly built corpus of real recorded and synthesised
   speech (amd-bench corpus build / run), when the Debian speech packages are present.
3. The screening-starvation sweep (the project's main question), AMD in the loop
   (reads step 2's behaviour table), pacing against abandonment, and the probing robot.
4. One predictive campaign through `dialer-sim compliance` (the regulator's report and chart).

The experiments run their `--demo` sizes (lists that last the shorter campaigns, fewer
points); their own commands without `--demo` run the full sizes. Each step prints its name
and elapsed time as it goes, and REPORT.md lists the times.

Each experiment writes its own folder with CSV, PNG, config.json and REPORT.md;
results/REPORT.md gathers the headline numbers and embeds every report.
"""

from __future__ import annotations

import argparse
import re
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
WORKERS = "2"


#: (step title, wall seconds, CPU seconds, exit status) of every step run, in order, for REPORT.md.
TIMES: list[tuple[str, float, float, int]] = []


def _clock(seconds: float) -> str:
    return f"{int(seconds // 60)} min {seconds % 60:04.1f} s"


def _children_cpu_s() -> float:
    """User + system CPU time of every finished child process (a machine's load does not inflate it)."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def step(title: str, cmd: list[str]) -> bool:
    """Run one step, printing its name before and its elapsed time after."""
    print(f"\n== [{len(TIMES) + 1}] {title}\n$ {' '.join(cmd)}", flush=True)
    start, cpu = time.monotonic(), _children_cpu_s()
    code = subprocess.run(cmd, cwd=ROOT).returncode
    took, cpu = time.monotonic() - start, _children_cpu_s() - cpu
    TIMES.append((title, took, cpu, code))
    print(f"-- [{len(TIMES)}] {title}: {'done' if code == 0 else f'FAILED (exit {code})'} in {_clock(took)} "
          f"(CPU {_clock(cpu)})", flush=True)
    return code == 0


def _has_asterisk_sounds() -> bool:
    from amd._corpus_sources import ASTERISK_DIRS

    return any(d.is_dir() for d in ASTERISK_DIRS)


def experiment(py: str, name: str, out: Path, *extra: str) -> list[str]:
    return [py, f"experiments/{name}.py", "--out", str(out / name), "--force", "--workers", WORKERS, *extra]


def run_all(out: Path) -> dict[str, bool]:
    py = sys.executable
    bindir = Path(py).parent
    ok: dict[str, bool] = {}
    ok["predictive_day"] = step("Predictive-dialer shift, seven pacing configurations (4 h)",
                                experiment(py, "predictive_day", out, "--demo"))
    if shutil.which("espeak-ng") and _has_asterisk_sounds():
        corpus = out / "amd_corpus"
        built = (corpus / "labels.csv").exists() or step(
            "AMD corpus (600 clips of real and synthesised speech through a telephone channel)",
            [str(bindir / "amd-bench"), "corpus", "build", "--out", str(corpus), "--n-clips", "600"])
        ok["amd_benchmark"] = built and step("AMD benchmark on the test split",
                                             [str(bindir / "amd-bench"), "run", "--corpus", str(corpus), "--out",
                                              str(out / "amd_benchmark"), "--force"])
    else:
        print("\n== AMD benchmark and AMD in the loop skipped: espeak-ng or asterisk-core-sounds-en-wav is not "
              "installed (run `make system-deps` as root).", file=sys.stderr)
    ok["screening_starvation"] = step("Screening starvation: adoption sweeps over a 12-day campaign",
                                      experiment(py, "screening_starvation", out, "--demo"))
    if ok.get("amd_benchmark"):
        ok["amd_in_the_loop"] = step("AMD in the loop: measured detectors drive the campaign",
                                     experiment(py, "amd_in_the_loop", out, "--demo", "--amd-results",
                                                str(out / "amd_benchmark")))
    ok["pacing_vs_abandonment"] = step("Pacing against abandonment, teams of 10 to 50",
                                       experiment(py, "pacing_vs_abandonment", out, "--demo"))
    ok["probe_harvest"] = step("A probing robot harvests a number range",
                               experiment(py, "probe_harvest", out, "--demo"))
    ok["ping_calls"] = step("Ping calls: call-backs, consumers' cost and the number's shutdown",
                            experiment(py, "ping_calls", out, "--demo"))
    ok["consent_vs_cold"] = step("Consent: a cold list against a lawful opt-in list, and opt-in renewal",
                                 experiment(py, "consent_vs_cold", out, "--demo"))
    ok["campaign_economics"] = step("Campaign economics: cost per net order against cancellations and screening",
                                    experiment(py, "campaign_economics", out, "--demo"))
    run_dir = out / "predictive_run"
    ok["compliance"] = step("One predictive campaign", [str(bindir / "dialer-sim"), "run",
                                                         "experiments/configs/predictive_campaign.toml", "--out",
                                                         str(run_dir), "--force"]) and step(
        "Its compliance report under the Ofcom 2010 rule",
        [str(bindir / "dialer-sim"), "compliance", str(run_dir / "records.parquet"), "--regime", "ofcom2010",
         "--report", str(out / "compliance"), "--force"])
    return ok


def _embed(out: Path, name: str, page: str = "REPORT.md") -> list[str]:
    """An experiment's REPORT.md one heading level down, with its image links made relative to results/."""
    path = out / name / page
    if not path.exists():
        return [f"*`{name}` did not run; see the `make demo` log.*", ""]
    text = path.read_text(encoding="utf-8")
    levels = [len(h) for h in re.findall(r"^(#+) ", text, flags=re.M)]
    shift = 3 - min(levels, default=3)  # the report's top heading becomes ###, under this page's ## section
    text = re.sub(r"^(#+) ", lambda m: "#" * (len(m.group(1)) + shift) + " ", text, flags=re.M)
    text = re.sub(r"\]\((?!https?://|/)([^)]+\.(?:png|csv))\)", lambda m: f"]({name}/{m.group(1)})", text)
    return [text.rstrip(), ""]


def headlines(out: Path) -> list[str]:
    """The few numbers a reader wants first, read from the experiments' tables."""
    lines = []
    for name, title in (("predictive_day", "Abandoned calls per pacing policy"),
                        ("amd_in_the_loop", "Abandoned calls per AMD variant")):
        table = out / name / "headline.md"
        if table.exists():
            lines += [f"### {title} (`{name}`)", "", table.read_text(encoding="utf-8").rstrip(), ""]
    s = out / "screening_starvation" / "campaigns_summary.csv"
    if s.exists():
        t = pd.read_csv(s).set_index(["strategy", "adoption"])
        base = t.loc[("screen_unknown", 0.0)]
        lines.append(f"- **Screening starves the dialer.** With nobody screening, the campaign makes "
                     f"{base['contacts_per_active_agent_hour']:.2f} live contacts per agent-hour while numbers "
                     f"remain ({base['contacts_per_agent_hour']:.2f} over all its hours) and passes on "
                     f"{base['n_successful']:,.0f} successful numbers. At 50 % adoption (the rest answer as "
                     f"usual; `block_withheld` against a withheld caller ID, whose own baseline is lower):")
        for strategy in t.index.get_level_values(0).unique():
            if strategy == "mixed" or " + " in strategy or (strategy, 0.5) not in t.index:
                continue
            r = t.loc[(strategy, 0.5)]
            lines.append(f"  - `{strategy}`: {r['contacts_per_active_agent_hour']:.2f} contacts per active agent-hour, "
                         f"{r['n_successful']:,.0f} successful numbers, agents idle {r['agent_idle_share']:.0%}.")
    lines += _ping_headline(out / "ping_calls" / "ping_calls_summary.csv")
    lines += consumer_headlines(out)
    m = out / "amd_benchmark" / "metrics.csv"
    if m.exists():
        t = pd.read_csv(m).set_index("detector")
        parts = [f"`{d}` {r['human_fp_rate']:.1%} (balanced accuracy {r['balanced_accuracy']:.1%})"
                 for d, r in t.iterrows()]
        lines.append("- **Humans hung up on as machines** (AMD benchmark, test split): " + "; ".join(parts) + ".")
        mixed = out / "amd_benchmark" / "metrics_answer_mix.csv"
        if mixed.exists():
            t = pd.read_csv(mixed).set_index("detector")
            parts = [f"`{d}` {r['human_fp_rate']:.1%} (balanced accuracy {r['balanced_accuracy']:.1%})"
                     for d, r in t.iterrows()]
            lines.append("- **The same under the dialer model's answer mix** (few long greetings, mostly short "
                         "hellos; `metrics_answer_mix.csv`): " + "; ".join(parts) + ".")
    return lines + [""]


def _ping_headline(path: Path) -> list[str]:
    """Consumers' cost of a ping campaign with nobody screening, and with everybody screening unknown numbers."""
    if not path.exists():
        return []
    t = pd.read_csv(path).set_index(["number_kind", "strategy", "adoption"])
    parts = []
    for kind in ("premium", "local"):
        base, top = t.loc[(kind, "screen_unknown", 0.0)], t.loc[(kind, "screen_unknown", t.index.levels[2].max())]
        parts.append(f"{kind} number: {base['callbacks_mean']:,.0f} call-backs costing "
                     f"{base['consumer_cost_eur_mean']:,.0f} ± {base['consumer_cost_eur_ci95']:,.0f} EUR "
                     f"({top['consumer_cost_eur_mean']:,.0f} EUR when everybody screens unknown numbers)")
    return ["- **Ping calls** (one range, nobody screening): " + "; ".join(parts) + "."]
def consumer_headlines(out: Path) -> list[str]:
    """Headline numbers of the consent and campaign-economics experiments."""
    lines = []
    s = out / "consent_vs_cold" / "consent_vs_cold_summary.csv"
    if s.exists():
        t = pd.read_csv(s).set_index("list")
        parts = [f"`{n}` {r['dials_to_non_consented']:,.0f} dials to non-consented numbers, {r['complaints']:.1f} "
                 f"complaints, expected fine €{r['expected_fine_eur']:,.0f}, {r['net_orders']:.1f} net orders"
                 for n, r in t.iterrows() if n != "renewal"]
        lines.append("- **Cold against lawful opt-in list** (means per campaign): " + "; ".join(parts) + ".")
        if {"opt_in", "renewal"} <= set(t.index):
            lines.append(f"- **Opt-in renewal**: a year after the campaign {t.loc['renewal', 'n_lawful_1y_after_end']:,.0f} "
                         f"of {t.loc['renewal', 'n_listed']:,.0f} numbers may still be called lawfully after a renewal "
                         f"campaign, {t.loc['opt_in', 'n_lawful_1y_after_end']:,.0f} after a sales campaign.")
    b = out / "campaign_economics" / "break_even.csv"
    if b.exists():
        t = pd.read_csv(b)
        cold = t[t["list"] == "cold"]
        lines.append("- **When cold calling stops paying** (screening share, by cancellation rate): "
                     + "; ".join(f"{r['cancellation_rate']:.0%}: {r['verdict']}" for _, r in cold.iterrows()) + ".")
    return lines


def write_report(out: Path, ok: dict[str, bool]) -> Path:
    lines = ["# What `make demo` found", "",
             "Small but complete versions of every experiment; each folder holds its CSV tables, charts, "
             "`config.json` (with the seed) and its own `REPORT.md`. Rerun any one with "
             "`python experiments/NAME.py --out DIR` for the full size. Every abandonment figure is named: the "
             "dialer's own drop rate (what it paces on, no regulator's clock) or a regulator's rule with its clock.",
             "", "## Headline numbers", "",
             *headlines(out)]
    for name, title in (("screening_starvation", "Screening starvation"),
                        ("amd_in_the_loop", "AMD in the loop"),
                        ("pacing_vs_abandonment", "Pacing against abandonment"),
                        ("probe_harvest", "The probing robot"),
                        ("ping_calls", "Ping calls"),
                        ("consent_vs_cold", "Consent and do-not-call lists"),
                        ("campaign_economics", "Campaign economics"),
                        ("predictive_day", "One predictive day"),
                        ("amd_benchmark", "The AMD benchmark"),
                        ("compliance", "The compliance report of one predictive campaign")):
        lines += [f"## {title}", ""]
        if name == "compliance":
            lines += _embed(out, name, page="compliance.md")
            continue
        if name == "amd_benchmark":
            bench = out / name
            if (bench / "metrics.csv").exists():
                lines += ["![cost trade-off](amd_benchmark/costs.png)", "",
                          "![confusion matrices](amd_benchmark/confusion.png)", "",
                          "![latency](amd_benchmark/latency_cdf.png)", "",
                          "![operating curves](amd_benchmark/operating_curves.png)", "",
                          "Tables: `amd_benchmark/costs_answer_mix.csv`, `costs.csv`, `targets.csv`, "
                          "`metrics.csv`, `metrics_answer_mix.csv`, `per_kind.csv`, `behaviour.csv`.", ""]
            else:
                lines += ["*The AMD benchmark did not run.*", ""]
            continue
        lines += _embed(out, name)
    if TIMES:
        lines += ["## How long each step took", "",
                  "Wall time on this machine and the CPU time of the step's processes (user + system; two worker "
                  "processes share it, so an idle 2-core machine needs at least half of it).", "",
                  "| step | wall time | CPU time | exit |", "|---|---|---|---|",
                  *[f"| {t} | {_clock(sec)} | {_clock(cpu)} | {code} |" for t, sec, cpu, code in TIMES],
                  f"| **all steps** | **{_clock(sum(t[1] for t in TIMES))}** | **{_clock(sum(t[2] for t in TIMES))}** "
                  "| |", ""]
    failed = [k for k, v in ok.items() if not v]
    if failed:
        lines += ["## Steps that failed", "", *[f"- {k}" for k in failed], ""]
    from dialer_sim._io import atomic_write_text

    return atomic_write_text(out / "REPORT.md", "\n".join(lines))


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", type=Path, default=ROOT / "results")
    p.add_argument("--report-only", action="store_true", help="only rebuild REPORT.md from existing results")
    args = p.parse_args()
    out = args.out.resolve()
    ok = {} if args.report_only else run_all(out)
    report = write_report(out, ok)
    print(f"\nResults in {out}; start with {report}", flush=True)
    return 0 if all(ok.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
