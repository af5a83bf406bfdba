#!/usr/bin/env bats
# ftp-labd's wire view, as a student uses it instead of Wireshark:
# --pcap judged by tshark (the seed session, curl, active mode), --wire's
# line endings and TCP events, --show-passwords, and the unsafe lab
# switches showing the bounce attack and PASV theft succeed.

load lib/common
load lib/tshark

setup() {
	LABD_ROOT=$BATS_TEST_TMPDIR/root
	mkdir -p "$LABD_ROOT"
	PCAP=$BATS_TEST_TMPDIR/labd.pcap
	# the seed's file: text; and 3.5 segments of every byte value
	printf 'the seed file\r\nline two\n' >"$LABD_ROOT/01test.txt"
	every_byte_value "$LABD_ROOT/bytes.bin" 5110
	T=$BATS_TEST_TMPDIR
}

teardown() {
	[ -z "${DC_PID:-}" ] || kill "$DC_PID" 2>/dev/null || true
	[ -z "${READER_PID:-}" ] || kill "$READER_PID" 2>/dev/null || true
	labd_stop
	ladder_teardown
}

# The seed's session (lab report): HELP, the anonymous login, MKD, then a
# passive download, as one pipeline (lab 9): ftp-raw | ftp-pasv-calc |
# ftp-dataconn.  The file arrives in $T/got.
seed_session() {
	printf '%s\n' HELP 'USER anonymous' 'PASS anonymous@example.com' \
		'MKD Jowa' 'TYPE I' PASV "RETR $1" QUIT >"$T/cmds"
	ftp-raw -w 10 127.0.0.1 "$LABD_PORT" <"$T/cmds" | tee "$T/ctl" |
		ftp-pasv-calc | { read -r h p && ftp-dataconn -r -w 10 "$h" "$p" >"$T/got"; }
}

