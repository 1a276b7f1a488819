#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The machine-readable result of tools/bench.sh, and its chart.

  bench_plot.py json ROWS.tsv META.tsv OUT.json   (bench.sh --json)
  bench_plot.py plot IN.json OUT.svg              (bench.sh --plot)

ROWS.tsv has one table row per line: cell, label, unit, libzmq value,
zgss value, lower is better (1/0), drawn (1/0; MB/s rows repeat their
msg/s row's ratio and are not drawn), and the lowest and highest
zgss/libzmq ratio over the cell's pairs of runs (empty for a single run).
META.tsv is key<TAB>value.

The chart has two panels. The first has one horizontal bar per drawn row:
how many times better zgss is than libzmq, so that 1.0 is a draw and
longer is better for every bar: zgss/libzmq where higher is better,
libzmq/zgss (marked "inverted") where lower is better (latency, memory,
time until ready, CPU), with a whisker from the lowest to the highest
ratio of the cell's pairs of runs. The second compares the time per handshake
iteration of both implementations with the machine's floor (bare TCP +
the Kerberos work). Every bar carries an SVG id ("cell-N" in the first
panel, "handshake-..." in the second) so tests can count them.
"""
import json
import sys


def number(text):
    try:
        return float(text)
    except ValueError:
        return None


def to_json(rows_path, meta_path, out_path):
    rows = []
    with open(rows_path, encoding="utf-8") as f:
        for line in f:
            fields = line.rstrip("\n").split("\t")
            if len(fields) != 9:
                sys.exit(f"bench_plot: malformed row in {rows_path}: {line!r}")
            cell, label, unit, libzmq, zgss, lower, drawn, low, high = fields
            libzmq, zgss = number(libzmq), number(zgss)
            ratio = zgss / libzmq if libzmq and zgss is not None else None
            low, high = number(low), number(high)
            rows.append({"cell": cell, "label": label, "unit": unit, "libzmq": libzmq, "zgss": zgss,
                         "ratio": ratio, "lower_is_better": lower == "1", "drawn": drawn == "1",
                         # the lowest and highest zgss/libzmq ratio over the
                         # cell's pairs of runs (null for a single run)
                         "pair_ratio_range": [low, high] if low is not None and high is not None else None})
    meta = {}
    with open(meta_path, encoding="utf-8") as f:
        for line in f:
            key, _, value = line.rstrip("\n").partition("\t")
            meta[key] = value
    floor_tcp = number(meta.get("floor_tcp_us", ""))
    kerberos_hs = number(meta.get("kerberos_hs", ""))
    kerberos_us = 1e6 / kerberos_hs if kerberos_hs else None

    def per_handshake(key):
        rate = number(meta.get(key, ""))
        return 1e6 / rate if rate else None

    result = {
        "title": meta.get("title", ""), "machine": meta.get("machine", ""), "date": meta.get("date", ""),
        "mode": meta.get("mode", ""), "quick": meta.get("quick") == "1", "rows": rows,
        "handshake": {
            "floor_tcp_us": floor_tcp, "kerberos_us": kerberos_us,
            "floor_us": floor_tcp + kerberos_us if floor_tcp is not None and kerberos_us is not None else None,
            "libzmq_us": per_handshake("hs_libzmq"), "zgss_us": per_handshake("hs_zgss"),
        },
        "round_trip_floor": {
            "direct_us": number(meta.get("rtt_direct_us", "")),
            "handoff_us": number(meta.get("rtt_handoff_us", "")),
        },
    }
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump(result, f, indent=1, ensure_ascii=False)
        f.write("\n")


def plot(in_path, out_path):
    import matplotlib
    matplotlib.use("Agg")
    matplotlib.rcParams["svg.fonttype"] = "none"  # text stays text
    matplotlib.rcParams["svg.hashsalt"] = "zgss-bench"  # stable ids between runs
    import matplotlib.pyplot as plt
    import matplotlib.ticker

    with open(in_path, encoding="utf-8") as f:
        data = json.load(f)
    rows = [row for row in data["rows"] if row["drawn"]]
    if not rows:
        sys.exit(f"bench_plot: no rows to draw in {in_path}")
    handshake = data.get("handshake", {})

    height = 1.6 + 0.26 * len(rows) + 2.2
    figure, (bars, floor) = plt.subplots(
        2, 1, figsize=(12, height), gridspec_kw={"height_ratios": [0.26 * len(rows) + 0.8, 1.6]})
    labels, values, colours, spreads = [], [], [], []
    for row in rows:
        ratio = row["ratio"]
        label = row["label"]
        spread = row.get("pair_ratio_range")
        if row["lower_is_better"]:
            label += " [inverted: libzmq/zgss]"
            value = 1 / ratio if ratio else None
            if spread and spread[0] and spread[1]:
                spread = [1 / spread[1], 1 / spread[0]]
        else:
            value = ratio
        labels.append(label)
        values.append(value)
        spreads.append(spread if value and spread and spread[0] and spread[1] else None)
        colours.append("#2e7d32" if value is not None and value >= 1 else "#c62828")
    positions = list(range(len(rows)))[::-1]  # first row at the top
    # bars grow from 1.0: to the right where zgss is ahead, to the left
    # where it is behind
    widths = [v - 1 if v is not None else 0 for v in values]
    containers = bars.barh(positions, widths, left=1.0, color=colours, height=0.7)
    for index, (patch, value) in enumerate(zip(containers.patches, values)):
        patch.set_gid(f"cell-{index}")
        text = "FAILED" if value is None else f"{value:.2f}x"
        behind = value is not None and value < 1
        bars.annotate(text, (value or 1.0, patch.get_y() + patch.get_height() / 2),
                      xytext=(-3 if behind else 3, 0), textcoords="offset points", va="center",
                      ha="right" if behind else "left", fontsize=7)
    # the spread of the pairs of runs behind each median (full mode)
    for position, value, spread in zip(positions, values, spreads):
        if spread:
            bars.errorbar([value], [position], xerr=[[max(0.0, value - spread[0])], [max(0.0, spread[1] - value)]],
                          fmt="none", ecolor="#424242", elinewidth=0.8, capsize=2)
    bars.set_xscale("log")
    known = [v for v in values if v] + [x for spread in spreads if spread for x in spread]
    bars.set_xlim(min(known + [1.0]) / 1.8, max(known + [1.0]) * 1.8)
    bars.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda x, _: f"{x:g}"))
    bars.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    bars.axvline(1.0, color="black", linewidth=1.2)
    bars.annotate("1.0 = same as libzmq", (1.0, 1.0), xycoords=("data", "axes fraction"), xytext=(3, -10),
                  textcoords="offset points", fontsize=8)
    bars.set_yticks(positions)
    bars.set_yticklabels(labels, fontsize=7)
    bars.set_ylim(-0.7, len(rows))
    bars.set_xlabel("times better than libzmq (longer is better; right of 1.0: zgss ahead)")
    figure.suptitle(f"{data.get('title', 'zgss vs libzmq')}, {data.get('date', '')}\n{data.get('machine', '')}"
                    + ("\nQUICK MODE: tiny counts, the numbers are not meaningful" if data.get("quick") else ""),
                    fontsize=9)
    bars.set_title("zgss against libzmq per cell (bench/zbench.c built against each)", fontsize=9)
    bars.grid(axis="x", which="both", alpha=0.3)

    # the handshake iteration against the machine's floor
    tcp = handshake.get("floor_tcp_us")
    kerberos = handshake.get("kerberos_us")
    names = ["floor (bare TCP + Kerberos work)", "zgss", "libzmq"]
    ids = ["handshake-floor", "handshake-zgss", "handshake-libzmq"]
    times = [handshake.get("floor_us"), handshake.get("zgss_us"), handshake.get("libzmq_us")]
    y = [2, 1, 0]
    if tcp is not None and kerberos is not None:
        tcp_bar = floor.barh([2], [tcp], color="#90a4ae", height=0.6, label="bare TCP (tcpfloor.c)")
        kerberos_bar = floor.barh([2], [kerberos], left=[tcp], color="#546e7a", height=0.6,
                                  label="Kerberos work (mechbench.c)")
        tcp_bar.patches[0].set_gid("handshake-floor")
        kerberos_bar.patches[0].set_gid("handshake-floor-kerberos")
    for position, name, gid, value in zip(y[1:], names[1:], ids[1:], times[1:]):
        if value is not None:
            patch = floor.barh([position], [value], height=0.6,
                               color="#1565c0" if name == "zgss" else "#ef6c00").patches[0]
            patch.set_gid(gid)
    for position, value in zip(y, times):
        text = "FAILED" if value is None else f"{value:.0f} µs"
        floor.annotate(text, (value or 0, position), xytext=(3, 0), textcoords="offset points", va="center",
                       fontsize=8)
    floor.set_yticks(y)
    floor.set_yticklabels(names, fontsize=8)
    floor.set_xlabel("µs per handshake iteration (connect + REQ/REP + close; shorter is better)")
    longest = max([t for t in times if t] + [1])
    floor.set_xlim(0, longest * 1.2)
    floor.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    floor.set_title("handshake time against this machine's floor", fontsize=9)
    figure.tight_layout()
    figure.savefig(out_path, format="svg")


def main(argv):
    if len(argv) == 5 and argv[1] == "json":
        to_json(argv[2], argv[3], argv[4])
    elif len(argv) == 4 and argv[1] == "plot":
        plot(argv[2], argv[3])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
