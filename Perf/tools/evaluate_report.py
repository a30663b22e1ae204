#!/usr/bin/env python3
"""Renders the report of Perf/evaluate.sh: DIR/report.md and DIR/*.png from the raw data in DIR/data.

  evaluate_report.py DIR

Run again on a results folder to re-render it (the plots need gnuplot; without it the report still comes,
with a line saying the plots are missing). Everything here is computed from DIR/data only.
"""
import json, math, os, shutil, statistics, subprocess, sys
from collections import defaultdict

OUT = os.path.abspath(sys.argv[1])
DATA = os.path.join(OUT, "data")
ORDER = ["direct", "synaptic", "wireguard-go", "openvpn", "weave-plain", "weave-enc"]
TUNNELS = [c for c in ORDER if c != "direct"]


# ---- reading ------------------------------------------------------------------------------------------
def rows(name):
    path = os.path.join(DATA, name)
    if not os.path.exists(path):
        return []
    return [l.rstrip("\n").split("\t") for l in open(path) if l.strip()]


def num(x):
    try:
        v = float(x)
        return v if math.isfinite(v) else None
    except (TypeError, ValueError):
        return None


meta = {r[0]: r[1] for r in rows("meta.tsv") if len(r) >= 2}
smoke = meta.get("smoke") == "1"
cases_up, case_note, case_state = [], {}, {}
for r in rows("cases.tsv"):
    case_state[r[0]] = r[1]
    if r[1] == "up":
        cases_up.append(r[0]); case_note[r[0]] = r[2] if len(r) > 2 else ""
cases_up.sort(key=lambda c: ORDER.index(c) if c in ORDER else 99)

# datapath[case][metric] = {round: value}
datapath = defaultdict(lambda: defaultdict(dict))
for r in rows("datapath.tsv"):
    rnd, case, metric, value = int(r[0]), r[1], r[2], num(r[3])
    if value is not None:
        datapath[case][metric][rnd] = value
# CPU-seconds of the tunnel processes per GB (1e9 bytes) received, per round
for case in list(datapath):
    for s in ("1", "4"):
        cpu, b = datapath[case].get(f"tput{s}_cpu_s", {}), datapath[case].get(f"tput{s}_bytes", {})
        for rnd in cpu:
            if b.get(rnd):
                datapath[case][f"cpu{s}_per_gb"][rnd] = cpu[rnd] / (b[rnd] / 1e9)
rounds = sorted({rnd for c in datapath.values() for m in c.values() for rnd in m})


# ---- statistics -----------------------------------------------------------------------------------------
def med(v):
    return statistics.median(v) if v else None


def pct(v, p):  # nearest rank
    if not v:
        return None
    s = sorted(v)
    return s[max(0, math.ceil(p / 100 * len(s)) - 1)]


def sd(v):
    return statistics.stdev(v) if len(v) >= 2 else None


def values(case, metric):
    return list(datapath.get(case, {}).get(metric, {}).values())


def fmt(x, d=1):
    if x is None:
        return "–"
    if d == 0:
        return f"{x:,.0f}".replace(",", " ")
    return f"{x:.{d}f}"


def ratio(a, b, d=2):
    return f"{a / b:.{d}f}" if a is not None and b else "–"


HIGHER = {"rr_tps": True, "tput1_mbit": True, "tput4_mbit": True, "rtt_p50_us": False, "rtt_p90_us": False,
          "rtt_p99_us": False, "cpu1_per_gb": False, "cpu4_per_gb": False}


def best_other(metric, case):
    """The best tunnel other than `case` and the direct path, by median: (name, median)."""
    cand = [(c, med(values(c, metric))) for c in cases_up if c not in ("direct", case)]
    cand = [(c, m) for c, m in cand if m is not None]
    if not cand:
        return None, None
    return (max if HIGHER[metric] else min)(cand, key=lambda t: t[1])


def per_round_diff(case, metric, other="direct"):
    a, b = datapath[case].get(metric, {}), datapath[other].get(metric, {})
    return [a[r] - b[r] for r in a if r in b]


# ---- report text ----------------------------------------------------------------------------------------
md = []
def para(s=""):
    md.append(s); md.append("")


def table(head, body):
    md.append("| " + " | ".join(head) + " |")
    md.append("|" + "|".join("---" if i == 0 else "---:" for i in range(len(head))) + "|")
    for r in body:
        md.append("| " + " | ".join(str(c) for c in r) + " |")
    md.append("")


load = rows("load.tsv")
builders = [int(r[6]) for r in load if len(r) > 6 and r[6].isdigit()]
loads1 = [num(r[3]) for r in load if len(r) > 3 and num(r[3]) is not None]
busy = (builders and max(builders) > 0) or (loads1 and max(loads1) > 1.5)

title = "synaptic evaluation (issue 10)" + (" — smoke run, numbers meaningless" if smoke else "")
md.append(f"# {title}")
md.append("")
para(f"Run {meta.get('date', '?')}, `{meta.get('command', '?')}`, {meta.get('seconds', '?')} s. "
     "All hosts are network namespaces on one machine (veth links, nothing leaves it). "
     "Plots: PNG files next to this report; raw samples in `data/`; "
     "`python3 Perf/tools/evaluate_report.py <this folder>` renders the report again from them.")
if busy:
    para(f"**The machine was shared during this run.** Other builds were running (compiler processes seen at the "
         f"samples: up to {max(builders) if builders else 0}; 1-minute load average between "
         f"{min(loads1):.2f} and {max(loads1):.2f} on {meta.get('cpu', '?').split(', ')[-1]}). "
         "Every number below was measured under that load; the per-round table shows it beside the rounds.")

