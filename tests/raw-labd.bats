#!/usr/bin/env bats
# ftp-raw against ftp-labd, the toolkit's own server: the seed's PuTTY
# session replayed from a file, lock-step as the server sees it, identical
# transcripts, trace and masking, --explain for 227/229, the idle timeout,
# --fail, and a download and a listing through ftp-dataconn.

load lib/common
load lib/coproc
bats_require_minimum_version 1.5.0

setup() {
	[ -x "$RAWFTP_BIN/ftp-labd" ] || skip "ftp-labd is not built yet"
}

teardown() {
	[ -n "${RAW_CHILD:-}" ] && kill "$RAW_CHILD" 2>/dev/null
	labd_stop
}

seed_session() {
	printf '%s\n' HELP 'USER anonymous' 'PASS anonymous@example.com' \
		'MKD Jowa' QUIT
}

@test "raw-labd: the seed's session (HELP, login, MKD) replayed from a file" {
	labd_start
	run --separate-stderr ftp-raw 127.0.0.1 "$LABD_PORT" < <(seed_session)
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == 220\ * ]]
	[[ "${lines[1]}" == 214-* ]]
	n=${#lines[@]}
	[ "${lines[n - 5]}" = $'214 Help OK.\r' ]
	[ "${lines[n - 4]}" = $'331 Guest login ok, send your email address as password.\r' ]
	[ "${lines[n - 3]}" = $'230 Guest login ok, access restrictions apply.\r' ]
	[ "${lines[n - 2]}" = $'257 "/Jowa" created.\r' ]
	[ "${lines[n - 1]}" = $'221 Goodbye.\r' ]
	[ -d "$LABD_ROOT/Jowa" ]
	[ -z "$stderr" ]
}

@test "raw-labd: the same session typed on a terminal, lines sent as typed" {
	require script
	labd_start
	# script(1) gives ftp-raw a terminal: no lock-step, as in PuTTY; the
	# input stays open until ftp-raw has ended (at the input's end script
	# hangs up on it; its own output shows only when it exits)
	script -qec "ftp-raw 127.0.0.1 $LABD_PORT; s=\$?; : >'$BATS_TEST_TMPDIR/done'; exit \$s" \
		/dev/null < <(seed_session
			wait_until 100 test -e "$BATS_TEST_TMPDIR/done") \
		>"$BATS_TEST_TMPDIR/tty"
	grep -q '257 "/Jowa" created.' "$BATS_TEST_TMPDIR/tty"
	grep -q '221 Goodbye.' "$BATS_TEST_TMPDIR/tty"
	[ -d "$LABD_ROOT/Jowa" ]
}

@test "raw-labd: lock-step as the server sees it: each command after a final reply" {
	labd_start
	printf '%s\n' HELP 'USER anonymous' 'PASS x' FEAT STAT HELP PWD QUIT |
		ftp-raw 127.0.0.1 "$LABD_PORT" >"$BATS_TEST_TMPDIR/out"
	wait_until 50 grep -q '> QUIT' "$LABD_LOG"
	cat "$LABD_LOG"
	# in the narration, the line before every command is a final reply
	# line "< NNN text", never a line inside a multi-line reply
	run awk '
		/\] > / { if (prev !~ /\] < [0-9][0-9][0-9] /) bad++; cmds++ }
		/\] < / { prev = $0 }
		END { print cmds, bad + 0 }' "$LABD_LOG"
	[ "$output" = "8 0" ]
	# and stdout holds the replies in the order of the commands
	run bash -c "grep -o '^[0-9][0-9][0-9] ' '$BATS_TEST_TMPDIR/out' | tr -d ' ' | tr '\n' ' '"
	[ "$output" = "220 214 331 230 211 211 214 257 221 " ]
}

@test "raw-labd: --no-wait pipelines, the server still answers in order" {
	labd_start
	run --separate-stderr ftp-raw --no-wait 127.0.0.1 "$LABD_PORT" \
		< <(printf '%s\n' 'USER anonymous' 'PASS x' PWD QUIT)
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 5 ]
	[[ "${lines[4]}" == 221* ]]
}

@test "raw-labd: identical transcripts run after run" {
	labd_start
	for i in 1 2 3; do
		printf '%s\n' HELP 'USER anonymous' 'PASS x' FEAT 'MKD d' 'RMD d' \
			PWD 'TYPE I' 'CWD /nowhere' 'SYST' QUIT |
			ftp-raw 127.0.0.1 "$LABD_PORT" >"$BATS_TEST_TMPDIR/t$i"
	done
	cmp "$BATS_TEST_TMPDIR/t1" "$BATS_TEST_TMPDIR/t2"
	cmp "$BATS_TEST_TMPDIR/t1" "$BATS_TEST_TMPDIR/t3"
	[ "$(grep -c '' "$BATS_TEST_TMPDIR/t1")" -gt 20 ]
}