@test "labd --pcap: the seed session, decoded by tshark as a real capture" {
	require tshark
	labd_start --pcap "$PCAP"
	TS_FTP_PORT=$LABD_PORT
	seed_session bytes.bin
	cmp "$LABD_ROOT/bytes.bin" "$T/got"
	labd_stop
	[ "$(ts_commands)" = "HELP
USER anonymous
PASS anonymous@example.com
MKD Jowa
TYPE I
PASV
RETR bytes.bin
QUIT" ]
	[ "$(ts_codes)" = "220 214 331 230 257 200 227 150 226 221 " ]
	# FTP-DATA: linked to its PASV and RETR, and its bytes are the file
	[ "$(ts_where 'has("ftp-data")' ftp_data_setup_method ftp_data_command | sort -u)" = "PASV	RETR bytes.bin" ]
	ts_follow 1 1 >"$T/followed"
	cmp "$LABD_ROOT/bytes.bin" "$T/followed"
	# the PASV reply's port is the data connection's server port
	pasv=$(ts_where 'ftp_passive_port != ""' ftp_passive_port)
	[ -n "$pasv" ]
	[ "$(ts_where 'tcp_flags_syn == 1 && tcp_flags_ack == 0 && tcp_stream == 1' tcp_dstport)" = "$pasv" ]
	# no malformed packet, no bad checksum
	run ts_warnings
	echo "$output"
	[ -z "$output" ]
	# every connection opened and closed: 2 SYNs, 4 FINs
	[ "$(ts_count 'tcp_flags_syn == 1 && tcp_flags_ack == 0')" -eq 2 ]
	[ "$(ts_count 'tcp_flags_fin == 1')" -eq 4 ]
}

@test "labd --pcap: a curl session, EPSV, every command, the file back" {
	require tshark curl
	labd_start --pcap "$PCAP"
	TS_FTP_PORT=$LABD_PORT
	curl -sS -o "$T/got" "ftp://127.0.0.1:$LABD_PORT/bytes.bin"
	curl -sS -T "$LABD_ROOT/01test.txt" "ftp://127.0.0.1:$LABD_PORT/up.txt"
	cmp "$LABD_ROOT/bytes.bin" "$T/got"
	labd_stop
	run ts_commands
	echo "$output"
	[[ $output == *"USER anonymous"*"PASS ftp@example.com"*"PWD"*"EPSV"*"TYPE I"*"SIZE bytes.bin"*"RETR bytes.bin"*"QUIT"* ]]
	[[ $output == *"STOR up.txt"* ]]
	# every command tshark saw is one the narration saw, in order
	[ "$(grep -o '\] > [A-Z]*' "$LABD_LOG" | cut -c5-)" = "$(cut -d' ' -f1 <<<"$output")" ]
	# the download: stream 1, from the server; the upload: stream 3
	ts_follow 1 1 >"$T/followed"
	cmp "$LABD_ROOT/bytes.bin" "$T/followed"
	ts_follow 3 0 >"$T/uploaded"
	cmp "$LABD_ROOT/01test.txt" "$T/uploaded"
	epsv=$(ts_where 'ftp_epsv_port != ""' ftp_epsv_port | head -n 1)
	[ "$(ts_where 'tcp_flags_syn == 1 && tcp_flags_ack == 0 && tcp_stream == 1' tcp_dstport)" = "$epsv" ]
	run ts_warnings
	echo "$output"
	[ -z "$output" ]
}

# active LINE-FILE: ftp-dataconn listens (its EPRT or PORT line to LINE-FILE),
# the server is told to connect there and RETR bytes.bin; the file
# arrives in $T/got.  Extra ftp-dataconn options first.
active_retr() {
	rm -f "$T/announce"
	ftp-dataconn -l 127.0.0.1 0 -r -w 10 --announce "$T/announce" "$@" >"$T/got" 2>/dev/null &
	DC_PID=$!
	wait_until 50 test -s "$T/announce"
	printf '%s\n' 'USER anonymous' 'PASS x' 'TYPE I' "$(head -n 1 "$T/announce")" \
		'RETR bytes.bin' QUIT | ftp-raw -w 10 127.0.0.1 "$LABD_PORT" >"$T/ctl"
	wait "$DC_PID"
	DC_PID=
	cmp "$LABD_ROOT/bytes.bin" "$T/got"
}

@test "labd --pcap: active mode, the server connects to the PORT and EPRT ports" {
	require tshark
	labd_start --pcap "$PCAP"
	TS_FTP_PORT=$LABD_PORT
	active_retr
	port_cmd=$(head -n 1 "$T/announce")
	IFS=, read -r _ _ _ _ p1 p2 <<<"${port_cmd#PORT }"
	active_retr --eprt
	eprt_port=$(head -n 1 "$T/announce" | cut -d'|' -f4)
	labd_stop
	[ "$(ts_where 'ftp_active_port != ""' ftp_active_port)" = $((p1 * 256 + p2)) ]
	[ "$(ts_where 'ftp_eprt_port != ""' ftp_eprt_port)" = "$eprt_port" ]
	# the server made each data connection: its SYN goes to the port
	# the client named (streams 1 and 3; 0 and 2 are the controls)
	[ "$(ts_where 'tcp_flags_syn == 1 && tcp_flags_ack == 0 && tcp_stream == 1' tcp_dstport)" = $((p1 * 256 + p2)) ]
	[ "$(ts_where 'tcp_flags_syn == 1 && tcp_flags_ack == 0 && tcp_stream == 3' tcp_dstport)" = "$eprt_port" ]
	# FTP-DATA linked to EPRT.  (Wireshark links a PORT connection only
	# when it comes from port 20, as from a server run as root.)
	[ "$(ts_where 'has("ftp-data")' ftp_data_setup_method ftp_data_command | sort -u)" = "EPRT	RETR bytes.bin" ]
	# the server connected, so in streams 1 and 3 it is side 0
	ts_follow 1 0 >"$T/followed"
	cmp "$LABD_ROOT/bytes.bin" "$T/followed"
	ts_follow 3 0 >"$T/followed"
	cmp "$LABD_ROOT/bytes.bin" "$T/followed"
	run ts_warnings
	echo "$output"
	[ -z "$output" ]
}

@test "labd --pcap: IPv6 on ::1, EPSV and EPRT, as tshark decodes them" {
	require tshark curl
	[ -f /proc/net/if_inet6 ] || skip "no IPv6 on this machine"
	labd_start -l ::1 --pcap "$PCAP"
	TS_FTP_PORT=$LABD_PORT
	curl -sS -g -o "$T/got" "ftp://[::1]:$LABD_PORT/bytes.bin"
	cmp "$LABD_ROOT/bytes.bin" "$T/got"
	curl -sS -g -P - -o "$T/got2" "ftp://[::1]:$LABD_PORT/bytes.bin"
	cmp "$LABD_ROOT/bytes.bin" "$T/got2"
	labd_stop
	[ "$(ts_count 'has("ipv6") && tcp_flags_syn == 1 && tcp_flags_ack == 0')" -eq 4 ]
	[ "$(ts_where 'has("ftp-data")' ftp_data_setup_method | sort -u | tr '\n' ' ')" = "EPASV EPRT " ]
	ts_follow 1 1 >"$T/followed"
	cmp "$LABD_ROOT/bytes.bin" "$T/followed"
	run ts_warnings
	echo "$output"
	[ -z "$output" ]
}

@test "labd --pcap: a file that cannot be created, exit 73, nothing served" {
	run ftp-labd -p 0 -r "$LABD_ROOT" --pcap /nonexistent/dir/x.pcap
	[ "$status" -eq 73 ]
	[[ $output == "ftp-labd: --pcap /nonexistent/dir/x.pcap: "* ]]
	[[ $output != *listening* ]]
}

@test "labd --pcap: a capture whose writes fail is said to be incomplete, exit 74" {
	# a reader that takes the file header (24 bytes), then goes: the
	# session's packets come after it has gone, so their writes fail
	# (the open too is bounded, and bats' descriptor 3 is not held: a
	# server that fails to start must not leave the suite waiting)
	mkfifo "$T/pipe"
	timeout 30 sh -c 'head -c 24 <"$1" >/dev/null' sh "$T/pipe" 3>&- &
	READER_PID=$!
	labd_start --pcap "$T/pipe"
	wait "$READER_PID"
	READER_PID=
	printf '%s\n' 'USER anonymous' 'PASS x' HELP QUIT |
		ftp-raw -w 10 127.0.0.1 "$LABD_PORT" >"$T/ctl"
	# serving went on: the session was whole
	grep -q '^221 ' "$T/ctl"
	kill "$LABD_PID"
	status=0
	wait "$LABD_PID" || status=$?
	LABD_PID=
	[ "$status" -eq 74 ]
	grep -q '^ftp-labd: --pcap: the capture is incomplete: Broken pipe$' "$LABD_LOG"
}

# ---- --wire ----

@test "labd --wire: CR LF shown, a bare LF flagged and still accepted" {
	labd_start --wire
	printf '%s\r\n' 'USER anonymous' 'PASS x' NOOP QUIT |
		ftp-dataconn -w 10 127.0.0.1 "$LABD_PORT" >"$T/crlf"
	# ftp-dataconn sends the bytes as they are, as nc does
	printf 'NOOP\nQUIT\n' | ftp-dataconn -w 10 127.0.0.1 "$LABD_PORT" >"$T/lf"
	grep -q '^200 NOOP ok' "$T/lf"
	grep -q '^221 ' "$T/lf"
	wait_until 50 grep -q '\[2\] tcp: control: FIN from the .* too' "$LABD_LOG"
	cat "$LABD_LOG"
	grep -q '\[1\] > USER anonymous\\r\\n$' "$LABD_LOG"
	grep -q '\[1\] > PASS XXXX\\r\\n$' "$LABD_LOG"
	grep -q '\[1\] < 220 ftp-labd .* ready\.\\r\\n$' "$LABD_LOG"
	refute grep -q '\[1\] .*bare LF' "$LABD_LOG"
	grep -q '\[2\] > NOOP\\n   <- bare LF, no CR: accepted, but RFC 959 asks for CR LF$' "$LABD_LOG"
	grep -q '\[2\] < 200 NOOP ok\.\\r\\n$' "$LABD_LOG"
}

@test "labd --wire: who connected to whom, and who sent the first FIN" {
	labd_start --wire
	# the server closes first, after 221: this client reads until the
	# end before it closes (ftp-raw with its input at an end exits on the
	# 221 and may beat the server to it; the narration says which came)
	/usr/bin/python3 - "$LABD_PORT" <<-'PY'
	import socket, sys
	s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
	s.sendall(b"USER anonymous\r\nPASS x\r\nQUIT\r\n")
	while s.recv(4096):
	    pass
	s.close()
	PY
	# the client closes first: its input ends, ftp-dataconn half-closes
	printf 'NOOP\r\n' | ftp-dataconn -w 10 127.0.0.1 "$LABD_PORT" >/dev/null
	wait_until 50 grep -q '\[2\] closed' "$LABD_LOG"
	cat "$LABD_LOG"
	grep -Eq '\[1\] tcp: control: client 127\.0\.0\.1:[0-9]+ connected to server 127\.0\.0\.1:'"$LABD_PORT"'$' "$LABD_LOG"
	grep -Eq '\[1\] tcp: control: FIN from the server first: half-closed \(client sent 30 bytes, server [0-9]+\)$' "$LABD_LOG"
	grep -Eq '\[1\] tcp: control: FIN from the client too: closed' "$LABD_LOG"
	grep -Eq '\[2\] tcp: control: FIN from the client first: half-closed \(client sent 6 bytes, server [0-9]+\)$' "$LABD_LOG"
	grep -Eq '\[2\] tcp: control: FIN from the server too: closed' "$LABD_LOG"
	# the first FIN comes before the second, in each session
	[ "$(grep -o '\[1\] tcp: control: FIN from the [a-z]*' "$LABD_LOG" | cut -d' ' -f7 | tr '\n' ' ')" = "server client " ]
}

@test "labd --wire: the data connection's events, in passive and active mode" {
	labd_start --wire
	seed_session 01test.txt
	cmp "$LABD_ROOT/01test.txt" "$T/got"
	wait_until 50 grep -q '\[1\] closed' "$LABD_LOG"
	cat "$LABD_LOG"
	pasv=$(sed -n 's/.*\[1\] data: PASV listening on 127.0.0.1:\([0-9]*\) = .*/\1/p' "$LABD_LOG")
	[ -n "$pasv" ]
	grep -Eq "\[1\] tcp: data: client 127\.0\.0\.1:[0-9]+ connected to server 127\.0\.0\.1:$pasv\$" "$LABD_LOG"
	# RETR: the server sends, then closes first
	grep -Eq '\[1\] tcp: data: FIN from the server first: half-closed \(client sent 0 bytes, server 24\)$' "$LABD_LOG"
	grep -Eq '\[1\] tcp: data: FIN from the client too: closed' "$LABD_LOG"
	# active: the server connects, to the port PORT named
	active_retr
	port_cmd=$(head -n 1 "$T/announce")
	IFS=, read -r _ _ _ _ p1 p2 <<<"${port_cmd#PORT }"
	wait_until 50 grep -q '\[2\] closed' "$LABD_LOG"
	grep -Eq "\[2\] tcp: data: server 127\.0\.0\.1:[0-9]+ connected to client 127\.0\.0\.1:$((p1 * 256 + p2))\$" "$LABD_LOG"
	grep -Eq '\[2\] tcp: data: FIN from the server first: half-closed \(client sent 0 bytes, server 5110\)$' "$LABD_LOG"
}

@test "labd --wire: a client that resets, on either channel, is a RST" {
	labd_start --wire
	# the control connection: a close with SO_LINGER 0 sends RST
	/usr/bin/python3 - "$LABD_PORT" <<-'PY'
	import socket, struct, sys
	s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
	s.recv(100)
	s.sendall(b"NOOP\r\n")
	s.recv(100)
	s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
	s.close()
	PY
	wait_until 50 grep -q '\[1\] closed' "$LABD_LOG"
	cat "$LABD_LOG"
	grep -q '\[1\] tcp: control: RST from the client: reset (client sent 6 bytes, server ' "$LABD_LOG"
	refute grep -q '\[1\] tcp: control: FIN' "$LABD_LOG"
	# the data connection: a download reset after its first bytes
	head -c 8000000 /dev/zero >"$LABD_ROOT/big.bin"
	/usr/bin/python3 - "$LABD_PORT" <<-'PY'
	import re, socket, struct, sys
	c = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
	f = c.makefile("rb")
	def reply():
	    line = f.readline()
	    while line[3:4] == b"-":
	        line = f.readline()
	    return line
	reply()
	for cmd in (b"USER anonymous", b"PASS x", b"TYPE I"):
	    c.sendall(cmd + b"\r\n"); reply()
	c.sendall(b"PASV\r\n")
	n = [int(x) for x in re.search(rb"\((\d+),(\d+),(\d+),(\d+),(\d+),(\d+)\)", reply()).groups()]
	c.sendall(b"RETR big.bin\r\n")
	d = socket.create_connection(("127.0.0.1", n[4] * 256 + n[5]))
	d.recv(1000)
	d.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
	d.close()
	reply(); reply()
	c.sendall(b"QUIT\r\n"); reply()
	PY
	wait_until 50 grep -q '\[2\] closed' "$LABD_LOG"
	cat "$LABD_LOG"
	grep -Eq '\[2\] tcp: data: RST from the client: reset \(client sent 0 bytes, server [0-9]+\)$' "$LABD_LOG"
	grep -q '\[2\] < 426 ' "$LABD_LOG"
}

@test "labd --wire and --pcap: a stop shows the server's FIN, not one the client never sent" {
	require tshark
	labd_start --wire --pcap "$PCAP"
	# a client that stays connected, and keeps its socket open after
	# the server's 421 and FIN: it never sends a FIN of its own
	exec {ctl}<>"/dev/tcp/127.0.0.1/$LABD_PORT"
	read -r -t 10 -u "$ctl" _
	printf 'NOOP\r\n' >&"$ctl"
	read -r -t 10 -u "$ctl" _
	labd_stop
	local line lines=()
	while IFS= read -r -t 10 -u "$ctl" line; do lines+=("$line"); done
	exec {ctl}>&-
	[[ ${lines[0]} == "421 "* ]]
	cat "$LABD_LOG"
	grep -q '\[1\] < 421 Server shutting down' "$LABD_LOG"
	grep -q '\[1\] tcp: control: FIN from the server first' "$LABD_LOG"
	refute grep -q '\[1\] tcp: control: FIN from the client' "$LABD_LOG"
	# the capture: the server's FIN, and none from the client's port
	ts_where 'tcp_flags_fin == 1' tcp_srcport >"$T/fins"
	cat "$T/fins"
	[ "$(cat "$T/fins")" = "$LABD_PORT" ]
}

@test "labd --wire: a download the client resets after the server wrote it all is not a 226" {
	labd_start --wire
	# small enough that the server writes all of it into its socket
	# before the client, which reads 1000 bytes, resets
	head -c 200000 /dev/zero >"$LABD_ROOT/small.bin"
	/usr/bin/python3 - "$LABD_PORT" >"$T/replies" <<-'PY'
	import re, socket, struct, sys
	c = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 10)
	f = c.makefile("rb")
	def reply():
	    line = f.readline()
	    while line[3:4] == b"-":
	        line = f.readline()
	    return line.decode().strip()
	reply()
	for cmd in (b"USER anonymous", b"PASS x", b"TYPE I"):
	    c.sendall(cmd + b"\r\n"); reply()
	c.sendall(b"PASV\r\n")
	n = [int(x) for x in re.search(r"\((\d+),(\d+),(\d+),(\d+),(\d+),(\d+)\)", reply()).groups()]
	d = socket.create_connection(("127.0.0.1", n[4] * 256 + n[5]), 10)
	c.sendall(b"RETR small.bin\r\n")
	print(reply())
	d.recv(1000)
	d.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
	d.close()
	print(reply())
	c.sendall(b"QUIT\r\n"); print(reply())
	PY
	wait_until 50 grep -q '\[1\] closed' "$LABD_LOG"
	cat "$T/replies" "$LABD_LOG"
	grep -q '^426 ' "$T/replies"
	refute grep -q '\[1\] < 226 ' "$LABD_LOG"
	# the narration agrees with itself: the bytes sent before the RST
	local rst sent
	rst=$(sed -n 's/.*\[1\] tcp: data: RST from the client: reset (client sent 0 bytes, server \([0-9]*\))$/\1/p' "$LABD_LOG")
	sent=$(sed -n 's/.*\[1\] data: sent \([0-9]*\) bytes, closed$/\1/p' "$LABD_LOG")
	[ -n "$rst" ]
	[ "$sent" = "$rst" ]
	[ "$sent" -lt 200000 ]
}

