#!/usr/bin/env bats
# ftp-tap when a data connection breaks: a FIN goes on as a FIN, a reset
# as a reset, a stall past --data-timeout is the tap's own cut (a reset
# both ways), and a half-close of the silent direction does not end the
# transfer.  First one test per defect of issue 17, then the fault
# matrix: {client, server} x {RETR, STOR, LIST} x {fin, rst, stall, half}
# x {before the first byte, middle, after the last byte}.
#
# Client faults come from tests/helpers/fault-peer (client mode) against
# ftp-labd, vsftpd, proftpd and pyftpdlib; server faults from fault-peer
# in server mode, a hostile server that answers 226 whatever happened,
# with curl and a no-fault fault-peer client as the clients.  In every
# cell: the side that did not break never sees a success for a cut
# transfer, and every whole transfer is byte-identical.  Each cell has
# its own tap (--data-timeout 1); cells run a few at a time.

load lib/common
load lib/peers

BIG=16777216		# RETR and STOR: more than the buffers on the way
MIDDLE=262144		# where "middle" is, for RETR and STOR

setup() {
	T=$BATS_TEST_TMPDIR
	FP=$RAWFTP_TESTBIN/fault-peer
	head -c "$BIG" /dev/urandom >"$T/big"
	TAPS=()
}

teardown() {
	local p
	for p in "${TAPS[@]}"; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	labd_stop
	peer_stop
}

# tap_on DIR SERVER_PORT [options]: an ftp-tap for one cell, its log in
# DIR/tap.log; sets TAP_PORT and TAP_PID (the caller stops it by PID).
tap_on() {
	local dir=$1 port=$2
	shift 2
	ftp-tap -p 0 --data-timeout 1 "$@" 127.0.0.1 "$port" \
		>"$dir/tap.out" 2>"$dir/tap.log" &
	TAP_PID=$!
	TAPS+=("$TAP_PID")
	wait_until 100 grep -qs '^listening on ' "$dir/tap.out" || return 1
	read -r _ _ _ _ TAP_PORT < <(head -n 1 "$dir/tap.out")
}

# tap_off: stops the tap of tap_on, by PID, within 5 s.
tap_off() {
	kill "$TAP_PID" 2>/dev/null
	wait_until 50 eval '! kill -0 "$TAP_PID" 2>/dev/null' ||
		kill -9 "$TAP_PID" 2>/dev/null
	wait "$TAP_PID" 2>/dev/null
	return 0
}

# fake_server DIR VERB FAULT WHERE FILE: fault-peer as a hostile server
# (its output in DIR/fake.out); sets FAKE_PORT.
fake_server() {
	local dir=$1
	shift
	mkdir -p "$dir"
	"$FP" server -t 20 "$@" >"$dir/fake.out" &
	TAPS+=($!)
	wait_until 100 grep -qs '^listening on ' "$dir/fake.out" || return 1
	FAKE_PORT=$(awk '{print $5; exit}' "$dir/fake.out")
}

# The server's own final reply to the transfer, as the tap narrated it
# (the reply after the 150; not one of the tap's own).
server_reply() {
	awk '/\] < 1[0-9][0-9] /{ f = 1; next }
	    f && /\] < [2-5][0-9][0-9] / && !/\(from the tap\)$/ {
		sub(/.*\] < /, ""); print; exit }' "$1"
}

# The data connection's end as the tap narrated it: closed or cut.
tap_end() {
	if grep -q 'data: .* bytes to the server, closed' "$1"; then
		echo closed
	elif grep -q 'data: .* bytes to the server, .*cut' "$1"; then
		echo cut
	else
		echo none
	fi
}

# ---- one test per defect (they fail on the tap before issue 17) ----

@test "tap faults: a client's reset mid-STOR reaches ftp-labd as a reset: 426, the old file kept" {
	labd_start
	echo old >"$LABD_ROOT/up"
	tap_on "$T" "$LABD_PORT"
	run "$FP" client -t 20 "$TAP_PORT" STOR up rst middle "$T/big"
	tap_off
	cat "$T/tap.log"
	[ "$status" = 1 ]
	grep -q '^reply: 426 ' <<<"$output"
	[ "$(cat "$LABD_ROOT/up")" = old ]
	grep -q 'cut off by the client (Connection reset by peer): the tap resets the server.s leg' "$T/tap.log"
}

@test "tap faults: a STOR stalled past --data-timeout is the tap's cut: a reset to ftp-labd, 426, the old file kept" {
	labd_start
	echo old >"$LABD_ROOT/up"
	tap_on "$T" "$LABD_PORT"
	run "$FP" client -t 20 "$TAP_PORT" STOR up stall middle "$T/big"
	tap_off
	cat "$T/tap.log"
	[ "$status" = 1 ]
	grep -q '^reply: 426 ' <<<"$output"
	grep -q '^data: 262144 bytes, ended by reset' <<<"$output"
	[ "$(cat "$LABD_ROOT/up")" = old ]
	grep -q 'no progress for 1 seconds: the tap cuts it off, a reset to both' "$T/tap.log"
}

