#!/usr/bin/env bats
# ftp-dataconn as a stream tool, against a second ftp-dataconn and the
# stream-peer helper: sizes and checksums, stdin and stdout of every kind,
# half-close, active announcements, --from, --ascii, errors and exit codes.
# tests/dataconn-portable.bats is a link to this file: the same tests on
# the portable read/write path (RAWFTP_PORTABLE=1).

load lib/common
load lib/dataconn

# MODE names the path in every test's name
case $BATS_TEST_FILENAME in
*portable*) export RAWFTP_PORTABLE=1 MODE=portable ;;
*) unset RAWFTP_PORTABLE; MODE=fast ;;
esac

setup_file() {
	local d=$BATS_FILE_TMPDIR
	dc_make_files "$d"
}

setup() {
	D=$BATS_FILE_TMPDIR
	T=$BATS_TEST_TMPDIR
}

teardown() {
	dc_cleanup
}

# send_file FILE: a listener receives (-r), a client sends FILE; both
# must end by themselves with status 0 and the bytes must match.
send_file() {
	dc_listen -r >"$T/got" </dev/null
	run ftp-dataconn 127.0.0.1 "$DC_PORT" <"$1"
	[ "$status" -eq 0 ]
	dc_wait "$DC_PID"
	[ "$DC_STATUS" -eq 0 ]
	cmp "$1" "$T/got"
}

@test "dataconn ($MODE): --help and --version on stdout, exit 0" {
	run --separate-stderr ftp-dataconn --help
	[ "$status" -eq 0 ]
	[[ "$output" == usage:*"-l, --listen"*"--from IP"*"--ascii"* ]]
	[ -z "$stderr" ]
	run ftp-dataconn --version
	[ "$status" -eq 0 ]
	[[ "$output" == "ftp-dataconn (rawftp) "[0-9]* ]]
}

@test "dataconn ($MODE): usage errors name the problem and exit 64" {
	run --separate-stderr ftp-dataconn
	[ "$status" -eq 64 ]
	[[ "${stderr_lines[0]}" == "ftp-dataconn: give the host and port"* ]]
	run --separate-stderr ftp-dataconn 127.0.0.1 70000
	[ "$status" -eq 64 ]
	[[ "${stderr_lines[0]}" == "ftp-dataconn: "*70000* ]]
	run --separate-stderr ftp-dataconn -r -s 127.0.0.1 21
	[ "$status" -eq 64 ]
	[ "${stderr_lines[0]}" = "ftp-dataconn: -r and -s exclude each other" ]
	run --separate-stderr ftp-dataconn --from 127.0.0.1 127.0.0.1 21
	[ "$status" -eq 64 ]
	[[ "${stderr_lines[0]}" == *"need -l" ]]
	run --separate-stderr ftp-dataconn -l 0.0.0.0
	[ "$status" -eq 64 ]
	[[ "${stderr_lines[0]}" == *"not 0.0.0.0" ]]
	run --separate-stderr ftp-dataconn -l no-such-address
	[ "$status" -eq 64 ]
	run --separate-stderr ftp-dataconn -w 0 127.0.0.1 21
	[ "$status" -eq 64 ]
	[ "${stderr_lines[0]}" = "ftp-dataconn: -w: '0' is not a number from 1 to 86400" ]
	run --separate-stderr ftp-dataconn --hash=x 127.0.0.1 21
	[ "$status" -eq 64 ]
	run --separate-stderr ftp-dataconn --source bogus 127.0.0.1 21
	[ "$status" -eq 64 ]
	[ "${stderr_lines[0]}" = "ftp-dataconn: --source: 'bogus' is not a numeric IPv4 or IPv6 address" ]
	run --separate-stderr ftp-dataconn -l --source 127.0.0.1
	[ "$status" -eq 64 ]
	[[ "${stderr_lines[0]}" == "ftp-dataconn: --source is for passive mode"* ]]
	run --separate-stderr ftp-dataconn --source ::1 127.0.0.1 21
	[ "$status" -eq 64 ]
	[ "${stderr_lines[0]}" = "ftp-dataconn: --source ::1 and 127.0.0.1 are not the same address family" ]
	run --separate-stderr ftp-dataconn --bogus
	[ "$status" -eq 64 ]
}

@test "dataconn ($MODE): 0 bytes, 1 byte and 1 MiB arrive byte for byte" {
	send_file "$D/0.bin"
	send_file "$D/1.bin"
	send_file "$D/1m.bin"
}