@test "labd --wire and --pcap: an upload, the client's FIN first" {
	require tshark
	labd_start --wire --pcap "$PCAP"
	TS_FTP_PORT=$LABD_PORT
	printf '%s\n' 'USER anonymous' 'PASS x' 'TYPE I' PASV 'STOR up.bin' QUIT |
		ftp-raw -w 10 127.0.0.1 "$LABD_PORT" | ftp-pasv-calc |
		{ read -r h p && ftp-dataconn -s -w 10 "$h" "$p" <"$LABD_ROOT/bytes.bin"; }
	cmp "$LABD_ROOT/bytes.bin" "$LABD_ROOT/up.bin"
	wait_until 50 grep -q '\[1\] closed' "$LABD_LOG"
	grep -q '\[1\] tcp: data: FIN from the client first: half-closed (client sent 5110 bytes, server 0)' "$LABD_LOG"
	labd_stop
	ts_follow 1 0 >"$T/followed"
	cmp "$LABD_ROOT/bytes.bin" "$T/followed"
	run ts_warnings
	[ -z "$output" ]
}

@test "labd --wire and --pcap: a STAT listing on the control connection is shown whole" {
	require tshark
	for ((i = 0; i < 40; i++)); do
		: >"$LABD_ROOT/file-number-$i.txt"
	done
	labd_start --wire --pcap "$PCAP"
	TS_FTP_PORT=$LABD_PORT
	# the bytes as the client received them, CR LF and all
	printf '%s\r\n' 'USER anonymous' 'PASS x' 'STAT /' QUIT |
		ftp-dataconn -w 10 127.0.0.1 "$LABD_PORT" >"$T/received"
	grep -q 'file-number-39\.txt' "$T/received"
	wait_until 50 grep -q '\[1\] closed' "$LABD_LOG"
	received=$(wc -c <"$T/received")
	# --wire counts every byte the server sent
	grep -q "\\[1\\] tcp: control: .*(client sent [0-9]* bytes, server $received)" "$LABD_LOG"
	labd_stop
	# and the capture holds them, in order
	ts_follow 0 1 >"$T/followed"
	cmp "$T/received" "$T/followed"
}

