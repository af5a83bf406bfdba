#!/usr/bin/env bats
# The manual pages: one per program, complete, and clean under two linters.
# bats file_tags=not-sanitized

load lib/common

programs() {
	local p
	for p in "$REPO_ROOT"/tools/*; do
		p=${p##*/}
		echo "${p%.c}"
	done
}

@test "docs: every program has a manual page with the required sections" {
	local p page section
	for p in $(programs); do
		page=$REPO_ROOT/docs/man/$p.1
		[ -f "$page" ] || { echo "missing $page"; return 1; }
		# a line .Sh SECTION, or .SH SECTION quoted or not (read by
		# bash: a grep for each of 30 sections was a process)
		for section in NAME SYNOPSIS DESCRIPTION "EXIT STATUS" EXAMPLES "SEE ALSO"; do
			has_match "$page" "^\\.(Sh $section|SH \"?$section\"?)\$" ||
				{ echo "$page lacks $section"; return 1; }
		done
	done
}

@test "docs: manual pages pass mandoc -Tlint at warning level" {
	require mandoc
	run mandoc -Tlint -Wwarning "$REPO_ROOT"/docs/man/*.1
	echo "$output"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "docs: manual pages format under groff -ww without a warning" {
	require groff
	for page in "$REPO_ROOT"/docs/man/*.1; do
		run groff -ww -z -mandoc "$page"
		echo "$page: $output"
		[ "$status" -eq 0 ]
		[ -z "$output" ]
	done
}

@test "docs: man -l renders every page" {
	require man
	for page in "$REPO_ROOT"/docs/man/*.1; do
		MANWIDTH=80 man -l "$page" >"$BATS_TEST_TMPDIR/page.txt" 2>&1
		grep -q "EXIT STATUS" "$BATS_TEST_TMPDIR/page.txt"
	done
}

@test "docs: every program documents every long option of its --help" {
	local p o page
	for p in $(programs); do
		[ -x "$RAWFTP_BIN/$p" ] || continue
		# roff writes a hyphen as \- (the page read once, by bash: a sed
		# and a grep for each of 70 options were processes)
		page=$(<"$REPO_ROOT/docs/man/$p.1")
		page=${page//\\-/-}
		for o in $("$RAWFTP_BIN/$p" --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
			[[ $page == *"${o#--}"* ]] ||
				{ echo "$p: $o is not in $p.1"; return 1; }
		done
	done
}

# render SVG: rsvg-convert's stderr, and its status, for one file.
render() {
	rsvg-convert -o "$BATS_TEST_TMPDIR/out.png" "$1" 2>"$BATS_TEST_TMPDIR/render.err"
}

@test "docs: every SVG in docs/ renders with rsvg-convert, with no message" {
	require rsvg-convert
	# the check can fail: a tag left open is an error
	printf '<svg xmlns="http://www.w3.org/2000/svg"><rect>' >"$BATS_TEST_TMPDIR/bad.svg"
	refute render "$BATS_TEST_TMPDIR/bad.svg"
	n=0
	for svg in "$REPO_ROOT"/docs/*.svg; do
		rm -f "$BATS_TEST_TMPDIR/out.png"
		render "$svg" || { echo "$svg: $(cat "$BATS_TEST_TMPDIR/render.err")"; return 1; }
		[ ! -s "$BATS_TEST_TMPDIR/render.err" ] ||
			{ echo "$svg: $(cat "$BATS_TEST_TMPDIR/render.err")"; return 1; }
		[ -s "$BATS_TEST_TMPDIR/out.png" ]
		n=$((n + 1))
	done
	[ "$n" -ge 3 ]
}

@test "docs: labs 4 and 6 link their step-by-step diagrams" {
	grep -q '](../../docs/passive-mode.svg)' "$REPO_ROOT/labs/04-passive-download/README.md"
	grep -q '](../../docs/active-mode.svg)' "$REPO_ROOT/labs/06-active-port/README.md"
}
