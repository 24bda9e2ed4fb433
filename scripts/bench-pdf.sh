#!/usr/bin/env bash
# bench-pdf.sh — time nianbao's PDF table extraction against poppler's
# text-only `pdftotext -layout` over the same PDFs, one process per file
# for both, and print the ratio.
#
# Extraction is timed with scripts/pdfbench (parse → canonical cells →
# checks, nothing written); `nianbao parse`, which adds the Parquet output,
# is timed too and reported for information.
#
# usage: scripts/bench-pdf.sh [-n RUNS] [PDF...]
# Without PDFs it uses ../shared/corpus/*/report.pdf and testdata/pdf/*/report.pdf.
# The target is a ratio ≤ 1.0: nianbao per page no slower than pdftotext.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=5
if [[ "${1:-}" == "-n" ]]; then runs=$2; shift 2; fi
command -v pdftotext >/dev/null || { echo "bench-pdf: pdftotext not found (apt-get install poppler-utils)" >&2; exit 2; }

files=("$@")
if [[ ${#files[@]} -eq 0 ]]; then
	shopt -s nullglob
	files=(../shared/corpus/*/report.pdf testdata/pdf/*/report.pdf)
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/nianbao" ./cmd/nianbao
go build -o "$tmp/pdfbench" ./scripts/pdfbench

# Only files both tools can read (pdftotext cannot open password-protected
# files, for instance) are timed.
pages=0
usable=()
for f in "${files[@]}"; do
	if n=$(pdfinfo "$f" 2>/dev/null | awk '/^Pages:/ {print $2}') && [[ -n "$n" ]] &&
		pdftotext -layout "$f" - >/dev/null 2>&1; then
		usable+=("$f")
		pages=$((pages + n))
	else
		echo "bench-pdf: skipping $f (pdftotext cannot read it)" >&2
	fi
done
[[ ${#usable[@]} -gt 0 ]] || { echo "bench-pdf: no PDFs to time" >&2; exit 2; }

now() { date +%s%N; }

time_pdftotext() {
	local t0 t1
	t0=$(now)
	for ((r = 0; r < runs; r++)); do
		for f in "${usable[@]}"; do pdftotext -layout "$f" - >/dev/null 2>&1; done
	done
	t1=$(now)
	echo $((t1 - t0))
}

time_nianbao() {
	local t0 t1 i=0
	t0=$(now)
	for ((r = 0; r < runs; r++)); do
		for f in "${usable[@]}"; do
			i=$((i + 1))
			"$tmp/nianbao" parse -q -o "$tmp/out$i" "$f" >/dev/null 2>&1 || true
		done
	done
	t1=$(now)
	rm -rf "$tmp"/out*
	echo $((t1 - t0))
}

time_extract() {
	local t0 t1
	t0=$(now)
	for ((r = 0; r < runs; r++)); do
		for f in "${usable[@]}"; do "$tmp/pdfbench" "$f" >/dev/null 2>&1 || true; done
	done
	t1=$(now)
	echo $((t1 - t0))
}

# warm the page cache and the binaries once, then time
time_pdftotext >/dev/null
time_extract >/dev/null
poppler_ns=$(time_pdftotext)
extract_ns=$(time_extract)
parse_ns=$(time_nianbao)

awk -v p="$poppler_ns" -v e="$extract_ns" -v n="$parse_ns" -v pages="$pages" -v runs="$runs" -v files="${#usable[@]}" 'BEGIN {
	k = pages * runs
	pp = p / 1e6 / k; ep = e / 1e6 / k; np = n / 1e6 / k
	printf "%d PDFs, %d pages, %d runs (one process per file)\n", files, pages, runs
	printf "pdftotext -layout (text only)          : %8.2f ms/page\n", pp
	printf "nianbao extraction (cells + checks)    : %8.2f ms/page\n", ep
	printf "nianbao parse (extraction + Parquet)   : %8.2f ms/page\n", np
	printf "ratio extraction/pdftotext: %.2f (target <= 1.0)\n", ep / pp
}'