# ---- --show-passwords ----

@test "labd --show-passwords: PASS in clear, and said at start; masked by default" {
	labd_start --show-passwords
	printf '%s\n' 'USER anonymous' 'PASS anonymous@example.com' QUIT |
		ftp-raw -w 10 127.0.0.1 "$LABD_PORT" >/dev/null
	wait_until 50 grep -q '\[1\] closed' "$LABD_LOG"
	head -n 1 "$LABD_LOG" | grep -q '\[0\] passwords are shown in clear (--show-passwords)'
	grep -q '\[1\] > PASS anonymous@example.com$' "$LABD_LOG"
	labd_stop
	labd_start
	printf '%s\n' 'USER anonymous' 'PASS anonymous@example.com' QUIT |
		ftp-raw -w 10 127.0.0.1 "$LABD_PORT" >/dev/null
	wait_until 50 grep -q '\[1\] closed' "$LABD_LOG"
	grep -q '\[1\] > PASS XXXX$' "$LABD_LOG"
	refute grep -q 'anonymous@example.com\|shown in clear' "$LABD_LOG"
}

# ---- the unsafe lab switches ----

@test "labd unsafe switches: refused unless listening on loopback" {
	for sw in --unsafe-allow-bounce --unsafe-allow-pasv-theft; do
		run ftp-labd -p 0 -r "$LABD_ROOT" -l 0.0.0.0 "$sw"
		[ "$status" -eq 64 ]
		[ "$output" = "ftp-labd: $sw: only when listening on a loopback address (-l 127.0.0.1 or -l ::1), not 0.0.0.0" ]
	done
}

