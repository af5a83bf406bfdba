#!/usr/bin/env bats
# Lab 9's pipelines, exactly as its README writes them (labs/lib/steps
# --id), run 20 times each in a row against one lab server: no failure,
# no hang (each run bounded), every file byte for byte.
# bats file_tags=not-sanitized

load lib/common

RUNS=20

setup() {
	export HOME=$BATS_TEST_TMPDIR/home LAB_PORT=0 LAB_PASV_PORTS=
	mkdir -p "$HOME"
	README=$REPO_ROOT/labs/09-pipeline/README.md
	setsid "$REPO_ROOT/labs/start" >"$BATS_TEST_TMPDIR/server.out" 2>&1 &
	SERVER_PID=$!
	wait_until 100 has_line "$BATS_TEST_TMPDIR/server.out" 'listening on '
	PORT=$(sed -n 's/^listening on .* port //p' "$BATS_TEST_TMPDIR/server.out")
	[ -n "$PORT" ]
	LAB=$HOME/rawftp-lab
}

teardown() {
	kill -TERM -- "-$SERVER_PID" 2>/dev/null
	wait_until 50 eval '! kill -0 "$SERVER_PID" 2>/dev/null' ||
		kill -KILL -- "-$SERVER_PID" 2>/dev/null
	wait "$SERVER_PID" 2>/dev/null || true
}

# The README's block NAME, with the lab port put in for 2121.
block() {
	"$REPO_ROOT/labs/lib/steps" --id "$1" "$README" | sed "s/\\b2121\\b/$PORT/g"
}

# Runs block $1 RUNS times in the client folder; after each, cmp $2 $3.
repeat() {
	local script i
	script="$(block get-commands)
$(block put-commands)
$(block "$1")"
	for ((i = 1; i <= RUNS; i++)); do
		: >"$2"	# (emptied by bash: a run that writes nothing fails the cmp)
		timeout 20 bash -c "$script" >"$BATS_TEST_TMPDIR/run.out" 2>&1 ||
			{ echo "run $i: exit $?"; cat "$BATS_TEST_TMPDIR/run.out"; return 1; }
		cmp "$2" "$3" || { echo "run $i: $2 differs"; return 1; }
	done
	echo "$RUNS runs"
}

@test "lab 9: the download pipeline, 20 times in a row" {
	repeat download "$LAB/client/bytes.bin" "$LAB/server/bytes.bin"
	# and the server saw 20 complete transfers
	[ "$(grep -c 'data: sent 16384 bytes, closed' "$LAB/server.log")" -eq "$RUNS" ]
}

@test "lab 9: the upload pipeline, 20 times in a row" {
	repeat upload "$LAB/server/upload-copy.bin" "$LAB/client/upload.bin"
	[ "$(grep -c 'data: received 10240 bytes, closed' "$LAB/server.log")" -eq "$RUNS" ]
}

@test "lab 9: the coprocess script, 20 times in a row" {
	repeat coproc "$LAB/client/01test.txt" "$LAB/server/01test.txt"
}
