#!/usr/bin/env bats
# `make demo`: labs/demo, run as CI runs it (no input, no terminal).

load lib/common

@test "demo: the whole session runs, every file matches, exit 0" {
	run --separate-stderr env TMPDIR="$BATS_TEST_TMPDIR" \
		"$REPO_ROOT/labs/demo" </dev/null
	echo "$output"
	echo "$stderr"
	[ "$status" -eq 0 ]
	[[ $output == *"every byte matched."* ]]
	# what it promises to show: the transcript, the arithmetic, both
	# modes, the narration
	[[ $output == *"---> PASS XXXX"* ]]
	[[ $output == *"214 Help OK."* ]]
	[[ $output == *"p1*256+p2 = "* ]]
	[[ $output == *"ftp-dataconn: connected to 127.0.0.1 port "* ]]
	[[ $output == *"ok    upload.bin (uploaded, passive): 10240 bytes, identical"* ]]
	[[ $output == *"] data: connected to 127.0.0.1:"* ]]
	[[ $output == *"] stopped"* ]]
	# the server it started is gone, and so is its folder
	pid=$(sed -n 's/.*listening on .* port [0-9]*   (pid \([0-9]*\))$/\1/p' <<<"$output")
	[ -n "$pid" ]
	refute kill -0 "$pid" 2>/dev/null
	[ -z "$(ls "$BATS_TEST_TMPDIR" | grep rawftp-demo)" ]
}

@test "demo: no colour when NO_COLOR is set or output is not a terminal" {
	run env NO_COLOR=1 TMPDIR="$BATS_TEST_TMPDIR" "$REPO_ROOT/labs/demo" </dev/null
	[ "$status" -eq 0 ]
	[[ $output != *$'\033['* ]]
}

@test "demo: says to run make when a program is missing, exit 69" {
	mkdir -p "$BATS_TEST_TMPDIR/empty"
	run env RAWFTP_BIN="$BATS_TEST_TMPDIR/empty" "$REPO_ROOT/labs/demo" </dev/null
	[ "$status" -eq 69 ]
	[[ $output == *"ftp-labd is missing: run make first"* ]]
}

@test "demo: make demo runs labs/demo with the built programs" {
	run make -C "$REPO_ROOT" -n demo
	[ "$status" -eq 0 ]
	[[ $output == *"RAWFTP_BIN="*"labs/demo"* ]]
}