@test "labd --unsafe-allow-bounce: PORT to a third address works, warned and narrated" {
	labd_start --unsafe-allow-bounce
	grep -q '^ftp-labd: warning: --unsafe-allow-bounce: PORT and EPRT may name any address: the bounce attack works (loopback only, for a lab)$' "$LABD_LOG"
	# the "victim" listens on another address; we ask the server there
	ftp-dataconn -l 127.0.0.2 0 -r -w 10 --announce "$T/announce" >"$T/got" 2>/dev/null &
	DC_PID=$!
	wait_until 50 test -s "$T/announce"
	port_cmd=$(head -n 1 "$T/announce")
	[[ $port_cmd == "PORT 127,0,0,2,"* ]]
	printf '%s\n' 'USER anonymous' 'PASS x' "$port_cmd" 'RETR 01test.txt' QUIT |
		ftp-raw -w 10 127.0.0.1 "$LABD_PORT" >"$T/ctl"
	wait "$DC_PID"
	DC_PID=
	cmp "$LABD_ROOT/01test.txt" "$T/got"
	grep -q '^226 ' "$T/ctl"
	grep -Eq '\[1\] data: UNSAFE: PORT 127\.0\.0\.2 port [0-9]+ allowed, not the client'"'"'s address 127\.0\.0\.1 \(--unsafe-allow-bounce\)$' "$LABD_LOG"
	# a system port stays refused
	printf '%s\n' 'USER anonymous' 'PASS x' 'PORT 127,0,0,2,0,22' QUIT |
		ftp-raw -w 10 127.0.0.1 "$LABD_PORT" >"$T/ctl"
	grep -q '^500 Refused: ' "$T/ctl"
	refute grep -q 'UNSAFE: PORT 127.0.0.2 port 22 ' "$LABD_LOG"
}