@test "dataconn ($MODE): 100 MiB of random data, checksums equal" {
	send_file "$D/100m.bin"
	[ "$(sha256sum <"$D/100m.bin")" = "$(sha256sum <"$T/got")" ]
}

@test "dataconn ($MODE): stdin from a pipe, stdout to a pipe" {
	dc_listen -r </dev/null > >(sha256sum >"$T/sum")
	cat "$D/1m.bin" | ftp-dataconn 127.0.0.1 "$DC_PORT"
	dc_wait "$DC_PID"
	[ "$DC_STATUS" -eq 0 ]
	wait_until 50 test -s "$T/sum"
	[ "$(cat "$T/sum")" = "$(sha256sum <"$D/1m.bin")" ]
}

@test "dataconn ($MODE): stdout to /dev/null; -v counts the bytes" {
	dc_listen -r -v </dev/null >/dev/null
	ftp-dataconn 127.0.0.1 "$DC_PORT" <"$D/1m.bin"
	dc_wait "$DC_PID"
	[ "$DC_STATUS" -eq 0 ]
	grep -q "received 1048576 bytes, sent 0 bytes in " "$DC_ERR"
}

@test "dataconn ($MODE): exits when the server closes though stdin never ends" {
	# the "server" sends a file and closes; stdin is a fifo held open
	peer_listen serve "$D/1m.bin"
	mkfifo "$T/fifo"
	sleep 60 >"$T/fifo" &
	dc_remember $!
	# timeout: a failure here is a hang, bounded
	timeout 20 ftp-dataconn 127.0.0.1 "$SP_PORT" <"$T/fifo" >"$T/got"
	cmp "$D/1m.bin" "$T/got"
	dc_wait "$SP_PID"
	grep -q '^received 0 bytes$' "$SP_OUT"
}

@test "dataconn ($MODE): exits when the server closes though stdin is a terminal" {
	require script
	peer_listen serve "$D/1m.bin"
	# script(1) puts ftp-dataconn on a terminal; the terminal's own
	# input is a fifo held open, so it never ends and sends nothing
	mkfifo "$T/fifo"
	sleep 60 >"$T/fifo" &
	dc_remember $!
	timeout 20 script -qec "ftp-dataconn 127.0.0.1 $SP_PORT >'$T/got'" \
		/dev/null <"$T/fifo" >/dev/null
	cmp "$D/1m.bin" "$T/got"
	dc_wait "$SP_PID"
	grep -q '^received 0 bytes$' "$SP_OUT"
}

@test "dataconn ($MODE): half-closes at the end of stdin and keeps reading" {
	# the peer answers only after our FIN: plain nc would hang here
	peer_listen count
	run ftp-dataconn 127.0.0.1 "$SP_PORT" <"$D/1m.bin"
	[ "$status" -eq 0 ]
	[ "$output" = "received 1048576 bytes" ]
}

# both_reno PID...: each process has an established TCP socket, and
# every one of them uses reno (ss).
both_reno() {
	local pid
	ss -tinpH state established >"$T/ss" || return 1
	for pid in "$@"; do
		cc_table "$T/ss" "$pid" >"$T/cc.$pid"
		[ -s "$T/cc.$pid" ] || return 1
		if grep -qv ' reno$' "$T/cc.$pid"; then return 1; fi
	done
}

@test "dataconn ($MODE): on loopback both ends use reno, which does not pace, whatever the system's default (what ss shows)" {
	require ss
	mkfifo "$T/in"
	exec 8<>"$T/in"		# the only writer: closing it ends both inputs
	dc_listen <"$T/in" >/dev/null 8>&-
	ftp-dataconn 127.0.0.1 "$DC_PORT" <"$T/in" >/dev/null 8>&- &
	local pid=$!
	dc_remember "$pid"
	wait_until 100 both_reno "$DC_PID" "$pid"
	cat "$T/cc.$DC_PID" "$T/cc.$pid"
	exec 8>&-
	dc_wait "$pid"
	[ "$DC_STATUS" -eq 0 ]
	dc_wait "$DC_PID"
	[ "$DC_STATUS" -eq 0 ]
}

@test "dataconn ($MODE): --no-shutdown keeps the connection open; -w ends it, exit 75" {
	peer_listen count
	run --separate-stderr ftp-dataconn --no-shutdown -w 1 127.0.0.1 \
		"$SP_PORT" <"$D/1.bin"
	[ "$status" -eq 75 ]
	[ "$output" = "" ]
	[ "$stderr" = "ftp-dataconn: no data moved for 1 s (-w)" ]
}

