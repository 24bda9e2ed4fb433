#!/bin/sh
# make.sh makes the scan fixtures under testdata/scan from PDF fixtures
# of testdata/pdf, the way ../../shared/formats/README.md makes its scan:
# every page rendered at 200 dpi, turned 0.3°, speckled with noise,
# levelled, saved as JPEG and rebuilt as an image-only PDF. The "-seal"
# fixture also has a translucent red seal with text stamped over part of
# its first table, as agencies stamp the reports they scan. The "-mixed"
# fixture is the PDF with one page alone replaced by its scan, as when a
# signed or stamped page is scanned back into a report made in Word.
#
# Needs poppler-utils (pdftoppm, pdfseparate, pdfunite), qpdf, imagemagick (convert), img2pdf and
# fonts-wqy-microhei (the seal's text). Run from the repository root:
#
#	sh testdata/scangen/make.sh
set -eu
src=testdata/pdf
out=testdata/scan
font=$(fc-match -f '%{file}' 'WenQuanYi Micro Hei' 2>/dev/null || true)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# scan NAME FIXTURE SEAL: the scan of fixture FIXTURE as NAME, with a
# seal on page SEAL (0: none)
scan() {
	name=$1 fixture=$2 seal=$3
	dir=$out/$name
	mkdir -p "$dir" "$tmp/$name"
	pdftoppm -r 200 -png "$src/$fixture/report.pdf" "$tmp/$name/p"
	n=0
	for p in "$tmp/$name"/p-*.png; do
		n=$((n + 1))
		base=${p%.png}
		if [ "$n" = "$seal" ]; then
			# a seal 300 px across, red ring and text at 60% opacity,
			# over the upper middle of the page (a table's first rows)
			convert "$p" \
				-fill 'rgba(220,30,30,0.25)' -stroke 'rgba(220,30,30,0.6)' -strokewidth 8 \
				-draw 'circle 900,1000 1050,1000' \
				-stroke none -fill 'rgba(220,30,30,0.6)' ${font:+-font "$font"} -pointsize 44 \
				-draw "text 790,1015 '政务公开'" -draw 'text 875,940 "★"' \
				"$base-s.png"
			mv "$base-s.png" "$p"
		else
			convert "$p" -colorspace Gray "$p"
		fi
		convert "$p" -rotate 0.3 -attenuate 0.4 +noise Gaussian -level 8%,92% -quality 85 -units PixelsPerInch -density 200 "$base.jpg"
	done
	img2pdf "$tmp/$name"/p-*.jpg -o "$dir/report.pdf"
	sed -e 's/"file": "[^"]*"/"file": "report.pdf"/' \
		-e "s|\"notes\": \"|\"notes\": \"Scan of testdata/pdf/$fixture made by testdata/scangen/make.sh (200 dpi, 0.3°, noise$( [ "$seal" = 0 ] || echo ", a red seal on page $seal")). |" \
		"$src/$fixture/expected.json" >"$dir/expected.json"
}

# expected NAME FIXTURE NOTE: the fixture's expected.json for NAME
expected() {
	sed -e 's/"file": "[^"]*"/"file": "report.pdf"/' \
		-e "s|\"notes\": \"|\"notes\": \"$3 of testdata/pdf/$2 made by testdata/scangen/make.sh. |" \
		"$src/$2/expected.json" >"$out/$1/expected.json"
}

# mixed NAME FIXTURE PAGE: fixture FIXTURE as NAME, its page PAGE
# replaced by the page's scan (made as scan makes its pages)
mixed() {
	name=$1 fixture=$2 page=$3
	dir=$out/$name
	mkdir -p "$dir" "$tmp/$name"
	pdftoppm -r 200 -f "$page" -l "$page" -png "$src/$fixture/report.pdf" "$tmp/$name/p"
	p=$(ls "$tmp/$name"/p-*.png)
	convert "$p" -colorspace Gray -rotate 0.3 -attenuate 0.4 +noise Gaussian -level 8%,92% -quality 85 -units PixelsPerInch -density 200 "$tmp/$name/scan.jpg"
	img2pdf "$tmp/$name/scan.jpg" -o "$tmp/$name/scan.pdf"
	pdfseparate "$src/$fixture/report.pdf" "$tmp/$name/t-%d.pdf"
	n=$(ls "$tmp/$name"/t-*.pdf | wc -l)
	set --
	i=1
	while [ "$i" -le "$n" ]; do
		if [ "$i" = "$page" ]; then set -- "$@" "$tmp/$name/scan.pdf"; else set -- "$@" "$tmp/$name/t-$i.pdf"; fi
		i=$((i + 1))
	done
	pdfunite "$@" "$tmp/$name/united.pdf"
	# pdfunite's trailer miscounts the objects: qpdf writes it anew
	qpdf --object-streams=disable "$tmp/$name/united.pdf" "$dir/report.pdf" || [ $? = 3 ]
	expected "$name" "$fixture" "Page $page scanned (200 dpi, 0.3°, noise), the others text,"
}

scan gopdf-2021-ruled-scan gopdf-2021-ruled 0
scan lo-2019-vertical-scan lo-2019-vertical 0
scan gopdf-2021-ruled-seal gopdf-2021-ruled 1
mixed gopdf-2021-ruled-mixed gopdf-2021-ruled 2
