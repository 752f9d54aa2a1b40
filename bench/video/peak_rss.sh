#!/usr/bin/env bash
# Peak RSS of `vigil video hash` (1 frame per second) on a 60-minute 1080p clip made here
# from ffmpeg's testsrc (issue 16, "Measure": goal < 300 MB). The clip is made in a temp
# dir and removed afterwards: one minute encoded once, then 60 copies joined without
# re-encoding (ffmpeg's concat demuxer, -c copy), 108,000 frames at 30 frames/s.
#   bash bench/video/peak_rss.sh [build/release/bin/vigil]
set -euo pipefail
vigil="${1:-build/release/bin/vigil}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
ffmpeg -nostdin -v error -y -f lavfi -i testsrc=size=1920x1080:rate=30:duration=60 \
  -c:v libx264 -preset ultrafast -pix_fmt yuv420p "$tmp/minute.mp4"
for _ in $(seq 60); do echo "file '$tmp/minute.mp4'"; done >"$tmp/list.txt"
ffmpeg -nostdin -v error -y -f concat -safe 0 -i "$tmp/list.txt" -c copy "$tmp/hour.mp4"
ffprobe -v error -select_streams v:0 -show_entries stream=width,height,nb_frames:format=duration,size \
  -of default=noprint_wrappers=1 "$tmp/hour.mp4"
/usr/bin/time -v "$vigil" video hash "$tmp/hour.mp4" >"$tmp/hashes.txt" 2>"$tmp/time.txt" || {
  cat "$tmp/time.txt" >&2
  exit 1
}
echo "frames hashed: $(wc -l <"$tmp/hashes.txt")"
grep -E "Maximum resident set size|Elapsed \(wall clock\)|User time|System time" "$tmp/time.txt"