@test "dataconn ($MODE): -r never reads stdin" {
	peer_listen serve "$D/1.bin"
	ftp-dataconn -r 127.0.0.1 "$SP_PORT" <"$D/1m.bin" >"$T/got"
	cmp "$D/1.bin" "$T/got"
	dc_wait "$SP_PID"
	grep -q '^received 0 bytes$' "$SP_OUT"
}

@test "dataconn ($MODE): -s sends all of stdin, writes nothing to stdout" {
	peer_listen serve "$D/1.bin"
	run --separate-stderr ftp-dataconn -s 127.0.0.1 "$SP_PORT" <"$D/1m.bin"
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	[ "$stderr" = "ftp-dataconn: ignored 1 bytes from the server (-s)" ]
	dc_wait "$SP_PID"
	grep -q '^received 1048576 bytes$' "$SP_OUT"
}

@test "dataconn ($MODE): both directions at once, 20 MiB each way" {
	head -c 20971520 "$D/100m.bin" >"$T/a"
	tail -c 20971520 "$D/100m.bin" >"$T/b"
	dc_listen <"$T/a" >"$T/got-b"
	ftp-dataconn 127.0.0.1 "$DC_PORT" <"$T/b" >"$T/got-a"
	dc_wait "$DC_PID"
	[ "$DC_STATUS" -eq 0 ]
	cmp "$T/a" "$T/got-a"
	cmp "$T/b" "$T/got-b"
}

@test "dataconn ($MODE): -l prints the PORT line; its numbers name the port" {
	dc_listen -r -v </dev/null >"$T/got"
	[[ "$DC_LINE" =~ ^PORT\ 127,0,0,1,[0-9]+,[0-9]+$ ]]
	grep -q "^ftp-dataconn: listening on 127.0.0.1 port $DC_PORT;" "$DC_ERR"
	grep -qx "$DC_LINE" "$DC_ERR"
	printf hello | ftp-dataconn 127.0.0.1 "$DC_PORT"
	dc_wait "$DC_PID"
	[ "$(cat "$T/got")" = hello ]
	grep -q "^ftp-dataconn: accepted a connection from 127.0.0.1 port [0-9]*, local 127.0.0.1 port $DC_PORT$" "$DC_ERR"
}

@test "dataconn ($MODE): --eprt announces EPRT |1| for IPv4" {
	dc_listen -r --eprt </dev/null >"$T/got"
	[[ "$DC_LINE" =~ ^EPRT\ \|1\|127\.0\.0\.1\|[0-9]+\|$ ]]
	ftp-dataconn 127.0.0.1 "$DC_PORT" <"$D/1m.bin"
	dc_wait "$DC_PID"
	cmp "$D/1m.bin" "$T/got"
}

@test "dataconn ($MODE): IPv6 on ::1, EPRT |2|" {
	ftp-dataconn -6 -l -w 1 2>/dev/null </dev/null || [ $? -eq 75 ] ||
		skip "no IPv6 loopback here"
	dc_listen -6 -r </dev/null >"$T/got"
	[[ "$DC_LINE" =~ ^EPRT\ \|2\|::1\|[0-9]+\|$ ]]
	run ftp-dataconn -6 -v ::1 "$DC_PORT" <"$D/1m.bin"
	[ "$status" -eq 0 ]
	[[ "$output" == *"connected to ::1 port $DC_PORT, local ::1 port "* ]]
	dc_wait "$DC_PID"
	cmp "$D/1m.bin" "$T/got"
}

@test "dataconn ($MODE): --announce-fd writes the line and closes the descriptor" {
	mkfifo "$T/ann"
	ftp-dataconn -l -r -w 10 --announce-fd 3 3>"$T/ann" </dev/null \
		>"$T/got" 2>/dev/null &
	dc_remember $!
	local pid=$! line rest
	# read to the end: only a closed descriptor ends this
	read -r -t 10 line <"$T/ann"
	[[ "$line" == "PORT 127,0,0,1,"* ]]
	ftp-dataconn 127.0.0.1 "$(dc_port_of "$line")" <"$D/1.bin"
	dc_wait "$pid"
	[ "$DC_STATUS" -eq 0 ]
	cmp "$D/1.bin" "$T/got"
}

