#!/usr/bin/env bats
# docs/reply-codes.md is generated from the reply-code table that
# ftp-raw --explain reads; it must not drift from it.
# bats file_tags=not-sanitized

load lib/common
bats_require_minimum_version 1.5.0

@test "raw-docs: docs/reply-codes.md matches the table (regenerate with build/tests/gen-reply-codes)" {
	run --separate-stderr "$RAWFTP_TESTBIN/gen-reply-codes"
	[ "$status" -eq 0 ]
	diff -u "$REPO_ROOT/docs/reply-codes.md" <(printf '%s\n' "$output")
}

@test "raw-docs: every code in the page is one ftp-raw --explain knows" {
	fake="$RAWFTP_TESTBIN/fake-ftpd"
	script=$BATS_TEST_TMPDIR/script
	log=$BATS_TEST_TMPDIR/fake.log
	# 234 (TLS next) makes ftp-raw stop, after explaining it: it goes last
	codes=$(sed -n 's/^| \([0-9][0-9][0-9]\) |.*/\1/p' "$REPO_ROOT/docs/reply-codes.md" |
		grep -vx 234; echo 234)
	[ "$(wc -w <<<"$codes")" -gt 40 ]
	{
		echo "reply 220 ready"
		for c in $codes; do
			echo read
			echo "reply $c text"
			# a 1xx is preliminary: ftp-raw waits for a final reply
			[[ $c == 1* ]] && echo "reply 200 final"
		done
	} >"$script"
	rm -f "$log"	# (see labd_start)
	"$fake" -t 20 "$script" >"$log" 2>&1 &
	FAKE_PID=$!
	wait_until 50 has_line "$log" 'listening on '
	port=$(awk 'NR == 1 { print $5 }' "$log")
	run --separate-stderr ftp-raw -e 127.0.0.1 "$port" < <(for c in $codes; do echo NOOP; done)
	kill "$FAKE_PID" 2>/dev/null || true
	wait "$FAKE_PID" 2>/dev/null || true
	[ "$status" -eq 76 ]
	for c in $codes; do
		# cells are split by " | "; a '|' inside one is written "\|"
		meaning=$(awk -F ' [|] ' -v c="$c" '$1 == "| " c { gsub(/\\[|]/, "|", $2); print $2 }' \
			"$REPO_ROOT/docs/reply-codes.md")
		grep -qF "# $c $meaning: " <<<"$stderr" || { echo "no explanation for $c"; return 1; }
	done
}