md.append("## Machine")
md.append("")
for k, label in (("cpu", "CPU"), ("memory", "Memory"), ("kernel", "Kernel"), ("os", "OS"),
                 ("virtualization", "Virtualization"), ("swift", "Swift"), ("synaptic", "synaptic"),
                 ("tools", "Tools"), ("settings", "Settings"), ("load_start", "Load average at the start (1, 5, 15 min)"),
                 ("load_end", "Load average at the end"), ("builders_start", "Compiler processes at the start"),
                 ("builders_end", "Compiler processes at the end"), ("checks", "Harness checks (before the report's own)")):
    if k in meta:
        md.append(f"- {label}: {meta[k]}")
md.append("")

# ---- targets ---------------------------------------------------------------------------------------------
targets = []   # (target, measured, vs direct, vs best other, verdict)
def verdict(ok, measured=True):
    if not measured:
        return "not measured"
    return "**met**" if ok else "**missed**"


syn = "synaptic" in cases_up and "direct" in cases_up
if syn:
    rr_s, rr_d = med(values("synaptic", "rr_tps")), med(values("direct", "rr_tps"))
    bo, bo_rr = best_other("rr_tps", "synaptic")
    targets.append(("TCP_RR ≥ 0.8 × direct", f"{fmt(rr_s, 0)} t/s (direct {fmt(rr_d, 0)})", ratio(rr_s, rr_d),
                    f"{ratio(rr_s, bo_rr)} ({bo})" if bo else "–", verdict(rr_s and rr_d and rr_s / rr_d >= 0.8, rr_s is not None and rr_d is not None)))
    targets.append(("TCP_RR ≥ 2 × best other tunnel", f"{fmt(rr_s, 0)} t/s ({bo or 'none'} {fmt(bo_rr, 0)})", ratio(rr_s, rr_d),
                    f"{ratio(rr_s, bo_rr)} ({bo})" if bo else "–", verdict(bo_rr and rr_s and rr_s / bo_rr >= 2, bo_rr is not None and rr_s is not None)))
    added = per_round_diff("synaptic", "rtt_p50_us")
    p50_s, p50_d = med(values("synaptic", "rtt_p50_us")), med(values("direct", "rtt_p50_us"))
    bo, bo_p50 = best_other("rtt_p50_us", "synaptic")
    bo_added = med(per_round_diff(bo, "rtt_p50_us")) if bo else None
    targets.append(("RTT added over direct at p50 ≤ 20 µs", f"+{fmt(med(added))} µs (p50 {fmt(p50_s)} vs {fmt(p50_d)} µs; median of per-round differences)",
                    ratio(p50_s, p50_d), f"{ratio(med(added), bo_added)} of {bo}'s +{fmt(bo_added)} µs" if bo else "–",
                    verdict(added and med(added) <= 20, bool(added))))
    t_s, t_d = med(values("synaptic", "tput1_mbit")), med(values("direct", "tput1_mbit"))
    bo, bo_t = best_other("tput1_mbit", "synaptic")
    targets.append(("iperf3 1 stream ≥ 0.25 × direct", f"{fmt(t_s, 0)} Mbit/s (direct {fmt(t_d, 0)})", ratio(t_s, t_d, 3),
                    f"{ratio(t_s, bo_t)} ({bo})" if bo else "–", verdict(t_s and t_d and t_s / t_d >= 0.25, t_s is not None and t_d is not None)))
    c_s = med(values("synaptic", "cpu1_per_gb"))
    bo, bo_c = best_other("cpu1_per_gb", "synaptic")
    targets.append(("CPU per GB ≤ 3 CPU-s (iperf3 1 stream, both nodes)", f"{fmt(c_s, 2)} CPU-s/GB (4 streams: {fmt(med(values('synaptic', 'cpu4_per_gb')), 2)})",
                    "–", f"{ratio(c_s, bo_c)} ({bo}: {fmt(bo_c, 2)})" if bo else "–", verdict(c_s is not None and c_s <= 3, c_s is not None)))

ex = rows("exchange.tsv")
ex_syn = [v for v in (num(r[1]) for r in ex) if v is not None]
ex_ping = {k: [v for v in (num(r[i]) for r in ex if len(r) > i) if v is not None] for k, i in (("synaptic", 2), ("wireguard-go", 3), ("direct", 4))}
if ex:
    m, p99 = med(ex_syn), pct(ex_syn, 99)
    wg1, d1 = med(ex_ping["wireguard-go"]), med(ex_ping["direct"])
    cmp_ = f"first packet's RTT {ratio(med(ex_ping['synaptic']), wg1)} (wireguard-go: handshake + RTT)" if wg1 else "–"
    cmpd = f"first packet's RTT {ratio(med(ex_ping['synaptic']), d1, 0)} (direct: ARP + RTT)" if d1 else "–"
    targets.append(("Base exchange median ≤ 1 ms", f"{fmt(m, 2)} ms ({len(ex_syn)} of {len(ex)} exchanges)", cmpd, cmp_,
                    verdict(m is not None and m <= 1, m is not None)))
    targets.append(("Base exchange p99 ≤ 3 ms", f"{fmt(p99, 2)} ms", "–", "–", verdict(p99 is not None and p99 <= 3, p99 is not None)))