@test "dataconn ($MODE): --from refuses and reports other addresses" {
	require nc
	dc_listen -r --from 127.0.0.2 </dev/null >"$T/got"
	# a stranger from 127.0.0.1 is closed and reported
	ftp-dataconn 127.0.0.1 "$DC_PORT" </dev/null
	wait_until 50 grep -q 'refused a connection from 127.0.0.1 port' "$DC_ERR"
	grep -q "only 127.0.0.2 may connect (--from)" "$DC_ERR"
	kill -0 "$DC_PID"
	# the expected peer gets through (nc -s: connect from 127.0.0.2)
	nc -N -s 127.0.0.2 127.0.0.1 "$DC_PORT" <"$D/1m.bin"
	dc_wait "$DC_PID"
	[ "$DC_STATUS" -eq 0 ]
	cmp "$D/1m.bin" "$T/got"
}

@test "dataconn ($MODE): --ascii: LF to CRLF on send, CRLF to LF on receive" {
	printf 'one\ntwo\n\nthree' >"$T/lf"
	printf 'one\r\ntwo\r\n\r\nthree' >"$T/crlf"
	dc_listen -r </dev/null >"$T/wire"
	ftp-dataconn --ascii 127.0.0.1 "$DC_PORT" <"$T/lf"
	dc_wait "$DC_PID"
	cmp "$T/crlf" "$T/wire"
	dc_listen -s <"$T/crlf"
	ftp-dataconn --ascii -r 127.0.0.1 "$DC_PORT" >"$T/text"
	cmp "$T/lf" "$T/text"
}

@test "dataconn ($MODE): --ascii round trip of random bytes restores them" {
	dc_listen -r --ascii </dev/null >"$T/got"
	ftp-dataconn --ascii 127.0.0.1 "$DC_PORT" <"$D/1m.bin"
	dc_wait "$DC_PID"
	cmp "$D/1m.bin" "$T/got"
}

@test "dataconn ($MODE): --hash prints one # per N bytes" {
	dc_listen -r </dev/null >/dev/null
	run --separate-stderr ftp-dataconn --hash=65536 127.0.0.1 "$DC_PORT" \
		<"$D/1m.bin"
	[ "$status" -eq 0 ]
	[ "$stderr" = "################" ]
	dc_listen -r </dev/null >/dev/null
	run --separate-stderr ftp-dataconn --hash 127.0.0.1 "$DC_PORT" <"$D/1.bin"
	[ "$stderr" = "" ]
}

@test "dataconn ($MODE): --progress is quiet when stderr is not a terminal" {
	dc_listen -r </dev/null >/dev/null
	run --separate-stderr ftp-dataconn --progress 127.0.0.1 "$DC_PORT" \
		<"$D/1m.bin"
	[ "$status" -eq 0 ]
	[ "$stderr" = "" ]
}

@test "dataconn ($MODE): --progress on a terminal: bytes, rate and time, redrawn in place" {
	require script
	dc_listen -r </dev/null >/dev/null
	# script(1) gives ftp-dataconn a terminal for stderr
	script -qec "ftp-dataconn --progress 127.0.0.1 $DC_PORT <'$D/1m.bin'" \
		"$T/typescript" </dev/null >/dev/null
	grep -qE $'\r +1048576 bytes +[0-9]+\\.[0-9]{2} MB/s +[0-9]+\\.[0-9] s' \
		"$T/typescript"
}

@test "dataconn ($MODE): -v names the endpoints and the method used" {
	dc_listen -r </dev/null >/dev/null
	run --separate-stderr ftp-dataconn -v 127.0.0.1 "$DC_PORT" <"$D/1m.bin"
	[ "$status" -eq 0 ]
	[[ "${stderr_lines[0]}" =~ ^ftp-dataconn:\ connected\ to\ 127\.0\.0\.1\ port\ $DC_PORT,\ local\ 127\.0\.0\.1\ port\ [0-9]+$ ]]
	[[ "${stderr_lines[1]}" == "ftp-dataconn: received 0 bytes, sent 1048576 bytes in "* ]]
	if [ "$MODE" = portable ]; then
		[[ "${stderr_lines[1]}" == *"sending by read/write)" ]]
	else
		[[ "${stderr_lines[1]}" == *"sending by sendfile)" ]]
	fi
}

