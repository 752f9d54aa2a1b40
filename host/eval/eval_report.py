#!/usr/bin/env python3
"""The HTML report of `vigil eval --html DIR` (issue 17 item 3; docs/evaluation.md).

    eval_report.py EVAL.json DIR

Reads the JSON `vigil eval` wrote and writes into DIR: index.html, and PNG plots drawn with
matplotlib (Debian python3-matplotlib): for each label pr-LABEL.png (precision against
recall) and roc-LABEL.png (true against false positive rate), every detector side by side
on one plot, and latency.png (p50/p99 per detector and for decoding). On error the last
line of the output says why, and the exit status is not 0.
"""

import html
import json
import os
import sys


def fail(message):
    print("eval_report: " + message)
    sys.exit(2)


def main(argv):
    if len(argv) != 3:
        fail("usage: eval_report.py EVAL.json DIR")
    try:
        import matplotlib

        matplotlib.use("Agg")  # files only, no display
        import matplotlib.pyplot as plt
    except ImportError as e:
        fail("matplotlib is not installed (Debian: python3-matplotlib): %s" % e)
    try:
        with open(argv[1]) as f:
            report = json.load(f)
    except (OSError, ValueError) as e:
        fail("cannot read %s: %s" % (argv[1], e))
    out = argv[2]
    os.makedirs(out, exist_ok=True)

    labels = []
    for detector in report["detectors"]:
        for row in detector["labels"]:
            if row["label"] not in labels:
                labels.append(row["label"])

    pngs = []

    def save(fig, name):
        path = os.path.join(out, name)
        fig.tight_layout()
        fig.savefig(path, dpi=96)
        plt.close(fig)
        pngs.append(name)
        return name

    plots = {}
    for label in labels:
        fig_pr, ax_pr = plt.subplots(figsize=(6, 4.5))
        fig_roc, ax_roc = plt.subplots(figsize=(6, 4.5))
        for detector in report["detectors"]:
            for row in detector["labels"]:
                if row["label"] != label:
                    continue
                curve = row["curve"]
                recall = [0.0] + [p["recall"] for p in curve]
                precision = [curve[0]["precision"] if curve else 1.0] + [
                    p["precision"] for p in curve]
                name = detector["id"]
                ap = row["average_precision"]
                auc = row["roc_auc"]
                (line,) = ax_pr.step(recall, precision, where="post", marker="o", markersize=3,
                                     label="%s (AP %s)" % (name, "-" if ap is None else "%.3f" % ap))
                colour = line.get_color()
                fpr = [0.0] + [p["false_positive_rate"] for p in curve] + [1.0]
                tpr = [0.0] + [p["recall"] for p in curve] + [1.0]
                ax_roc.plot(fpr, tpr, marker="o", markersize=3, color=colour,
                            label="%s (AUC %s)" % (name, "-" if auc is None else "%.3f" % auc))
                policy = row["at_policy"]
                ax_pr.plot([policy["recall"]], [policy["precision"]], marker="*", markersize=12,
                           linestyle="none", color=colour, label="%s at the policy" % name)
                ax_roc.plot([policy["false_positive_rate"]], [policy["recall"]], marker="*",
                            markersize=12, linestyle="none", color=colour,
                            label="%s at the policy" % name)
        ax_roc.plot([0, 1], [0, 1], linestyle=":", color="grey", label="chance")
        for ax, title, xl, yl in ((ax_pr, "Precision / recall", "recall", "precision"),
                                  (ax_roc, "ROC", "false positive rate", "true positive rate")):
            ax.set_title("%s: label %s" % (title, label))
            ax.set_xlabel(xl)
            ax.set_ylabel(yl)
            ax.set_xlim(-0.02, 1.02)
            ax.set_ylim(-0.02, 1.05)
            ax.grid(True, alpha=0.3)
            ax.legend(loc="lower left" if ax is ax_pr else "lower right", fontsize=8)
        plots[label] = (save(fig_pr, "pr-%s.png" % label), save(fig_roc, "roc-%s.png" % label))

    names = [d["id"] for d in report["detectors"]] + ["(decode)"]
    p50 = [d["latency"]["p50_ms"] for d in report["detectors"]] + [
        report["latency"]["decode"]["p50_ms"]]
    p99 = [d["latency"]["p99_ms"] for d in report["detectors"]] + [
        report["latency"]["decode"]["p99_ms"]]
    fig, ax = plt.subplots(figsize=(6, 0.6 * len(names) + 1.5))
    ys = list(range(len(names)))
    ax.barh([y + 0.2 for y in ys], p99, height=0.4, label="p99", color="#d62728")
    ax.barh([y - 0.2 for y in ys], p50, height=0.4, label="p50", color="#1f77b4")
    ax.set_yticks(ys)
    ax.set_yticklabels(names)
    ax.set_xlabel("ms per item")
    ax.set_title("Latency per item")
    ax.legend()
    latency_png = save(fig, "latency.png")

    e = html.escape
    corpus = report["corpus"]
    parts = [
        "<!DOCTYPE html>",
        "<html><head><meta charset='utf-8'><title>vigil eval</title>",
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
        "td,th{border:1px solid #bbb;padding:3px 8px;text-align:right}"
        "th{background:#eee}td.l{text-align:left}</style></head><body>",
        "<h1>vigil eval</h1>",
        "<p>Corpus <code>%s</code>: %d items (%s), %d failed. Policy: %s.</p>" % (
            e(corpus["file"]), corpus["items"],
            ", ".join("%s %d" % (e(k), v) for k, v in corpus["labels"].items()),
            corpus["failed_items"], e(report["policy"])),
        "<h2>Detectors</h2><table><tr><th>detector</th><th>label</th><th>positives</th>"
        "<th>negatives</th><th>ROC-AUC</th><th>AP</th><th>best F1 (score)</th>"
        "<th>TP</th><th>FP</th><th>FN</th><th>TN</th><th>precision</th><th>recall</th>"
        "<th>F1</th><th>p50 ms</th><th>p99 ms</th></tr>",
    ]

    def num(v):
        return "-" if v is None else "%.3f" % v

    for detector in report["detectors"]:
        for row in detector["labels"]:
            p = row["at_policy"]
            best = row["best_f1"]
            parts.append(
                "<tr><td class=l>%s</td><td class=l>%s</td><td>%d</td><td>%d</td><td>%s</td>"
                "<td>%s</td><td>%s</td><td>%d</td><td>%d</td><td>%d</td><td>%d</td><td>%s</td>"
                "<td>%s</td><td>%s</td><td>%.2f</td><td>%.2f</td></tr>" % (
                    e(detector["id"]), e(row["label"]), row["positives"], row["negatives"],
                    num(row["roc_auc"]), num(row["average_precision"]),
                    "-" if best is None else "%s (%s)" % (num(best["f1"]),
                                                          num(best["threshold"])),
                    p["tp"], p["fp"], p["fn"], p["tn"], num(p["precision"]),
                    num(p["recall"]), num(p["f1"]), detector["latency"]["p50_ms"],
                    detector["latency"]["p99_ms"]))
    for row in report["policy_overall"]:
        p = row["at_policy"]
        parts.append(
            "<tr><td class=l>(policy, all detectors)</td><td class=l>%s</td><td>%d</td>"
            "<td>%d</td><td>-</td><td>-</td><td>-</td><td>%d</td><td>%d</td><td>%d</td>"
            "<td>%d</td><td>%s</td><td>%s</td><td>%s</td><td></td><td></td></tr>" % (
                e(row["label"]), row["positives"], row["negatives"], p["tp"], p["fp"],
                p["fn"], p["tn"], num(p["precision"]), num(p["recall"]), num(p["f1"])))
    parts.append("</table><p>Confusion matrices count an item as flagged when the policy, "
                 "given that detector's results alone, would not clear it.</p>")
    for label in labels:
        pr, roc = plots[label]
        parts.append("<h2>Label %s</h2><img src='%s' alt='precision/recall, %s'> "
                     "<img src='%s' alt='ROC, %s'>" % (e(label), e(pr), e(label), e(roc),
                                                     e(label)))
    parts.append("<h2>Latency</h2><img src='%s' alt='latency per item'>" % e(latency_png))
    parts.append("<p>Full numbers: <a href='eval.json'>eval.json</a>.</p></body></html>")
    with open(os.path.join(out, "index.html"), "w") as f:
        f.write("\n".join(parts) + "\n")
    print("eval_report: wrote index.html and %s" % ", ".join(pngs))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