@test "tap faults: a server's reset of a RETR reaches the client as a reset; its 226 does not (curl fails)" {
	require curl
	fake_server "$T/1" RETR rst middle "$T/big"
	tap_on "$T/1" "$FAKE_PORT"
	run curl -sS --max-time 20 -o "$T/got" "ftp://127.0.0.1:$TAP_PORT/f"
	tap_off
	cat "$T/1/tap.log"
	[ "$status" = 56 ]	# curl: "Recv failure: Connection reset"
	grep -q 'cut off by the server (Connection reset by peer)' "$T/1/tap.log"
	# a client that waits for the final reply gets the tap's 426
	fake_server "$T/2" RETR rst middle "$T/big"
	tap_on "$T/2" "$FAKE_PORT"
	run "$FP" client -t 20 "$TAP_PORT" RETR f none before "$T/got"
	tap_off
	cat "$T/2/tap.log"
	[ "$status" = 1 ]
	grep -q '^data: .* ended by reset$' <<<"$output"
	grep -q '^reply: 426 Transfer failed: the data connection was reset or cut (ftp-tap)' <<<"$output"
}

@test "tap faults: ftp-dataconn </dev/null half-closes at once; the RETR through the tap still brings the whole file" {
	labd_start
	cp "$T/big" "$LABD_ROOT/f"
	tap_on "$T" "$LABD_PORT"
	exec 7<>"/dev/tcp/127.0.0.1/$TAP_PORT"
	read -r -t 10 line <&7
	printf 'USER anonymous\r\nPASS x\r\nTYPE I\r\nPASV\r\n' >&7
	for i in 1 2 3 4; do read -r -t 10 line <&7; done
	[[ $line == 227* ]]
	read -r host port < <(ftp-pasv-calc "${line%$'\r'}")
	ftp-dataconn "$host" "$port" </dev/null >"$T/got" 2>"$T/dc.err" &
	dc=$!
	TAPS+=("$dc")
	wait_until 100 grep -q 'data: connected to' "$T/tap.log"
	printf 'RETR f\r\n' >&7
	read -r -t 10 line <&7
	read -r -t 20 final <&7
	dc_status=0
	wait "$dc" || dc_status=$?
	exec 7>&-
	tap_off
	cat "$T/tap.log" "$T/dc.err"
	[[ $final == 226* ]]
	[ "$dc_status" = 0 ]
	cmp "$T/got" "$T/big"
}

@test "tap faults: a server that half-closes before reading a STOR gets every byte" {
	fake_server "$T" STOR half before "$T/stored"
	tap_on "$T" "$FAKE_PORT"
	run "$FP" client -t 20 "$TAP_PORT" STOR up none before "$T/big"
	tap_off
	cat "$T/tap.log"
	[ "$status" = 0 ]
	grep -q '^reply: 226 ' <<<"$output"
	cmp "$T/stored" "$T/big"
}

@test "tap faults --wire: a reset is narrated as RST on both legs, the tap's cut as the tap's RST; a FIN as FIN" {
	labd_start
	echo old >"$LABD_ROOT/up"
	cp "$T/big" "$LABD_ROOT/f"
	tap_on "$T" "$LABD_PORT" --wire --pcap "$T/cap.pcap"
	run "$FP" client -t 20 "$TAP_PORT" STOR up rst middle "$T/big"
	[ "$(grep -c '\[1\] tcp: data: RST from the client' "$T/tap.log")" = 2 ]
	run "$FP" client -t 20 "$TAP_PORT" STOR up stall middle "$T/big"
	grep -q '^reply: 426 ' <<<"$output"
	[ "$(grep -c '\[2\] tcp: data: RST from the server' "$T/tap.log")" = 1 ]
	[ "$(grep -c '\[2\] tcp: data: RST from the client' "$T/tap.log")" = 1 ]
	run "$FP" client -t 20 "$TAP_PORT" RETR f half before "$T/got"
	[ "$status" = 0 ]
	tap_off
	cat "$T/tap.log"
	cmp "$T/got" "$T/big"
	refute grep -q '\[3\] tcp: data: RST' "$T/tap.log"
	[ "$(grep -c '\[3\] tcp: data: FIN from the client first' "$T/tap.log")" = 2 ]
	if command -v tshark >/dev/null; then
		# the capture holds the RSTs the narration names: on both
		# legs of sessions 1 and 2
		[ "$(tshark -r "$T/cap.pcap" -Y 'tcp.flags.reset == 1' 2>/dev/null | wc -l)" -ge 4 ]
	fi
}