ini = rows("initiators.tsv")
steps = rows("initiators-steps.tsv")
by_n = defaultdict(list); started_n = defaultdict(int); rtx_n = defaultdict(list); i1_n = defaultdict(list)
for r in ini:
    started_n[int(r[0])] += 1
    if num(r[3]) is not None:
        by_n[int(r[0])].append(num(r[3]))
    if len(r) >= 7 and num(r[6]) is not None:
        rtx_n[int(r[0])].append(num(r[6])); i1_n[int(r[0])].append(num(r[4]))
if 100 in started_n:
    c100, s100 = len(by_n[100]), started_n[100]
    targets.append(("100 initiators at once: all complete", f"{c100} of {s100} ({s100 // 100} trials)", "–", "–", verdict(c100 == s100)))
    m100 = med(by_n[100])
    targets.append(("100 initiators at once: median < 5 ms", f"{fmt(m100, 2)} ms", "–", "–", verdict(m100 is not None and m100 < 5, m100 is not None)))
else:
    targets.append(("100 initiators at once: all complete, median < 5 ms", "not run (steps: " + (", ".join(str(n) for n in sorted(started_n)) or "none") + ")", "–", "–", "not measured"))

md.append("## Targets (issue 10)")
md.append("")
para("Medians over the rounds. \"vs direct\" is synaptic ÷ the direct path, \"vs best other tunnel\" synaptic ÷ the best "
     "of wireguard-go, OpenVPN and Weave in this run (highest for rates, lowest for times and CPU; the one named).")
table(["target", "measured", "vs direct", "vs best other tunnel", "verdict"], targets)
met = sum(1 for t in targets if "met" in t[4] and "missed" not in t[4]); missed = sum(1 for t in targets if "missed" in t[4])
para(f"{met} met, {missed} missed" + (f", {len(targets) - met - missed} not measured" if len(targets) - met - missed else "") + ".")

# ---- cases -----------------------------------------------------------------------------------------------
md.append("## Cases")
md.append("")
for c in ORDER:
    if c in case_state:
        md.append(f"- **{c}**: " + (case_note.get(c, "") if case_state[c] == "up" else case_state[c]))
for c in case_state:
    if c not in ORDER:
        md.append(f"- **{c}**: {case_state[c]}")
md.append("")
para("Each case runs between two namespaces joined by a veth pair (Weave: two host namespaces on a veth, each with "
     "a container namespace on weaver's bridge). Rounds are interleaved: round 1 measures every case, then round 2, "
     "and so on, so slow drifts of the machine's load hit every case alike. Per case and round: TCP_RR, sockperf, "
     "iperf3 with 1 stream, iperf3 with 4 streams, each for the same number of seconds.")


def case_table(metric, unit, d=0, lower_better=False, extra=None):
    body = []
    d_med = med(values("direct", metric))
    for c in cases_up:
        v = values(c, metric)
        if not v:
            continue
        m = med(v)
        bo, bm = best_other(metric, c)
        row = [c, fmt(m, d), f"{fmt(min(v), d)} – {fmt(max(v), d)}", fmt(sd(v), d),
               ratio(m, d_med) if c != "direct" else "1", f"{ratio(m, bm)} ({bo})" if bo and c != "direct" else "–"]
        if extra:
            row.append(extra(c))
        body.append(row)
    head = ["case", f"median {unit}", "min – max", "std dev", "÷ direct", "÷ best other tunnel"] + (["notes"] if extra else [])
    table(head, body)


def plot_line(name):  # the link is checked once the plots are drawn (at the end)
    para(f"@@PLOT {name}@@")