@test "labd without --unsafe-allow-bounce: the same PORT is refused" {
	labd_start
	refute grep -q warning "$LABD_LOG"
	printf '%s\n' 'USER anonymous' 'PASS x' 'PORT 127,0,0,2,195,149' QUIT |
		ftp-raw -w 10 127.0.0.1 "$LABD_PORT" >"$T/ctl"
	grep -q '^500 Refused: 127.0.0.2 is not your address 127.0.0.1' "$T/ctl"
}

@test "labd --unsafe-allow-pasv-theft: a thief on another address gets the file" {
	labd_start --unsafe-allow-pasv-theft
	grep -q '^ftp-labd: warning: --unsafe-allow-pasv-theft: ' "$LABD_LOG"
	mkfifo "$T/typed"
	ftp-raw -w 10 127.0.0.1 "$LABD_PORT" <"$T/typed" >"$T/ctl" &
	raw=$!
	exec 8>"$T/typed"
	printf '%s\n' 'USER anonymous' 'PASS x' 'TYPE I' PASV >&8
	wait_until 50 grep -q '^227 ' "$T/ctl"
	read -r h p < <(ftp-pasv-calc "$(grep '^227 ' "$T/ctl")")
	printf 'RETR 01test.txt\n' >&8
	ftp-dataconn -r -w 10 --source 127.0.0.2 "$h" "$p" >"$T/stolen"
	wait_until 50 grep -q '^226 ' "$T/ctl"
	printf 'QUIT\n' >&8
	exec 8>&-
	wait "$raw"
	cmp "$LABD_ROOT/01test.txt" "$T/stolen"
	grep -Eq '\[1\] data: UNSAFE: 127\.0\.0\.2:[0-9]+ accepted, not the client'"'"'s address 127\.0\.0\.1 \(--unsafe-allow-pasv-theft\)$' "$LABD_LOG"
}