@test "raw-labd: piped into ftp-pasv-calc, each 227/229 becomes host and port" {
	labd_start
	run bash -c "printf '%s\n' 'USER anonymous' 'PASS x' PASV EPSV QUIT |
		ftp-raw 127.0.0.1 $LABD_PORT | ftp-pasv-calc -H 127.0.0.1"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2 ]
	[[ "${lines[0]}" =~ ^127\.0\.0\.1\ [0-9]+$ ]]
	[[ "${lines[1]}" =~ ^127\.0\.0\.1\ [0-9]+$ ]]
}

@test "raw-labd: -v traces commands with PASS masked; the server got the real one" {
	labd_start --users <(echo 'student:s3cret')
	run --separate-stderr ftp-raw -v 127.0.0.1 "$LABD_PORT" \
		< <(printf '%s\n' 'USER student' 'PASS s3cret' PWD QUIT)
	[ "$status" -eq 0 ]
	[ "$stderr" = $'---> USER student\n---> PASS XXXX\n---> PWD\n---> QUIT' ]
	[[ "${lines[2]}" == 230* ]]
}

@test "raw-labd: -e explains 227 and 229 with the ftp-dataconn line" {
	labd_start
	run --separate-stderr ftp-raw -e 127.0.0.1 "$LABD_PORT" \
		< <(printf '%s\n' 'USER anonymous' 'PASS x' PASV EPSV QUIT)
	[ "$status" -eq 0 ]
	pasv=$(grep '^227 ' <<<"$output")
	read -r host port < <(ftp-pasv-calc "$pasv")
	p1=$((port / 256)) p2=$((port % 256))
	grep -qx "# data address 127.0.0.1, port $p1\*256+$p2 = $port" <<<"$stderr"
	grep -qx "# next: ftp-dataconn 127.0.0.1 $port" <<<"$stderr"
	eport=$(grep '^229 ' <<<"$output" | grep -o '|||[0-9]*|' | tr -d '|')
	grep -qx "# next: ftp-dataconn 127.0.0.1 $eport" <<<"$stderr"
}

@test "raw-labd: a NAT'd 227 address: the hint uses the control connection's host" {
	labd_start --pasv-address 10.130.25.239
	run --separate-stderr ftp-raw -e 127.0.0.1 "$LABD_PORT" \
		< <(printf '%s\n' 'USER anonymous' 'PASS x' PASV QUIT)
	[ "$status" -eq 0 ]
	grep -q '^227 .*(10,130,25,239,' <<<"$output"
	grep -q "^# 10.130.25.239 is not reachable from here: use the control connection's address 127.0.0.1$" <<<"$stderr"
	grep -q '^# next: ftp-dataconn 127.0.0.1 [0-9]*$' <<<"$stderr"
}

@test "raw-labd: the idle timeout: 421 shown, a notice, exit 74" {
	labd_start --idle-timeout 1
	# stdin stays open (bounded) so ftp-raw waits, as a person would
	run --separate-stderr ftp-raw 127.0.0.1 "$LABD_PORT" \
		< <(printf 'USER anonymous\n'; sleep 4)
	[ "$status" -eq 74 ]
	[[ "${lines[2]}" == 421\ * ]]
	[ "$stderr" = "ftp-raw: 127.0.0.1 closed the connection (421)" ]
}

@test "raw-labd: --fail ends a lab self-check at the first 550" {
	labd_start
	run --separate-stderr ftp-raw --fail 127.0.0.1 "$LABD_PORT" \
		< <(printf '%s\n' 'USER anonymous' 'PASS x' 'CWD /nowhere' PWD QUIT)
	[ "$status" -eq 1 ]
	[[ "${lines[${#lines[@]} - 1]}" == 550* ]]
	[ "$stderr" = "ftp-raw: stopping at reply 550 (--fail)" ]
	refute grep -q '> PWD' "$LABD_LOG"
}

@test "raw-labd: exit 0 after QUIT, 69 once the server is gone" {
	labd_start
	run ftp-raw 127.0.0.1 "$LABD_PORT" <<<'QUIT'
	[ "$status" -eq 0 ]
	port=$LABD_PORT
	labd_stop
	run --separate-stderr ftp-raw 127.0.0.1 "$port" <<<'QUIT'
	[ "$status" -eq 69 ]
}