if cases_up and rounds:
    md.append("## Fig. 4c: TCP_RR, 1024-byte request and response")
    md.append("")
    para(f"Transactions per second over one TCP connection (`Perf/tools/tcprr.c`), {len(rounds)} rounds; error bars "
         "in the plot span the rounds' minimum to maximum.")
    case_table("rr_tps", "t/s")
    plot_line("fig4c-tcp-rr.png")

    md.append("## Round-trip time (sockperf ping-pong, TCP, 1024 bytes)")
    md.append("")
    para("`sockperf pp --tcp -m 1024 --full-rtt` (sockperf 3.7 has no IPv6: synaptic is reached by its LSI here, "
         "by its HIT everywhere else). Round trips in µs; the \"added\" column is the median over rounds of "
         "(case p50 − direct p50) in the same round.")
    body = []
    for c in cases_up:
        p50, p90, p99 = (values(c, f"rtt_{p}_us") for p in ("p50", "p90", "p99"))
        if not p50:
            continue
        add = per_round_diff(c, "rtt_p50_us") if c != "direct" else []
        bo, bm = best_other("rtt_p50_us", c)
        body.append([c, fmt(med(p50)), f"{fmt(min(p50))} – {fmt(max(p50))}", fmt(med(p90)), fmt(med(p99)),
                     f"+{fmt(med(add))}" if add else "–", ratio(med(p50), med(values("direct", "rtt_p50_us"))) if c != "direct" else "1",
                     f"{ratio(med(p50), bm)} ({bo})" if bo and c != "direct" else "–"])
    table(["case", "p50 µs", "p50 min – max", "p90 µs", "p99 µs", "added at p50 µs", "p50 ÷ direct", "p50 ÷ best other tunnel"], body)
    plot_line("rtt-percentiles.png")

    md.append("## Throughput (iperf3) and CPU per GB")
    md.append("")
    para("iperf3 TCP from the client namespace to the server namespace, Mbit/s received. CPU: user + system time of "
         "the tunnel processes on both sides (`/proc/PID/stat`, all threads) during the run, per GB (10⁹ bytes) "
         "received; kernel work done outside those processes (softirq on other threads) is not in it. The direct "
         "path has no tunnel process.")
    md.append("**1 stream**"); md.append("")
    case_table("tput1_mbit", "Mbit/s", extra=lambda c: f"retransmits median {fmt(med(values(c, 'tput1_retransmits')), 0)}")
    md.append("**4 streams**"); md.append("")
    case_table("tput4_mbit", "Mbit/s", extra=lambda c: f"retransmits median {fmt(med(values(c, 'tput4_retransmits')), 0)}")
    plot_line("throughput.png")
    md.append("**Tunnel CPU-seconds per GB received**"); md.append("")
    body = []
    for c in cases_up:
        if c == "direct":
            continue
        v1, v4 = values(c, "cpu1_per_gb"), values(c, "cpu4_per_gb")
        if not v1 and not v4:
            continue
        bo, bm = best_other("cpu1_per_gb", c)
        body.append([c, fmt(med(v1), 2), f"{fmt(min(v1), 2) if v1 else '–'} – {fmt(max(v1), 2) if v1 else '–'}", fmt(med(v4), 2),
                     f"{ratio(med(v1), bm)} ({bo})" if bo else "–"])
    table(["case", "1 stream CPU-s/GB", "min – max", "4 streams CPU-s/GB", "1 stream ÷ best other tunnel"], body)
    plot_line("cpu-per-gb.png")

    md.append("## Per round, with the machine's load")
    md.append("")
    para("1-minute load average and the number of compiler processes (other people's builds) when each round "
         "started, and each case's TCP_RR and 1-stream iperf3 in that round.")
    lr = {r[1]: r for r in load if r[0] == "datapath"}
    head = ["round", "load 1 min", "compilers"] + [f"{c} TCP_RR / Mbit/s" for c in cases_up]
    body = []
    for rnd in rounds:
        r = lr.get(f"round {rnd}")
        body.append([rnd, r[3] if r else "–", r[6] if r and len(r) > 6 else "–"] +
                     [f"{fmt(datapath[c]['rr_tps'].get(rnd), 0)} / {fmt(datapath[c]['tput1_mbit'].get(rnd), 0)}" for c in cases_up])
    table(head, body)

# ---- Fig. 4a ---------------------------------------------------------------------------------------------
if ex:
    md.append("## Fig. 4a: base exchange latency")
    md.append("")
    para("A fresh synaptic Initiator per exchange (a new `synaptic up` that starts the exchange for a ping to the "
         "Responder's HIT); the latency is the Initiator's own measure, I1 sent → R2 received "
         "(`synaptic status --json`, `latencyMilliseconds`). Beside it, interleaved with every exchange, the round "
         "trip of the first packet on a fresh path: the ping that started synaptic's exchange; wireguard-go after "
         "its peer was removed and added again (a new handshake: initiation and response, then the ping); the "
         "direct path with the neighbour cache flushed (ARP, then the ping). ECDSA P-256 host identities, "
         "the default DH group and puzzle difficulty.")
    body = []
    for label, v in (("synaptic I1 → R2", ex_syn), ("synaptic first ping (exchange + RTT)", ex_ping["synaptic"]),
                     ("wireguard-go first ping (handshake + RTT)", ex_ping["wireguard-go"]),
                     ("direct first ping (ARP + RTT)", ex_ping["direct"])):
        if v:
            body.append([label, len(v), fmt(med(v), 3), fmt(pct(v, 90), 3), fmt(pct(v, 99), 3), fmt(min(v), 3), fmt(max(v), 3)])
    table(["measure", "n", "median ms", "p90 ms", "p99 ms", "min ms", "max ms"], body)
    failed = len(ex) - len(ex_syn)
    resp = {}
    try:
        resp = json.load(open(os.path.join(DATA, "exchange-responder.json")))
    except (OSError, ValueError):
        pass
    para(f"Exchanges without a latency: {failed}. Responder's HIP packets received: "
         f"{', '.join(f'{k} {v}' for k, v in sorted(resp.get('hipPacketsReceived', {}).items())) or '–'}; "
         f"events: {', '.join(f'{k} {v}' for k, v in sorted(resp.get('hipEvents', {}).items())) or 'none'}.")
    plot_line("fig4a-base-exchange-cdf.png")

