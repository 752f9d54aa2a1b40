#!/usr/bin/env python3
"""The HTML report of `vigil eval robustness --html DIR` (issue 17 item 4; docs/evaluation.md).

    robustness_report.py ROBUSTNESS.json DIR

Reads the JSON `vigil eval robustness` wrote and writes into DIR: index.html, for images one
PNG per transform (robustness-TRANSFORM.png: the distribution of PDQ distances to the
original per strength as box plots, with the threshold, beside the share that still
matches) and match-rates.png (every transform and strength on one chart); for videos one PNG
per video transform (video-TRANSFORM.png: the per-frame vPDQ distances to the original frame
at the same time, beside the share of videos that still match and of frames within the
distance). Drawn with matplotlib (Debian python3-matplotlib). On error the last line of the
output says why, and the exit status is not 0.
"""

import html
import json
import os
import sys


def fail(message):
    print("robustness_report: " + message)
    sys.exit(2)


def main(argv):
    if len(argv) != 3:
        fail("usage: robustness_report.py ROBUSTNESS.json DIR")
    try:
        import matplotlib

        matplotlib.use("Agg")  # files only, no display
        import matplotlib.pyplot as plt
    except ImportError as e:
        fail("matplotlib is not installed (Debian: python3-matplotlib): %s" % e)
    try:
        with open(argv[1]) as f:
            report = json.load(f)
        threshold = report["threshold"]
        transforms = report["transforms"]
        video_transforms = report.get("video_transforms", [])
    except (OSError, ValueError, KeyError, TypeError) as e:
        fail("cannot read %s: %s" % (argv[1], e))
    out = argv[2]
    os.makedirs(out, exist_ok=True)

    pngs = []

    def save(fig, name):
        fig.tight_layout()
        fig.savefig(os.path.join(out, name), dpi=96)
        plt.close(fig)
        pngs.append(name)
        return name

    per_transform = {}
    for t in transforms:
        rows = t["strengths"]
        labels = [r["strength"] for r in rows]
        fig, (ax_d, ax_m) = plt.subplots(1, 2, figsize=(10, 3.8))
        data = [r["distances"] if r["distances"] else [float("nan")] for r in rows]
        ax_d.boxplot(data, labels=labels, whis=(0, 100))
        ax_d.axhline(threshold, color="tab:red", linestyle="--", label="threshold %d" % threshold)
        ax_d.set_ylim(0, 140)
        ax_d.set_ylabel("PDQ distance to the original")
        ax_d.set_xlabel(t["meaning"])
        ax_d.legend(loc="upper left")
        ax_d.set_title("%s: distance" % t["name"])
        x = range(len(rows))
        ax_m.bar([i - 0.2 for i in x], [100 * r["match_rate"] for r in rows], width=0.4,
                 label="with rotations/mirrors")
        ax_m.bar([i + 0.2 for i in x], [100 * r["match_rate_plain"] for r in rows], width=0.4,
                 label="plain")
        ax_m.set_xticks(list(x))
        ax_m.set_xticklabels(labels)
        ax_m.set_ylim(0, 105)
        ax_m.set_ylabel("matched (%)")
        ax_m.set_xlabel(t["meaning"])
        ax_m.legend(loc="lower left")
        ax_m.set_title("%s: still matches" % t["name"])
        per_transform[t["name"]] = save(fig, "robustness-%s.png" % t["name"])

    per_video_transform = {}
    for t in video_transforms:
        rows = t["strengths"]
        labels = [r["strength"] for r in rows]
        fig, (ax_d, ax_m) = plt.subplots(1, 2, figsize=(10, 3.8))
        data = [r["distances"] if r["distances"] else [float("nan")] for r in rows]
        ax_d.boxplot(data, labels=labels, whis=(0, 100))
        ax_d.axhline(threshold, color="tab:red", linestyle="--", label="distance %d" % threshold)
        ax_d.set_ylim(0, 140)
        ax_d.set_ylabel("per-frame PDQ distance to the original")
        ax_d.set_xlabel(t["meaning"], fontsize=8)
        ax_d.legend(loc="upper left")
        ax_d.set_title("%s: frame distance" % t["name"])
        x = range(len(rows))
        ax_m.bar([i - 0.2 for i in x], [100 * r["match_rate"] for r in rows], width=0.4,
                 label="videos matched (>= %g%% of frames)" % report.get("match_percent", 80))
        ax_m.bar([i + 0.2 for i in x], [100 * r["frame_match_rate"] for r in rows], width=0.4,
                 label="frames within the distance")
        ax_m.set_xticks(list(x))
        ax_m.set_xticklabels(labels)
        ax_m.set_ylim(0, 105)
        ax_m.set_ylabel("%")
        ax_m.set_xlabel(t["meaning"], fontsize=8)
        ax_m.legend(loc="lower left", fontsize=8)
        ax_m.set_title("%s: still matches" % t["name"])
        per_video_transform[t["name"]] = save(fig, "video-%s.png" % t["name"])

    names, rates = [], []
    for t in transforms:
        for r in t["strengths"]:
            names.append("%s %s" % (t["name"], r["strength"]))
            rates.append(100 * r["match_rate"])
    overview = None
    if names:
        fig, ax = plt.subplots(figsize=(7, max(2.5, 0.28 * len(names) + 1)))
        ax.barh(range(len(names)), rates, color="tab:blue")
        ax.set_yticks(range(len(names)))
        ax.set_yticklabels(names)
        ax.invert_yaxis()
        ax.set_xlim(0, 100)
        ax.set_xlabel("edited copies that still match (%%, distance <= %d)" % threshold)
        overview = save(fig, "match-rates.png")

    rows = []
    for t in transforms:
        for r in t["strengths"]:
            d = r["distance"]
            rows.append(
                "<tr><td>%s</td><td>%s</td><td>%d</td><td>%.1f%%</td><td>%.1f%%</td>"
                "<td>%d</td><td>%d</td><td>%d</td><td>%d</td><td>%d</td></tr>"
                % (html.escape(t["name"]), html.escape(r["strength"]), r["images"],
                   100 * r["match_rate"], 100 * r["match_rate_plain"], d["p50"], d["p90"],
                   d["max"], r["low_quality"], r["failed"]))
    figures = "".join('<p><img src="%s" alt="%s"></p>' % (html.escape(per_transform[n]),
                                                           html.escape(n))
                      for n in per_transform)
    failed = "".join("<li>%s: %s</li>" % (html.escape(f["path"]), html.escape(f["error"]))
                     for f in report.get("failed_images", []) + report.get("failed_videos", []))
    video_rows = []
    for t in video_transforms:
        for r in t["strengths"]:
            d = r["distance"]
            video_rows.append(
                "<tr><td>%s</td><td>%s</td><td>%d</td><td>%.1f%%</td><td>%.1f%%</td>"
                "<td>%.1f%%</td><td>%d</td><td>%d</td><td>%d</td><td>%d</td><td>%.2f</td>"
                "<td>%d</td></tr>"
                % (html.escape(t["name"]), html.escape(r["strength"]), r["videos"],
                   100 * r["match_rate"], r["mean_query_matched_percent"],
                   100 * r["frame_match_rate"], d["p50"], d["p90"], d["max"],
                   r["low_quality_frames"], r["bytes_ratio"], r["failed"]))
    video_figures = "".join('<p><img src="%s" alt="%s"></p>' % (
        html.escape(per_video_transform[n]), html.escape(n)) for n in per_video_transform)
    video_section = ""
    if video_rows:
        video_section = """<h2>Videos</h2>
<p>%d videos, each re-encoded at every strength and hashed with vPDQ%s. A copy matches its
original when at least %g%% of its frames (repeats collapsed, quality at least %d) are within
distance %d of a frame of the original (`vigil video match`); "query" is the mean of that
share; "frames" the share of the copy's frames within the distance of the original frame at
the same time, whose distances the plots show.</p>
<table><tr><th>transform</th><th>strength</th><th>videos</th><th>match</th><th>query</th>
<th>frames</th><th>p50</th><th>p90</th><th>max</th><th>low quality</th><th>size</th>
<th>failed</th></tr>
%s</table>
%s
""" % (report.get("videos", 0),
       (" at %g frames per second" % report["fps"]) if report.get("fps") else " at every frame",
       report.get("match_percent", 80), report.get("min_quality", 50), threshold,
       "\n".join(video_rows), video_figures)
    page = """<!doctype html>
<html><head><meta charset="utf-8"><title>Vigil robustness study</title>
<style>body{font-family:sans-serif;margin:2em}td,th{padding:2px 8px;text-align:right}
td:first-child,td:nth-child(2){text-align:left}</style></head><body>
<h1>Robustness study</h1>
%s
%s
%s
</body></html>
"""
    image_section = ""
    if rows:
        image_section = """<p>%d images; an edited copy matches when its PDQ quality is at least
%d and one of its 8 rotations/mirrors is within distance %d of the original (vigil.pdq's
defaults); "plain" leaves the rotations/mirrors out.%s</p>
<p><img src="%s" alt="match rates"></p>
<table><tr><th>transform</th><th>strength</th><th>images</th><th>match</th><th>plain</th>
<th>p50</th><th>p90</th><th>max</th><th>low quality</th><th>failed</th></tr>
%s</table>
%s
""" % (report.get("images", 0), report.get("min_quality", 50), threshold,
       " Quick study (--small)." if report.get("small") else "", html.escape(overview),
       "\n".join(rows), figures)
    page = page % (image_section, video_section,
                   ("<h2>Left out</h2><ul>%s</ul>" % failed) if failed else "")
    with open(os.path.join(out, "index.html"), "w") as f:
        f.write(page)
    print("robustness_report: %s (%d plots)" % (os.path.join(out, "index.html"), len(pngs)))


if __name__ == "__main__":
    main(sys.argv)