# ftp-raw as a coprocess: send a command, read one complete reply.
start_coproc() {
	TRANSCRIPT=$BATS_TEST_TMPDIR/transcript
	: >"$TRANSCRIPT"
	coproc RAW { exec ftp-raw -e 127.0.0.1 "$LABD_PORT" 2>"$BATS_TEST_TMPDIR/raw.err"; }
	exec {RAW_OUT}<&"${RAW[0]}" {RAW_IN}>&"${RAW[1]}"
	RAW_CHILD=$RAW_PID
}

command_reply() {
	printf '%s\n' "$1" >&"$RAW_IN"
	read_reply
}

# The hint ftp-raw -e gave for the last PASV: "HOST PORT".
last_hint() {
	wait_until 50 grep -q '^# next: ' "$BATS_TEST_TMPDIR/raw.err" &&
		grep '^# next: ' "$BATS_TEST_TMPDIR/raw.err" | tail -n 1 |
		sed 's/^# next: ftp-dataconn //'
}

@test "raw-labd: the seed's download in two windows: PASV, the hint, RETR" {
	require ftp-dataconn
	labd_start
	head -c 100000 /dev/urandom >"$LABD_ROOT/01test.txt"
	start_coproc
	read_reply
	command_reply 'USER anonymous'
	command_reply 'PASS anonymous@example.com'
	command_reply 'TYPE I'
	command_reply PASV
	[[ $REPLY_LAST == 227* ]]
	read -r host port < <(last_hint)
	ftp-dataconn -r -w 10 "$host" "$port" >"$BATS_TEST_TMPDIR/got" &
	dc=$!
	command_reply 'RETR 01test.txt'
	[[ $REPLY_LAST == 226* ]]
	wait "$dc"
	cmp "$LABD_ROOT/01test.txt" "$BATS_TEST_TMPDIR/got"
	grep -q '^150 ' "$TRANSCRIPT"
	command_reply 'QUIT'
	exec {RAW_IN}>&- {RAW_OUT}<&-
	wait "$RAW_CHILD"
}

@test "raw-labd: MKD, then see the folder in a LIST" {
	require ftp-dataconn
	labd_start
	start_coproc
	read_reply
	command_reply 'USER anonymous'
	command_reply 'PASS x'
	command_reply 'MKD Jowa'
	[[ $REPLY_LAST == 257* ]]
	command_reply PASV
	read -r host port < <(last_hint)
	ftp-dataconn -r -w 10 "$host" "$port" >"$BATS_TEST_TMPDIR/listing" &
	dc=$!
	command_reply LIST
	[[ $REPLY_LAST == 226* ]]
	wait "$dc"
	grep -q 'Jowa'$'\r''\?$' "$BATS_TEST_TMPDIR/listing"
	command_reply QUIT
	exec {RAW_IN}>&- {RAW_OUT}<&-
	wait "$RAW_CHILD"
}

@test "raw-labd: IPv6 on ::1: -6, and EPSV explained with the ::1 host" {
	labd_start -l ::1
	[ "$LABD_HOST" = ::1 ]
	run --separate-stderr ftp-raw -6 -e ::1 "$LABD_PORT" \
		< <(printf '%s\n' 'USER anonymous' 'PASS x' EPSV QUIT)
	echo "$output $stderr"
	[ "$status" -eq 0 ]
	eport=$(grep '^229 ' <<<"$output" | grep -o '|||[0-9]*|' | tr -d '|')
	[ -n "$eport" ]
	grep -qx "# next: ftp-dataconn ::1 $eport" <<<"$stderr"
	run --separate-stderr ftp-raw -4 ::1 "$LABD_PORT" </dev/null
	[ "$status" -eq 68 ]
}

@test "raw-labd: a transfer under TYPE A brings one note about ftp-dataconn --ascii; TYPE I none" {
	labd_start
	run --separate-stderr ftp-raw -w 10 127.0.0.1 "$LABD_PORT" < <(printf '%s\n' \
		'USER anonymous' 'PASS x@y' 'TYPE A' 'RETR none1' 'RETR none2' QUIT)
	[ "$status" -eq 0 ]
	[ "$stderr" = "ftp-raw: note: TYPE A is in force: the data side needs ftp-dataconn --ascii too, or the line ends stay CRLF" ]
	run --separate-stderr ftp-raw -w 10 127.0.0.1 "$LABD_PORT" < <(printf '%s\n' \
		'USER anonymous' 'PASS x@y' 'TYPE A' 'TYPE I' 'RETR none1' QUIT)
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
}