# ---- Fig. 4b ---------------------------------------------------------------------------------------------
if ini:
    md.append("## Fig. 4b: many initiators at once")
    md.append("")
    para("One Responder; N initiator hosts, each its own network namespace on a bridge with its own address and "
         "its own `synaptic up` process (one identity each; at 100 hosts the nodes' resident memory is in the "
         "table: it fits in this machine's memory many times over). All N nodes are started and given 1 s, then "
         "one process that opened a UDP socket in each namespace sends one datagram to the Responder's HIT from "
         "every socket (the 'spread' column: how long sending all N took; the sender ran at "
         f"{'real-time priority (' + meta['initiators_fire_priority'] + ')' if meta.get('initiators_fire_priority', 'normal') != 'normal' else 'normal priority'}); "
         "each datagram starts that node's base exchange. Latency: each Initiator's I1 → R2. Completed: ESTABLISHED within 30 s. Steps interleaved over "
         "the trials.")
    sts = defaultdict(list)
    for r in steps:
        sts[int(r[0])].append(r)
    body = []
    for n in sorted(started_n):
        v = by_n[n]
        st = sts.get(n, [])
        body.append([n, len(st), f"{len(v)} / {started_n[n]}", fmt(statistics.mean(v) if v else None, 2), fmt(sd(v), 2),
                     fmt(med(v), 2), fmt(pct(v, 90), 2), fmt(max(v) if v else None, 2),
                     fmt(med([num(r[4]) * 1000 for r in st if num(r[4]) is not None]), 1),
                     fmt(med([num(r[5]) for r in st if num(r[5]) is not None]), 0),
                     f"{sum(1 for x in rtx_n[n] if x > 0)} / {len(rtx_n[n])}" if rtx_n[n] else "–",
                     ", ".join(r[6] for r in st)])
    table(["initiators", "trials", "completed", "mean ms", "std dev ms", "median ms", "p90 ms", "max ms",
           "spread ms", "nodes' RSS MiB", "initiators that retransmitted", "load 1 min per trial"], body)
    per_trial = []
    for n in sorted(started_n):
        for t in sorted({r[1] for r in ini if int(r[0]) == n}):
            v = [num(r[3]) for r in ini if int(r[0]) == n and r[1] == t and num(r[3]) is not None]
            if v:
                per_trial.append(f"{n}/{t}: {fmt(med(v), 1)}")
    para("Median latency per step and trial (initiators/trial: ms): " + "; ".join(per_trial) + ". "
         "\"Retransmitted\": the Initiator's own `retransmissions` event count (I1 or I2 sent again after its "
         "timer) is above zero; every Initiator sends its I1 over raw HIP and over UDP, so two I1s each is normal.")
    resp = {}
    try:
        resp = json.load(open(os.path.join(DATA, "initiators-responder.json")))
    except (OSError, ValueError):
        pass
    para(f"Responder over all steps: HIP packets received {', '.join(f'{k} {v}' for k, v in sorted(resp.get('hipPacketsReceived', {}).items())) or '–'}; "
         f"sent {', '.join(f'{k} {v}' for k, v in sorted(resp.get('hipPacketsSent', {}).items())) or '–'}; "
         f"rejections {', '.join(f'{k} {v}' for k, v in sorted(resp.get('rejections', {}).items())) or 'none'}; "
         f"drops {', '.join(f'{k} {v}' for k, v in sorted(resp.get('drops', {}).items())) or 'none'}; "
         f"events {', '.join(f'{k} {v}' for k, v in sorted(resp.get('hipEvents', {}).items())) or 'none'}. "
         "No comparator: the other tunnels have no equivalent measured here.")
    plot_line("fig4b-initiators.png")

# ---- Fig. 5 ----------------------------------------------------------------------------------------------
runs = {r[0]: r for r in rows("mobility-runs.tsv")}
moves = defaultdict(list)
for r in rows("mobility-moves.tsv"):
    moves[r[0]].append(float(r[1]))
series, intervals = {}, {}
for c, r in runs.items():
    s = [tuple(map(float, l.split())) for l in open(os.path.join(DATA, f"mobility-{c}.samples")) if len(l.split()) == 2] \
        if os.path.exists(os.path.join(DATA, f"mobility-{c}.samples")) else []
    t0 = float(r[1])
    # (interval start, interval end, Mbit/s received in it), seconds from the start of the stream
    intervals[c] = [(a[0] - t0, b[0] - t0, (b[1] - a[1]) * 8 / 1e6 / (b[0] - a[0])) for a, b in zip(s, s[1:]) if b[0] > a[0]]
    series[c] = [((a + b) / 2, v) for a, b, v in intervals[c]]


def continuity(c):
    """Per move: (dip ms, zero ms). dip: the first sample interval within 1 s after the move whose rate is below
    half the median of the second before the move, to the next interval at or above that (0: no such dip;
    None: the rate does not come back within the run; "stopped": nothing was flowing before the move).
    zero: the longest stretch of intervals with nothing received within 2 s after the move."""
    out = []
    t0 = float(runs[c][1])
    for m in moves.get(c, []):
        mt = m - t0
        ref = med([v for a, b, v in intervals[c] if mt - 1.0 <= a and b <= mt]) or 0
        after = [(a, b, v) for a, b, v in intervals[c] if b > mt]
        zero, run_start = 0.0, None
        for a, b, v in [x for x in after if x[0] <= mt + 2]:
            if v == 0:
                run_start = max(a, mt) if run_start is None else run_start
                zero = max(zero, b - run_start)
            else:
                run_start = None
        if ref == 0:
            out.append(("stopped", zero * 1000)); continue
        low = next((i for i, (a, b, v) in enumerate(after) if a <= mt + 1 and v < ref / 2), None)
        if low is None:
            out.append((0.0, zero * 1000)); continue
        back = next((a for a, b, v in after[low + 1:] if v >= ref / 2), None)
        out.append(((back - max(after[low][0], mt)) * 1000 if back is not None else None, zero * 1000))
    return out


def alive_at_end(c):
    """Bytes arrived in the last second of the stream (the stream's length: the last move's run length)."""
    length = float(meta.get("mobility_seconds", "0") or 0)
    if not length:
        return None
    return any(v > 0 for a, b, v in intervals[c] if length - 1.0 <= a and b <= length)