# ---- --ladder, on a pseudo-terminal (tmux) ----

TMUX_SOCK=
ladder_teardown() {
	[ -z "$TMUX_SOCK" ] || tmux -S "$TMUX_SOCK" kill-server 2>/dev/null || true
}

# The pane as the screen shows it, colour escapes kept (-e) or not.
pane() {
	tmux -S "$TMUX_SOCK" capture-pane -p "$@" -S - -t ladder
}
pane_has() {
	pane | grep -qF -- "$1"
}

# ftp-labd --ladder with its narration on a terminal 100 columns wide;
# env gives the environment (NO_COLOR).  Sets LABD_PORT.
ladder_start() {
	require tmux
	TMUX_SOCK=$T/tmux.sock
	# as root, stay root as labd_start does (nobody could not write here)
	tmux -S "$TMUX_SOCK" new-session -d -s ladder -x 100 -y 60 \
		"env $* '$RAWFTP_BIN/ftp-labd' -p 0 -r '$LABD_ROOT' --ladder $([ "$(id -u)" -ne 0 ] || echo --stay-root) >'$T/out'; sleep 600"
	tmux -S "$TMUX_SOCK" set-option -t ladder history-limit 5000 >/dev/null
	wait_until 100 has_line "$T/out" 'listening on '
	read -r _ _ _ _ LABD_PORT <"$T/out"
	LABD_PID=$(pgrep -f "ftp-labd -p 0 -r $LABD_ROOT --ladder" | head -n 1)
	[ -n "$LABD_PID" ]
}