@test "dataconn ($MODE): refused connection: one line, exit 69" {
	peer_listen silent
	kill "$SP_PID"
	wait "$SP_PID" 2>/dev/null || true
	run --separate-stderr ftp-dataconn 127.0.0.1 "$SP_PORT"
	[ "$status" -eq 69 ]
	[ "$stderr" = "ftp-dataconn: connect to 127.0.0.1 port $SP_PORT: Connection refused" ]
}

@test "dataconn ($MODE): --source connects from that address; one not on this machine: exit 69" {
	peer_listen count
	run --separate-stderr ftp-dataconn -v --source 127.0.0.3 127.0.0.1 "$SP_PORT" </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "received 0 bytes" ]
	[[ "${stderr_lines[0]}" == "ftp-dataconn: connected to 127.0.0.1 port $SP_PORT, local 127.0.0.3 port "* ]]
	# 192.0.2.1 is TEST-NET-1: never an address of this machine
	run --separate-stderr ftp-dataconn --source 192.0.2.1 127.0.0.1 "$SP_PORT"
	[ "$status" -eq 69 ]
	[ "$stderr" = "ftp-dataconn: connect to 127.0.0.1 port $SP_PORT from 192.0.2.1 (IPv4): Cannot assign requested address" ]
}

@test "dataconn ($MODE): an address that does not resolve: exit 68" {
	run --separate-stderr ftp-dataconn -4 ::1 21
	[ "$status" -eq 68 ]
	[[ "$stderr" == "ftp-dataconn: cannot resolve ::1 port 21: "* ]]
}

@test "dataconn ($MODE): --announce to a file that cannot be made: exit 73" {
	run --separate-stderr ftp-dataconn -l -w 1 --announce "$T/no/such/dir/x" \
		</dev/null
	[ "$status" -eq 73 ]
	[ "${stderr_lines[1]}" = "ftp-dataconn: --announce $T/no/such/dir/x: No such file or directory" ]
}

@test "dataconn ($MODE): nobody connects to -l within -w: exit 75" {
	run --separate-stderr ftp-dataconn -l -w 1 </dev/null
	[ "$status" -eq 75 ]
	[[ "${stderr_lines[0]}" == "PORT 127,0,0,1,"* ]]
	[ "${stderr_lines[1]}" = "ftp-dataconn: no connection arrived in time" ]
}

@test "dataconn ($MODE): a silent peer and -w: exit 75" {
	peer_listen silent
	mkfifo "$T/fifo"
	sleep 60 >"$T/fifo" &
	dc_remember $!
	run --separate-stderr ftp-dataconn -w 1 127.0.0.1 "$SP_PORT" <"$T/fifo"
	[ "$status" -eq 75 ]
	[ "$stderr" = "ftp-dataconn: no data moved for 1 s (-w)" ]
}

@test "dataconn ($MODE): a reset mid-transfer: one line, exit 74" {
	peer_listen reset "$D/1m.bin"
	mkfifo "$T/fifo"
	# one byte starts the peer, then stdin stays open: only the reset
	# ends this
	{ printf x; exec sleep 60; } >"$T/fifo" &
	dc_remember $!
	local rc=0
	ftp-dataconn 127.0.0.1 "$SP_PORT" <"$T/fifo" >/dev/null 2>"$T/err" ||
		rc=$?
	[ "$rc" -eq 74 ]
	[ "$(cat "$T/err")" = "ftp-dataconn: connection lost while receiving: Connection reset by peer" ]
}

@test "dataconn ($MODE): stdout closed early: a message and 74, no SIGPIPE death" {
	# 100 MiB: more than any pipe buffer holds before head exits
	dc_listen -s <"$D/100m.bin"
	local rc=0
	ftp-dataconn 127.0.0.1 "$DC_PORT" </dev/null 2>"$T/err" \
		> >(head -c 10 >/dev/null) || rc=$?
	[ "$rc" -eq 74 ]
	[ "$(cat "$T/err")" = "ftp-dataconn: writing stdout: Broken pipe" ]
}

@test "dataconn ($MODE): disk full on stdout: a message and 74" {
	[ -w /dev/full ] || skip "no /dev/full"
	dc_listen -s <"$D/1m.bin"
	local rc=0
	ftp-dataconn 127.0.0.1 "$DC_PORT" </dev/null >/dev/full 2>"$T/err" ||
		rc=$?
	[ "$rc" -eq 74 ]
	[ "$(cat "$T/err")" = "ftp-dataconn: writing stdout: No space left on device" ]
}