if runs:
    md.append("## Fig. 5: session continuity while the sender moves")
    md.append("")
    para("One iperf3 TCP stream from A to B for the whole run; A's address changes on its link (a new address "
         "appears, the old one goes) at the dashed lines. Received throughput from B's interface counters (the TUN "
         "of the tunnel, or the veth for the direct path) every 50 ms. synaptic announces the new locator with "
         "UPDATE and B moves its ESP once A answered the echo; wireguard-go's B follows A's new source address at "
         "the first authenticated packet; the direct TCP connection is bound to the old address and stops.")
    body = []
    for c in runs:
        cont = continuity(c)
        first = min(moves.get(c, [float("inf")])) - float(runs[c][1])
        rates = [v for t, v in series.get(c, []) if 0.5 < t < first]
        alive = alive_at_end(c)
        result = runs[c][4] if len(runs[c]) > 4 else ("exited 0" if runs[c][2] == "1" else "stopped or failed")
        body.append([c, result, "–" if alive is None else ("yes" if alive else "no"), len(moves.get(c, [])),
                     fmt(med(rates), 0),
                     ", ".join(s if isinstance(s, str) else fmt(s, 0) if s is not None else "never" for s, _ in cont) or "–",
                     ", ".join(fmt(z, 0) for _, z in cont) or "–"])
    table(["case", "iperf3 says", "receiving in the last second", "moves", "median Mbit/s before the first move", "per move: below half rate for (ms)",
           "per move: longest time with nothing received (ms)"], body)
    syn_st = [s for s, _ in continuity("synaptic") if isinstance(s, float)] if "synaptic" in runs else []
    wg_st = [s for s, _ in continuity("wireguard-go") if isinstance(s, float)] if "wireguard-go" in runs else []
    if syn_st and wg_st:
        para(f"Median time below half rate: synaptic {fmt(med(syn_st), 0)} ms, wireguard-go {fmt(med(wg_st), 0)} ms "
             f"(ratio {ratio(med(syn_st), med(wg_st))}).")
    para("\"iperf3 says\": the client's own result (its JSON's error, if any); the receiver's bytes in the last "
         "second of the stream are the better witness of a session that lives on.")
    para("\"Below half rate\": from the first 50 ms sample within 1 s after the move whose rate is below half the "
         "median of the second before the move, to the next sample at or above it; 0: no such dip; \"never\": the "
         "rate did not come back within the run; \"stopped\": nothing was flowing before this move. "
         "Resolution: one sample (50 ms, longer when the sampler was held up on the busy machine).")
    if "wireguard-go" in runs and any(st is None or st == "stopped" for st, _ in continuity("wireguard-go")):
        para("wireguard-go's stream stopped at a move and did not come back: wireguard-go 0.0.20220316 (Debian 12) sends with the "
             "source address it last used (sticky source, IP_PKTINFO); once that address is gone, `sendmsg` fails "
             "with ENETUNREACH and it does not retry without it (seen with strace in this setup), so nothing "
             "reaches the peer from the new address and the peer never learns it. (The kernel's WireGuard, "
             "not available in this kernel, checks that a cached source address is still local before it uses it.)")
    upd = rows("mobility-updates.tsv")
    if upd:
        cols = list(zip(*[[num(x) for x in r[1:4]] for r in upd]))
        def summ(v):
            v = [x for x in v if x is not None]
            return (fmt(med(v), 2), fmt(max(v) if v else None, 2), len(v))
        md.append(f"**UPDATE timing over {len(upd)} moves** (synaptic only; a 1 ms UDP probe from B to A's HIT and a "
                  "capture in A's namespace; moves 0.5 s apart)")
        md.append("")
        table(["measure", "median ms", "max ms", "moves measured"],
              [["UPDATE exchange: A's first UPDATE from the new address → A's UPDATE with ECHO_RESPONSE_SIGNED", *summ(cols[0])],
               ["A's first UPDATE → first ESP from B to the new address", *summ(cols[1])],
               ["gap in B's ESP: last to the old address → first to the new", *summ(cols[2])]])
    plot_line("fig5-mobility.png")

# ---- load over the run -----------------------------------------------------------------------------------
if load:
    md.append("## Load over the run")
    md.append("")
    para("The 1-minute load average at every recorded step (round and case starts, part starts and ends); "
         "2 CPUs, so a load above 2 means runnable work waited.")
    plot_line("load.png")

skips = [c for c, s in case_state.items() if s != "up"]
if skips:
    md.append("## Skipped or failed cases")
    md.append("")
    for c in skips:
        md.append(f"- {c}: {case_state[c]} (the run's output says why)")
    md.append("")

md.append("## How to read this")
md.append("")
for s in ("Medians over rounds are the headline; the min – max span and the standard deviation show how much the "
          "shared machine moved them. A ratio is one median ÷ another median of the same run.",
          "TCP_RR is latency-bound (one 1024-byte request in flight): it shows the per-packet cost of a tunnel in "
          "both directions. iperf3 is throughput-bound: it shows batching and crypto cost. CPU per GB is the price "
          "of that throughput in the tunnel processes.",
          "The direct path's round trip is itself tens of µs and swings with the load; compare the \"added\" "
          "column and the ratios of the same run rather than numbers across runs.",
          "A smoke run (`--smoke`, part of `make test`) runs every part for a second or so with a debug build: it "
          "checks that the harness works, its numbers mean nothing."):
    md.append(f"- {s}")
md.append("")
if not shutil.which("gnuplot"):
    para("(gnuplot is not installed: no plots were drawn.)")