@test "labd --ladder on a terminal: lanes with their ports, arrows, colour, 80 columns" {
	ladder_start TERM=xterm
	seed_session 01test.txt
	cmp "$LABD_ROOT/01test.txt" "$T/got"
	wait_until 100 pane_has "closed" || { pane; false; }
	pane
	# the header names both ends; the lanes carry the ports
	pane | grep -Eq '^== \[1\] client 127\.0\.0\.1:[0-9]+, server 127\.0\.0\.1:'"$LABD_PORT"' ==$'
	pane | grep -Eq '^    time client    server$'
	pane | grep -Eq '^         :[0-9]+ +:'"$LABD_PORT"'$'
	pane_has "|-------->|         USER anonymous"
	pane_has "|-------->|         PASS XXXX"
	pane_has "|<--------|         230 Guest login ok, access restrictions apply."
	# the data connection's lane, headed by the PASV port
	pasv=$(pane | sed -n 's/.*+:\([0-9]*\) PASV 127\.0\.0\.1:[0-9]* = \([0-9]*\)\*256+\([0-9]*\)$/\1 \2 \3/p')
	read -r port p1 p2 <<<"$pasv"
	[ -n "$port" ] && [ "$port" -eq $((p1 * 256 + p2)) ]
	pane | grep -Eq '^ +[0-9]+\.[0-9]{3} \|-{15}>\|  connect from 127\.0\.0\.1:[0-9]+$'
	pane_has "|<===============|  sent 24 bytes, closed"
	# no row wider than 80 columns, on a 100-column terminal
	[ "$(pane | awk '{ if (length($0) > m) m = length($0) } END { print m }')" -le 80 ]
	# colour on a terminal: commands cyan, replies green
	pane -e | grep -F '|-------->|         USER anonymous' | grep -q $'\033\\[.*36m'
	pane -e | grep -F '|<--------|         221 Goodbye.' | grep -q $'\033\\[.*32m'
	# stopping: the table of connections and their ports
	kill "$LABD_PID"
	wait_until 100 pane_has "connections: who connected from where to where" || { pane; false; }
	pane | grep -Eq '^ \[1\]  control   client 127\.0\.0\.1:[0-9]+ -> server 127\.0\.0\.1:'"$LABD_PORT"'$'
	pane | grep -Eq '^ \[1\]  data PASV client 127\.0\.0\.1:[0-9]+ -> server 127\.0\.0\.1:'"$port"'$'
	LABD_PID=
	ladder_teardown
}

@test "labd --ladder with NO_COLOR, or not on a terminal: no colour" {
	ladder_start TERM=xterm NO_COLOR=1
	printf '%s\n' 'USER anonymous' 'PASS x' QUIT | ftp-raw -w 10 127.0.0.1 "$LABD_PORT" >/dev/null
	wait_until 100 pane_has "closed" || { pane; false; }
	pane_has "|-------->|         USER anonymous"
	refute grep -qF $'\033[' <(pane -e)
	kill "$LABD_PID"
	LABD_PID=
	ladder_teardown
	# a file: no colour either
	labd_start --ladder
	printf '%s\n' 'USER anonymous' 'PASS x' QUIT | ftp-raw -w 10 127.0.0.1 "$LABD_PORT" >/dev/null
	wait_until 50 grep -q 'closed$' "$LABD_LOG"
	grep -qF '|-------->|         USER anonymous' "$LABD_LOG"
	refute grep -qF $'\033[' "$LABD_LOG"
}