# ---- plots (gnuplot) -------------------------------------------------------------------------------------
def gnuplot(name, script, datasets):
    if not shutil.which("gnuplot"):
        return
    pdir = os.path.join(DATA, "plots"); os.makedirs(pdir, exist_ok=True)
    for fname, text in datasets.items():
        open(os.path.join(pdir, fname), "w").write(text)
    head = (f"set terminal pngcairo size 1000,560 font 'DejaVu Sans,11'\nset output '{os.path.join(OUT, name)}'\n"
            "set grid ytics lc rgb '#dddddd'\nset border 3\nset tics nomirror\n")
    open(os.path.join(pdir, name.replace(".png", ".gp")), "w").write(head + script)
    r = subprocess.run(["gnuplot", name.replace(".png", ".gp")], cwd=pdir, capture_output=True, text=True)
    if r.returncode != 0:
        print(f"evaluate_report: gnuplot {name}: {r.stderr.strip()}", file=sys.stderr)


if cases_up and rounds:
    def bars(metric, scale=1.0):
        lines = []
        for i, c in enumerate(cases_up):
            v = [x * scale for x in values(c, metric)]
            if v:
                lines.append(f"{i} \"{c}\" {med(v)} {min(v)} {max(v)}")
        return "\n".join(lines) + "\n"
    gnuplot("fig4c-tcp-rr.png",
            "set title 'TCP\\_RR, 1024-byte request and response (median; bars: min–max over rounds)'\n"
            "set ylabel 'transactions per second'\nset style fill solid 0.6 border -1\nset boxwidth 0.6\n"
            "set yrange [0:*]\nset xrange [-0.6:*]\n"
            "plot 'rr.dat' using 1:3:xtic(2) with boxes lc rgb '#4477aa' notitle, "
            "'' using 1:3:4:5 with yerrorbars lc rgb 'black' pt -1 notitle, "
            "'' using 1:3:(sprintf('%.0f', $3)) with labels offset 0,1.2 notitle\n",
            {"rr.dat": bars("rr_tps")})
    lines = []
    for i, c in enumerate(cases_up):
        p = [med(values(c, f"rtt_{q}_us")) for q in ("p50", "p90", "p99")]
        if None not in p:
            lines.append(f"{i} \"{c}\" {p[0]} {p[1]} {p[2]}")
    gnuplot("rtt-percentiles.png",
            "set title 'Round trip, sockperf ping-pong over TCP, 1024 bytes (medians over rounds)'\n"
            "set ylabel 'µs'\nset logscale y\nset style data histogram\nset style histogram clustered gap 1\n"
            "set style fill solid 0.7 border -1\nset key top left\n"
            "plot 'rtt.dat' using 3:xtic(2) title 'p50' lc rgb '#4477aa', '' using 4 title 'p90' lc rgb '#66ccee', "
            "'' using 5 title 'p99' lc rgb '#ee6677'\n",
            {"rtt.dat": "\n".join(lines) + "\n"})
    lines = []
    for i, c in enumerate(cases_up):
        a, b = values(c, "tput1_mbit"), values(c, "tput4_mbit")
        if a and b:
            lines.append(f"{i} \"{c}\" {med(a)} {min(a)} {max(a)} {med(b)} {min(b)} {max(b)}")
    gnuplot("throughput.png",
            "set title 'iperf3 TCP throughput received (median; bars: min–max over rounds)'\n"
            "set ylabel 'Mbit/s'\nset logscale y\nset style fill solid 0.7 border -1\nset boxwidth 0.35\n"
            "set key top right\nset xrange [-0.6:*]\n"
            "plot 'tput.dat' using ($1-0.18):3:xtic(2) with boxes lc rgb '#4477aa' title '1 stream', "
            "'' using ($1-0.18):3:4:5 with yerrorbars lc rgb 'black' pt -1 notitle, "
            "'' using ($1+0.18):6 with boxes lc rgb '#ccbb44' title '4 streams', "
            "'' using ($1+0.18):6:7:8 with yerrorbars lc rgb 'black' pt -1 notitle\n",
            {"tput.dat": "\n".join(lines) + "\n"})
    lines = []
    for i, c in enumerate([c for c in cases_up if c != "direct"]):
        a, b = values(c, "cpu1_per_gb"), values(c, "cpu4_per_gb")
        if a and b:
            lines.append(f"{i} \"{c}\" {med(a)} {min(a)} {max(a)} {med(b)} {min(b)} {max(b)}")
    if lines:
        gnuplot("cpu-per-gb.png",
                "set title 'CPU time of the tunnel processes (both sides) per GB received (median; bars: min–max)'\n"
                "set ylabel 'CPU-seconds per GB'\nset style fill solid 0.7 border -1\nset boxwidth 0.35\n"
                "set yrange [0:*]\nset key top left\nset xrange [-0.6:*]\n"
                "set arrow from graph 0, first 3 to graph 1, first 3 nohead dt 2 lc rgb '#aa3377'\n"
                "set label 'target for synaptic: 3' at graph 0.01, first 3 offset 0,0.6 tc rgb '#aa3377'\n"
                "plot 'cpu.dat' using ($1-0.18):3:xtic(2) with boxes lc rgb '#4477aa' title '1 stream', "
                "'' using ($1-0.18):3:4:5 with yerrorbars lc rgb 'black' pt -1 notitle, "
                "'' using ($1+0.18):6 with boxes lc rgb '#ccbb44' title '4 streams', "
                "'' using ($1+0.18):6:7:8 with yerrorbars lc rgb 'black' pt -1 notitle\n",
                {"cpu.dat": "\n".join(lines) + "\n"})

if ex:
    ds, plots = {}, []
    for key, label, v, color in (("syn", "synaptic I1 → R2", ex_syn, "#4477aa"),
                                 ("synping", "synaptic first ping", ex_ping["synaptic"], "#66ccee"),
                                 ("wg", "wireguard-go first ping", ex_ping["wireguard-go"], "#228833"),
                                 ("direct", "direct first ping (ARP)", ex_ping["direct"], "#bbbbbb")):
        if v:
            s = sorted(v)
            ds[f"cdf-{key}.dat"] = "\n".join(f"{x} {(i + 1) / len(s)}" for i, x in enumerate(s)) + "\n"
            plots.append(f"'cdf-{key}.dat' using 1:2 with steps lw 2 lc rgb '{color}' title '{label} (n={len(s)})'")
    gnuplot("fig4a-base-exchange-cdf.png",
            "set title 'Base exchange latency and first-packet round trip on a fresh path (CDF)'\n"
            "set xlabel 'ms'\nset ylabel 'fraction of exchanges'\nset yrange [0:1.02]\nset logscale x\nset key bottom right\n"
            "set arrow from 1, graph 0 to 1, graph 1 nohead dt 2 lc rgb '#aa3377'\n"
            "set label 'target median 1 ms' at 1, graph 0.95 offset 0.5,0 tc rgb '#aa3377'\n"
            "plot " + ", ".join(plots) + "\n", ds)

if ini:
    lines = []
    for n in sorted(started_n):
        v = by_n[n]
        if v:
            lines.append(f"{n} {statistics.mean(v)} {sd(v) or 0} {len(v) / started_n[n] * 100}")
        else:
            lines.append(f"{n} NaN NaN 0")
    gnuplot("fig4b-initiators.png",
            "set title 'N initiators starting base exchanges with one Responder at once'\n"
            "set xlabel 'initiator hosts'\nset ylabel 'I1 → R2 latency, ms (mean ± std dev)'\nset y2label 'completed, %'\n"
            "set y2range [0:130]\nset y2tics 0,20,100\nset yrange [0:*]\nset key top left\n"
            f"set xrange [{min(started_n) - 10}:{max(started_n) + 10}]\n"
            "set arrow from graph 0, first 5 to graph 1, first 5 nohead dt 2 lc rgb '#aa3377'\n"
            "set label 'target: median < 5 ms at 100' at graph 0.01, first 5 offset 0,0.6 tc rgb '#aa3377'\n"
            "set xtics (" + ", ".join(str(n) for n in sorted(started_n)) + ")\n"
            "plot 'ini.dat' using 1:2:3 with yerrorlines lw 2 pt 7 lc rgb '#4477aa' title 'latency', "
            "'' using 1:4 axes x1y2 with linespoints dt 3 pt 5 lc rgb '#228833' title 'completed'\n",
            {"ini.dat": "\n".join(lines) + "\n"})

if runs:
    ds, cmds = {}, []
    order = [c for c in ("synaptic", "wireguard-go", "direct") if c in series] + [c for c in series if c not in ("synaptic", "wireguard-go", "direct")]
    h = 1.0 / len(order)
    for i, c in enumerate(order):
        ds[f"mob-{c}.dat"] = "\n".join(f"{t:.3f} {v:.2f}" for t, v in series[c]) + "\n"
        arrows = "".join(f"set arrow from {m - float(runs[c][1]):.3f}, graph 0 to {m - float(runs[c][1]):.3f}, graph 1 nohead dt 2 lc rgb '#aa3377'\n"
                         for m in moves.get(c, []))
        cmds.append(f"unset arrow\n{arrows}set origin 0,{1 - (i + 1) * h}\nset size 1,{h}\n"
                    f"set title '{c}: received throughput while the sender changes address (dashed lines)'\n"
                    + ("set xlabel 'seconds'\n" if i == len(order) - 1 else "unset xlabel\n")
                    + f"plot 'mob-{c}.dat' using 1:($2) with lines lw 1.5 lc rgb '#4477aa' notitle\n")
    gnuplot("fig5-mobility.png",
            f"set terminal pngcairo size 1000,{300 * len(order)} font 'DejaVu Sans,11'\nset output '{os.path.join(OUT, 'fig5-mobility.png')}'\n"
            "set multiplot\nset ylabel 'Mbit/s'\nset yrange [0:*]\n"
            f"set xrange [0:{float(meta.get('mobility_seconds', '0') or 0) + 1 or '*'}]\n" + "".join(cmds) + "unset multiplot\n", ds)

if load:
    t0 = min(float(r[2]) for r in load)
    ds = {"load.dat": "\n".join(f"{float(r[2]) - t0:.1f} {r[3]} {r[6] if len(r) > 6 else 0}" for r in sorted(load, key=lambda r: float(r[2]))) + "\n"}
    gnuplot("load.png",
            "set title 'Machine load during the run'\nset xlabel 'seconds since the first sample'\n"
            "set ylabel '1-minute load average'\nset y2label 'compiler processes'\nset y2tics\nset yrange [0:*]\nset y2range [0:*]\n"
            "plot 'load.dat' using 1:2 with linespoints pt 7 ps 0.5 lc rgb '#4477aa' title 'load', "
            "'' using 1:3 axes x1y2 with steps lc rgb '#ee6677' title 'compilers'\n", ds)

for i, line in enumerate(md):
    if line.startswith("@@PLOT "):
        name = line[7:-2]
        md[i] = f"![{name}]({name})" if os.path.exists(os.path.join(OUT, name)) else f"(plot {name} missing: gnuplot failed or is not installed)"
open(os.path.join(OUT, "report.md"), "w").write("\n".join(md).rstrip() + "\n")
print("\n".join(f"  {t[0]}: {t[1]} → {t[4].replace('*', '')}" for t in targets))
