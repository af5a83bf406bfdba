#!/usr/bin/env bats
# ftp-tap between real clients and real servers, on loopback.  Each
# interop test runs every client through the tap against one server and
# asserts the bytes that arrived and, from the narration, the commands and
# the data connections.  A test skips with a message when a peer is not
# installed.

load lib/common
load lib/peers

# The files served (SRC) and uploaded (UP), made once for all the tests
# (each only reads them).
setup_file() {
	mkdir -p "$BATS_FILE_TMPDIR/src/sub"
	head -c 1000000 /dev/urandom >"$BATS_FILE_TMPDIR/src/bin.dat"
	head -c 200000 /dev/urandom >"$BATS_FILE_TMPDIR/src/sub/data.bin"
	printf 'line one\nline two\n' >"$BATS_FILE_TMPDIR/src/sub/text.txt"
	head -c 70000 /dev/urandom >"$BATS_FILE_TMPDIR/up.dat"
}

setup() {
	T=$BATS_TEST_TMPDIR
	SRC=$BATS_FILE_TMPDIR/src
	UP=$BATS_FILE_TMPDIR/up.dat
}

teardown() {
	tap_stop
	labd_stop
	peer_stop
}

# tap_start SERVER_PORT [ftp-tap options...]: the tap on a free port of
# 127.0.0.1, relaying to $TAP_SERVER (127.0.0.1 unless set) SERVER_PORT.
# Sets TAP_PID, TAP_PORT, TAP_LOG (the narration).
tap_start() {
	local port=$1
	shift
	TAP_LOG=$T/tap.log
	: >"$T/tap.out"	# (see labd_start)
	ftp-tap -p 0 "$@" "${TAP_SERVER:-127.0.0.1}" "$port" >"$T/tap.out" \
		2>"$TAP_LOG" &
	TAP_PID=$!
	if ! wait_until 100 has_line "$T/tap.out" 'listening on '; then
		cat "$TAP_LOG" >&2
		return 1
	fi
	read -r _ _ _ _ TAP_PORT <"$T/tap.out"
}

tap_stop() {
	[ -n "${TAP_PID:-}" ] || return 0
	kill "$TAP_PID" 2>/dev/null
	wait_until 50 eval '! kill -0 "$TAP_PID" 2>/dev/null' ||
		kill -9 "$TAP_PID" 2>/dev/null
	wait "$TAP_PID" 2>/dev/null
	TAP_PID=
}

# tap_fds: REPLY is how many descriptors the tap holds (a glob: an ls |
# wc at each poll was three processes).
tap_fds() {
	local fds=("/proc/$TAP_PID/fd"/*)
	REPLY=${#fds[@]}
	[ -e "${fds[0]}" ] || REPLY=0
}

# fds_back_to N: the tap holds N descriptors again (read at each poll of a
# wait_until: an argument "$(...)" would be the count of one moment).
fds_back_to() {
	tap_fds
	[ "$REPLY" -eq "$1" ]
}

# closed_in LOG N: LOG narrates N closed sessions.
closed_in() {
	count_matching "$1" '\] closed$'
	[ "$REPLY" -eq "$2" ]
}

# The files every server serves: bin.dat and sub/ at the top of ROOT.
serve_files() {
	cp -r "$SRC/." "$1/"
	chmod -R a+rX "$1"
}

# interop ROOT WDIR MLSD: every client through the tap on $TAP_PORT, to a
# server serving ROOT that lets anonymous users write in WDIR ("" or
# "upload/"); MLSD is 1 when the server has it (vsftpd does not).
interop() {
	local root=$1 wdir=$2 mlsd=$3 u=ftp://127.0.0.1:$TAP_PORT
	require curl lftp
	[ -x /usr/bin/python3 ] || skip "/usr/bin/python3 is not installed"

	# curl: EPSV, PASV, EPRT, PORT, and an upload
	curl -sS --max-time 20 -o "$T/c-epsv" "$u/bin.dat"
	curl -sS --max-time 20 --disable-epsv -o "$T/c-pasv" "$u/bin.dat"
	curl -sS --max-time 20 -P 127.0.0.1 -o "$T/c-eprt" "$u/bin.dat"
	curl -sS --max-time 20 -P 127.0.0.1 --disable-eprt -o "$T/c-port" "$u/bin.dat"
	curl -sS --max-time 20 -T "$UP" "$u/${wdir}c-up.dat"
	for f in c-epsv c-pasv c-eprt c-port; do
		cmp "$T/$f" "$SRC/bin.dat"
	done
	cmp "$root/${wdir}c-up.dat" "$UP"
	grep -q '\] > EPSV$' "$TAP_LOG"
	grep -q '\] > PASV$' "$TAP_LOG"
	grep -q '\] < 229 .* => 229 Entering Extended Passive Mode (|||[0-9]*|)$' "$TAP_LOG"
	grep -q '\] < 227 .* => 227 Entering Passive Mode (127,0,0,1,[0-9]*,[0-9]*)\.$' "$TAP_LOG"
	grep -q '\] > EPRT |1|127.0.0.1|[0-9]*| => EPRT |1|127.0.0.1|[0-9]*|$' "$TAP_LOG"
	grep -q '\] > PORT 127,0,0,1,[0-9,]* => PORT 127,0,0,1,[0-9,]*$' "$TAP_LOG"
	grep -q '\] > STOR c-up.dat$' "$TAP_LOG"

	# lftp: mirror a folder down, and a local folder up
	mkdir -p "$T/local-up"
	cp "$UP" "$T/local-up/a.dat"
	printf 'mirrored up\n' >"$T/local-up/b.txt"
	run timeout 60 lftp -c "set ftp:ssl-allow no; set net:max-retries 1;
		set net:timeout 5; open -u anonymous,x -p $TAP_PORT 127.0.0.1;
		mirror /sub $T/down; mirror -R $T/local-up /${wdir}mirrored"
	echo "$output"
	[ "$status" -eq 0 ]
	cmp "$T/down/data.bin" "$SRC/sub/data.bin"
	cmp "$T/down/text.txt" "$SRC/sub/text.txt"
	cmp "$root/${wdir}mirrored/a.dat" "$T/local-up/a.dat"
	cmp "$root/${wdir}mirrored/b.txt" "$T/local-up/b.txt"

	# Python's ftplib: MLSD, STOR and REST, passive then active
	run /usr/bin/python3 - "$TAP_PORT" "$SRC" "$UP" "$wdir" "$mlsd" <<-'P'
		import ftplib, io, sys
		port, src, up, wdir, mlsd = sys.argv[1:]
		data = open(src + "/bin.dat", "rb").read()
		for passive in (True, False):
		    f = ftplib.FTP(timeout=10)
		    f.connect("127.0.0.1", int(port))
		    f.login()
		    f.set_pasv(passive)
		    if mlsd == "1":
		        assert "bin.dat" in [n for n, _ in f.mlsd("/")]
		    f.storbinary("STOR %spy-%d.dat" % (wdir, passive), open(up, "rb"))
		    got = io.BytesIO()
		    f.retrbinary("RETR bin.dat", got.write, rest=1000)
		    assert got.getvalue() == data[1000:], len(got.getvalue())
		    f.quit()
		print("ok")
	P
	echo "$output"
	[ "$output" = ok ]
	cmp "$root/${wdir}py-1.dat" "$UP"
	cmp "$root/${wdir}py-0.dat" "$UP"
	grep -q '\] > REST 1000$' "$TAP_LOG"
	if [ "$mlsd" = 1 ]; then grep -q '\] > MLSD' "$TAP_LOG"; fi

	# the BSD clients, when installed: tnftp passive then active,
	# inetutils ftp active then passive
	if command -v tnftp >/dev/null; then
		run timeout 30 tnftp -n -p 127.0.0.1 "$TAP_PORT" <<-S
			user anonymous x
			binary
			get bin.dat $T/tn-got
			put $UP ${wdir}tn-up.dat
			passive off
			get sub/text.txt $T/tn-text
			quit
		S
		cmp "$T/tn-got" "$SRC/bin.dat"
		cmp "$root/${wdir}tn-up.dat" "$UP"
		cmp "$T/tn-text" "$SRC/sub/text.txt"
	fi
	if command -v inetutils-ftp >/dev/null; then
		run timeout 30 inetutils-ftp -n 127.0.0.1 "$TAP_PORT" <<-S
			user anonymous x
			binary
			get bin.dat $T/in-got
			passive
			put $UP ${wdir}in-up.dat
			quit
		S
		cmp "$T/in-got" "$SRC/bin.dat"
		cmp "$root/${wdir}in-up.dat" "$UP"
	fi

	# every data connection the tap accepted was joined, and closed
	# with its byte count
	local joined closed
	joined=$(grep -c '\] data: connected to ' "$TAP_LOG")
	closed=$(grep -c '\] data: [0-9]* bytes to the client, [0-9]* bytes to the server, closed$' "$TAP_LOG")
	[ "$joined" -ge 13 ]
	[ "$joined" -eq "$closed" ]
	refute grep -q 'refused\|cut off\|no connection within' "$TAP_LOG"
}

@test "tap interop: ftp-labd with curl, lftp, ftplib, tnftp and inetutils ftp; every command the server saw was narrated" {
	LABD_ROOT=$T/labd-root
	mkdir -p "$LABD_ROOT"
	serve_files "$LABD_ROOT"
	labd_start
	tap_start "$LABD_PORT"
	interop "$LABD_ROOT" "" 1
	diff <(grep -o '\] > [A-Z]*' "$LABD_LOG" | sort) \
		<(grep -o '\] > [A-Z]*' "$TAP_LOG" | sort)
}

@test "tap interop: vsftpd with curl, lftp, ftplib, tnftp and inetutils ftp" {
	vsftpd_start
	serve_files "$PEER_ROOT"
	tap_start "$PEER_PORT"
	interop "$PEER_ROOT" upload/ 0
}

@test "tap interop: proftpd with curl, lftp, ftplib, tnftp and inetutils ftp" {
	proftpd_start
	serve_files "$PEER_ROOT"
	tap_start "$PEER_PORT"
	interop "$PEER_ROOT" upload/ 1
}

@test "tap interop: pyftpdlib with curl, lftp, ftplib, tnftp and inetutils ftp" {
	pyftpdlib_start
	serve_files "$PEER_ROOT"
	tap_start "$PEER_PORT"
	interop "$PEER_ROOT" "" 1
}

@test "tap: IPv6 on ::1, and an IPv4 client to an IPv6 server (PORT goes on as EPRT)" {
	require curl
	LABD_ROOT=$T/labd-root
	mkdir -p "$LABD_ROOT"
	serve_files "$LABD_ROOT"
	labd_start -l ::1
	TAP_SERVER=::1 tap_start "$LABD_PORT" -l ::1
	curl -sS --max-time 20 -g -o "$T/g1" "ftp://[::1]:$TAP_PORT/bin.dat"
	curl -sS --max-time 20 -g -P ::1 -o "$T/g2" "ftp://[::1]:$TAP_PORT/bin.dat"
	cmp "$T/g1" "$SRC/bin.dat"
	cmp "$T/g2" "$SRC/bin.dat"
	grep -q '\] > EPRT |2|::1|[0-9]*| => EPRT |2|::1|[0-9]*|$' "$TAP_LOG"
	grep -q '\] data: connected to \[::1\]:[0-9]* from \[::1\]:' "$TAP_LOG"
	tap_stop
	# a PORT cannot name an IPv6 address: the tap sends EPRT instead
	TAP_SERVER=::1 tap_start "$LABD_PORT"
	curl -sS --max-time 20 -P 127.0.0.1 --disable-eprt -o "$T/g3" \
		"ftp://127.0.0.1:$TAP_PORT/bin.dat"
	cmp "$T/g3" "$SRC/bin.dat"
	grep -q '\] > PORT 127,0,0,1,[0-9,]* => EPRT |2|::1|[0-9]*|$' "$TAP_LOG"
}

# ---- middlebox lessons ----

@test "tap --no-alg: passive works, active fails as behind a NAT without a helper, and the narration says why" {
	require curl
	LABD_ROOT=$T/labd-root
	mkdir -p "$LABD_ROOT"
	serve_files "$LABD_ROOT"
	labd_start
	tap_start "$LABD_PORT" --no-alg
	# passive: the 229 goes through unchanged, and the client reaches
	# the server's data port by itself (one machine: the same address)
	curl -sS --max-time 20 -o "$T/got" "ftp://127.0.0.1:$TAP_PORT/bin.dat"
	cmp "$T/got" "$SRC/bin.dat"
	grep -q '\] < 229 Entering Extended Passive Mode (|||[0-9]*|)$' "$TAP_LOG"
	grep -q '\] nat: --no-alg: the client connects to port [0-9]* of the address it reached the tap on (127.0.0.1) by itself' "$TAP_LOG"
	refute grep -q ' => ' "$TAP_LOG"
	refute grep -q '\] data: ' "$TAP_LOG"
	# active from a client on a "private" address 127.0.0.3: its PORT
	# passes unchanged, and the server, which sees the session come from
	# the tap's 127.0.0.1, refuses it
	run curl -sS --max-time 20 --interface 127.0.0.3 -P 127.0.0.3 --disable-eprt \
		-o "$T/got2" "ftp://127.0.0.1:$TAP_PORT/bin.dat"
	[ "$status" -ne 0 ]
	grep -q '\] > PORT 127,0,0,3,[0-9]*,[0-9]*$' "$TAP_LOG"
	grep -q '\] nat: --no-alg: the server will connect to 127.0.0.3 port [0-9]* itself, but it sees this session coming from 127.0.0.1' "$TAP_LOG"
	grep -q '\] < 500 Refused: 127.0.0.3 is not your address 127.0.0.1' "$TAP_LOG"
	grep -q 'data: refused 127.0.0.3 port [0-9]*: not the client.s address 127.0.0.1 (bounce attack)' "$LABD_LOG"
}

@test "tap: with the ALG, the same client on 127.0.0.3 works in active mode" {
	require curl
	LABD_ROOT=$T/labd-root
	mkdir -p "$LABD_ROOT"
	serve_files "$LABD_ROOT"
	labd_start
	tap_start "$LABD_PORT"
	curl -sS --max-time 20 --interface 127.0.0.3 -P 127.0.0.3 --disable-eprt \
		-o "$T/got" "ftp://127.0.0.1:$TAP_PORT/bin.dat"
	cmp "$T/got" "$SRC/bin.dat"
	grep -q '\] > PORT 127,0,0,3,[0-9,]* => PORT 127,0,0,1,[0-9,]*$' "$TAP_LOG"
	grep -q '\] data: connected to 127.0.0.3:[0-9]* from 127.0.0.1:' "$TAP_LOG"
}

@test "tap: a private address in a 227 is narrated; --fix-pasv connects to the server instead, as curl --ftp-skip-pasv-ip" {
	require curl
	LABD_ROOT=$T/labd-root
	mkdir -p "$LABD_ROOT"
	serve_files "$LABD_ROOT"
	labd_start --pasv-address 192.168.150.90 --data-timeout 2
	# the tap does not connect to a third host: the transfer fails, as
	# for a client that follows the 227
	tap_start "$LABD_PORT"
	run curl -sS --max-time 20 --disable-epsv -o "$T/got" "ftp://127.0.0.1:$TAP_PORT/bin.dat"
	[ "$status" -ne 0 ]
	grep -q '\] nat: the 227 names 192.168.150.90, a private address, but the server is 127.0.0.1' "$TAP_LOG"
	grep -q '\] data: refused to connect to 192.168.150.90 port [0-9]*: not the server.s address 127.0.0.1' "$TAP_LOG"
	tap_stop
	tap_start "$LABD_PORT" --fix-pasv
	curl -sS --max-time 20 --disable-epsv -o "$T/got" "ftp://127.0.0.1:$TAP_PORT/bin.dat"
	cmp "$T/got" "$SRC/bin.dat"
	grep -q '\] nat: --fix-pasv: the data connection goes to the server.s address 127.0.0.1 instead' "$TAP_LOG"
	grep -q '\] data: connected to 127.0.0.1:[0-9]* from 127.0.0.1:' "$TAP_LOG"
	tap_stop
	# without the ALG, curl's own --ftp-skip-pasv-ip does the same
	tap_start "$LABD_PORT" --no-alg
	curl -sS --max-time 20 --disable-epsv --ftp-skip-pasv-ip -o "$T/got2" \
		"ftp://127.0.0.1:$TAP_PORT/bin.dat"
	cmp "$T/got2" "$SRC/bin.dat"
	grep -q '\] < 227 Entering Passive Mode (192,168,150,90,[0-9]*,[0-9]*)\.$' "$TAP_LOG"
	grep -q '\] nat: the 227 names 192.168.150.90, a private address' "$TAP_LOG"
}

# ---- no bounce, no theft ----

@test "tap: PORT and EPRT naming a third host or a system port are refused and never reach the server" {
	labd_start
	tap_start "$LABD_PORT"
	run --separate-stderr ftp-raw -w 10 127.0.0.1 "$TAP_PORT" <<-S
		USER anonymous
		PASS x
		PORT 127,0,0,9,200,10
		EPRT |1|127.0.0.9|51210|
		PORT 127,0,0,1,0,21
		PORT 127,0,0,1,300,1
		NOOP
		QUIT
	S
	[ "$status" -eq 0 ]
	echo "$output"
	[[ ${lines[3]%$'\r'} == "500 Refused by ftp-tap: 127.0.0.9 is not your address 127.0.0.1 (bounce attack, RFC 2577)." ]]
	[[ ${lines[4]%$'\r'} == "500 Refused by ftp-tap: 127.0.0.9 is not your address 127.0.0.1 (bounce attack, RFC 2577)." ]]
	[[ ${lines[5]%$'\r'} == "500 Refused by ftp-tap: port 21 is below 1024, a system service (bounce attack, RFC 2577)." ]]
	[[ ${lines[6]%$'\r'} == "501 Bad PORT argument: "*" (ftp-tap)." ]]
	[[ ${lines[7]%$'\r'} == "200 "* ]]
	grep -q '\] data: refused 127.0.0.9 port 51210: not the client.s address 127.0.0.1 (bounce attack)' "$TAP_LOG"
	grep -q '\] data: refused 127.0.0.1 port 21: a privileged port' "$TAP_LOG"
	refute grep -q '> PORT\|> EPRT' "$LABD_LOG"
	grep -q '> NOOP' "$LABD_LOG"
	# the password is masked in the narration, as ftp-labd masks it
	grep -q '\[1\] > PASS XXXX$' "$TAP_LOG"
	refute grep -q 'PASS x$' "$TAP_LOG"
}

@test "tap: a connection to the passive port from another address is refused; the client's own still works" {
	[ -x /usr/bin/python3 ] || skip "/usr/bin/python3 is not installed"
	LABD_ROOT=$T/labd-root
	mkdir -p "$LABD_ROOT"
	serve_files "$LABD_ROOT"
	labd_start
	tap_start "$LABD_PORT"
	run /usr/bin/python3 - "$TAP_PORT" "$SRC/bin.dat" <<-'P'
		import ftplib, socket, sys
		port, src = int(sys.argv[1]), sys.argv[2]
		f = ftplib.FTP(timeout=10)
		f.connect("127.0.0.1", port)
		f.login()
		f.voidcmd("TYPE I")
		host, dport = ftplib.parse227(f.sendcmd("PASV"))
		thief = socket.socket()
		thief.settimeout(10)
		thief.bind(("127.0.0.2", 0))
		thief.connect((host, dport))
		try:
		    assert thief.recv(1) == b"", "the thief got data"
		except ConnectionResetError:
		    pass
		d = socket.create_connection((host, dport), timeout=10)
		f.sendcmd("RETR bin.dat")
		got = b""
		while True:
		    b = d.recv(65536)
		    if not b:
		        break
		    got += b
		d.close()
		f.voidresp()
		assert got == open(src, "rb").read()
		f.quit()
		print("ok")
	P
	echo "$output"
	[ "$output" = ok ]
	grep -q '\] data: refused 127.0.0.2:[0-9]*: not the client.s address 127.0.0.1 (connection theft)' "$TAP_LOG"
	grep -q '\] data: 1000000 bytes to the client, 0 bytes to the server, closed' "$TAP_LOG"
	# the 226 waited for the data connection's end (the 150 may come
	# after it: the data and the control connection race)
	closed=$(grep -n '\] data: 1000000 bytes to the client' "$TAP_LOG" | cut -d: -f1)
	done=$(grep -n '\] < 226 ' "$TAP_LOG" | cut -d: -f1)
	[ "$done" -gt "$closed" ]
}

# downloads_in_order N: N downloads by curl through the tap, in EPRT,
# PORT, EPSV and PASV in turn, each byte-identical; and in the narration
# no 226 while a data connection is expected or open.  In active mode the
# server's 226 can come before the tap has even accepted the server's
# data connection: it is held until the data has reached the client.
downloads_in_order() {
	local n=$1 i
	local -a modes=("-P 127.0.0.1" "-P 127.0.0.1 --disable-eprt" "" "--disable-epsv")
	require curl
	local got=()
	for ((i = 0; i < n; i++)); do
		got+=("$T/got-$i")
		# shellcheck disable=SC2086
		curl -sS --max-time 20 ${modes[i % 4]} -o "${got[i]}" \
			"ftp://127.0.0.1:$TAP_PORT/sub/data.bin"
	done
	same_bytes "$SRC/sub/data.bin" "${got[@]}"
	[ "$(grep -c '\] data: 200000 bytes to the client, 0 bytes to the server, closed$' "$TAP_LOG")" -eq "$n" ]
	[ "$(grep -c '\] < 226 ' "$TAP_LOG")" -eq "$n" ]
	awk '{ id = $2 }
		/\] data: listening on / { open[id] = 1 }
		/\] data: [0-9]* bytes to the client, / { open[id] = 0 }
		/\] < 226 / && open[id] { print "early: " $0; bad = 1 }
		END { exit bad }' "$TAP_LOG"
}

@test "tap: the 226 waits for the data connection through the tap, active and passive (ftp-labd)" {
	LABD_ROOT=$T/labd-root
	mkdir -p "$LABD_ROOT"
	serve_files "$LABD_ROOT"
	labd_start
	tap_start "$LABD_PORT"
	downloads_in_order 40
}

@test "tap: the 226 waits for the data connection through the tap, active and passive (vsftpd)" {
	vsftpd_start
	serve_files "$PEER_ROOT"
	tap_start "$PEER_PORT"
	downloads_in_order 40
}

@test "tap: the server's 150 reaches the client before the data it announces, 40 downloads in a row" {
	# ftp-labd sends 150, then the data at once: a relay that reads the
	# data connection before the control one passes them on swapped
	require curl
	LABD_ROOT=$T/labd-root
	mkdir -p "$LABD_ROOT"
	echo hello >"$LABD_ROOT/small.txt"
	labd_start
	tap_start "$LABD_PORT"
	local i
	for ((i = 1; i <= 40; i++)); do
		curl -sS -o "$T/got" "ftp://127.0.0.1:$TAP_PORT/small.txt"
		cmp "$T/got" "$LABD_ROOT/small.txt"
	done
	wait_until 50 grep -q '^ *[0-9.]* \[40\] closed$' "$TAP_LOG"
	# in each session, the 150 was sent on before the data relay ended
	awk '/\] < 150 / { s150[$2] = NR }
	    /\] data: 6 bytes to the client/ { sdata[$2] = NR }
	    END { for (k in sdata) { n++; if (!(k in s150) || s150[k] > sdata[k]) bad++ }
		printf "%d sessions, %d with the data first\n", n, bad }' \
		"$TAP_LOG" >"$T/order"
	cat "$T/order"
	[ "$(cat "$T/order")" = "40 sessions, 0 with the data first" ]
}

@test "tap: --data-timeout ends a wait for a data connection that never comes" {
	[ -x /usr/bin/python3 ] || skip "/usr/bin/python3 is not installed"
	labd_start
	tap_start "$LABD_PORT" --data-timeout 1
	run /usr/bin/python3 - "$TAP_PORT" "$TAP_LOG" <<-'P'
		import ftplib, socket, sys, time
		f = ftplib.FTP(timeout=10)
		f.connect("127.0.0.1", int(sys.argv[1]))
		f.login()
		host, port = ftplib.parse227(f.sendcmd("PASV"))
		for _ in range(50):
		    if "no connection within 1 seconds" in open(sys.argv[2]).read():
		        break
		    time.sleep(0.1)
		try:
		    socket.create_connection((host, port), timeout=5)
		    print("still listening")
		except ConnectionRefusedError:
		    print("closed")
		f.quit()
	P
	[ "$output" = closed ]
	grep -q '\[1\] data: no connection within 1 seconds' "$TAP_LOG"
}

# ---- either side vanishing, limits, bounded waits ----

# A logged-in client that waits on the control connection and prints what
# comes next: the first line, then "eof" when the connection closes.
# Touches $T/ready once logged in.
waiting_client() {
	/usr/bin/python3 - "$TAP_PORT" "$T/ready" <<-'P'
		import socket, sys
		s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
		f = s.makefile("rb")
		f.readline()
		for cmd in (b"USER anonymous\r\n", b"PASS x\r\n"):
		    s.sendall(cmd)
		    f.readline()
		open(sys.argv[2], "w").close()
		print(f.readline().decode().strip())
		print("eof" if f.readline() == b"" else "more")
	P
}

# The server process dies at once (no 421 of its own).
labd_vanish() {
	kill -9 "$LABD_PID"
	wait "$LABD_PID" 2>/dev/null || true
	LABD_PID=
}

@test "tap: the server vanishing mid-session and mid-transfer gives the client 421, and no descriptor leaks" {
	[ -x /usr/bin/python3 ] || skip "/usr/bin/python3 is not installed"
	LABD_ROOT=$T/labd-root
	mkdir -p "$LABD_ROOT"
	truncate -s 2G "$LABD_ROOT/big"
	labd_start
	tap_start "$LABD_PORT"
	tap_fds
	base=$REPLY
	waiting_client >"$T/py.out" &
	py=$!
	wait_until 100 test -e "$T/ready"
	labd_vanish
	wait "$py"
	[ "$(sed -n 1p "$T/py.out")" = "421 Service not available: the server closed the control connection." ]
	[ "$(sed -n 2p "$T/py.out")" = eof ]
	grep -q '\[1\] server: closed the control connection; 421 to the client' "$TAP_LOG"
	wait_until 50 fds_back_to "$base"
	# again while a transfer runs
	labd_start
	tap_stop
	tap_start "$LABD_PORT"
	tap_fds
	base=$REPLY
	truncate -s 16G "$LABD_ROOT/big"
	rm -f "$T/ready"
	/usr/bin/python3 - "$TAP_PORT" "$T/ready" >"$T/py.out" <<-'P' &
		import ftplib, sys
		f = ftplib.FTP(timeout=10)
		f.connect("127.0.0.1", int(sys.argv[1]))
		f.login()
		d = f.transfercmd("RETR big")
		d.recv(65536)
		open(sys.argv[2], "w").close()
		while d.recv(1 << 20):
		    pass
		try:
		    f.voidresp()
		except ftplib.error_temp as e:
		    print(e)
	P
	py=$!
	wait_until 100 test -e "$T/ready"
	labd_vanish
	wait "$py"
	# the client got every byte the server sent, then 421
	[ "$(cat "$T/py.out")" = "421 Service not available: the server closed the control connection." ]
	wait_until 50 grep -q '\[1\] closed$' "$TAP_LOG"
	# the data connection ends by FIN or by RST, as the kernel closes it
	grep -q '\[1\] data: [0-9]* bytes to the client, 0 bytes to the server, c' "$TAP_LOG"
	grep -q '\[1\] server: .*; 421 to the client' "$TAP_LOG"
	wait_until 50 fds_back_to "$base"
}

# open_sessions: for each of the 20 sessions ftp-labd did not close,
# what ftp-labd and the tap narrated of it (the same number in both).
open_sessions() {
	local i
	for i in $(seq 1 20); do
		grep -Eq "\[$i( [^]]*)?\] closed$" "$LABD_LOG" && continue
		echo "session $i, ftp-labd:"
		grep "\[$i[] ]" "$LABD_LOG"
		echo "session $i, ftp-tap:"
		grep "\[$i[] ]" "$TAP_LOG"
	done
}

# last_closed: the narration of the session whose "closed" came last in
# ftp-labd's log (a session that closed late, just as a wait gave up).
last_closed() {
	local line id
	line=$(grep -E '\] closed$' "$LABD_LOG" | tail -n 1)
	[[ $line =~ \[([0-9]+) ]] || return 0
	id=${BASH_REMATCH[1]}
	echo "the last session to close, $id; its close: $line"
	echo "ftp-labd:"
	grep "\[$id[] ]" "$LABD_LOG"
	echo "ftp-tap:"
	grep "\[$id[] ]" "$TAP_LOG"
}

@test "tap: the client vanishing mid-transfer closes the server's side, 20 times over, and no descriptor leaks" {
	require curl
	LABD_ROOT=$T/labd-root
	mkdir -p "$LABD_ROOT"
	truncate -s 2G "$LABD_ROOT/big"
	printf 'still here\n' >"$LABD_ROOT/small"
	labd_start
	tap_start "$LABD_PORT"
	tap_fds
	base=$REPLY
	for ((i = 1; i <= 20; i++)); do
		curl -sS --max-time 30 --limit-rate 5M -o /dev/null \
			"ftp://127.0.0.1:$TAP_PORT/big" 2>/dev/null &
		c=$!
		wait_until 100 has_match "$TAP_LOG" "\[$i\] data: connected to" ||
			{ echo "session $i: no data connection"; return 1; }
		kill -9 "$c"
		wait "$c" 2>/dev/null || true
	done
	wait_until 300 closed_in "$LABD_LOG" 20 ||
		{ echo "ftp-labd: $(grep -c '\] closed$' "$LABD_LOG") sessions closed"; open_sessions; last_closed; return 1; }
	wait_until 300 fds_back_to "$base" ||
		{ tap_fds; echo "fds: $base before, $REPLY after"; ls -l "/proc/$TAP_PID/fd"; return 1; }
	# a killed client's kernel sends FIN or RST; the tap narrates either
	[ "$(grep -c '\] client: ' "$TAP_LOG")" -eq 20 ]
	[ "$(grep -c '\] data: [0-9]* bytes to the client, 0 bytes to the server, c' "$TAP_LOG")" -eq 20 ]
	[ "$(grep -c '\] closed$' "$TAP_LOG")" -eq 20 ]
	# and the tap still serves
	[ "$(curl -sS --max-time 10 "ftp://127.0.0.1:$TAP_PORT/small")" = "still here" ]
}

@test "tap: --idle-timeout gives a silent client 421 and closes both sides" {
	[ -x /usr/bin/python3 ] || skip "/usr/bin/python3 is not installed"
	labd_start
	tap_start "$LABD_PORT" --idle-timeout 1
	run waiting_client
	[ "${lines[0]}" = "421 Timeout (1 seconds): closing control connection." ]
	[ "${lines[1]}" = eof ]
	grep -q '\[1\] idle for 1 seconds; 421 to the client' "$TAP_LOG"
	wait_until 50 grep -q '\[1\] closed$' "$LABD_LOG"
}

@test "tap: --max-sessions refuses the next client with 421" {
	[ -x /usr/bin/python3 ] || skip "/usr/bin/python3 is not installed"
	labd_start
	tap_start "$LABD_PORT" --max-sessions 1
	waiting_client >"$T/py.out" &
	py=$!
	wait_until 100 test -e "$T/ready"
	run --separate-stderr ftp-raw -w 10 127.0.0.1 "$TAP_PORT" </dev/null
	[ "${lines[0]%$'\r'}" = "421 Too many sessions (the limit is 1); try again later." ]
	grep -q '\[2\] connect from 127.0.0.1 port [0-9]* refused: Too many sessions' "$TAP_LOG"
	tap_stop
	wait "$py"
	[ "$(sed -n 1p "$T/py.out")" = "421 ftp-tap is stopping; closing the control connection." ]
}

@test "tap: a command line over the cap gets 500 from the tap and never reaches the server" {
	labd_start
	tap_start "$LABD_PORT"
	[ -x /usr/bin/python3 ] || skip "/usr/bin/python3 is not installed"
	run /usr/bin/python3 - "$TAP_PORT" <<-'P'
		import socket, sys
		s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
		f = s.makefile("rb")
		f.readline()
		s.sendall(b"PORT " + b"A" * 5000 + b"\r\nNOOP\r\n")
		print(f.readline().decode().strip())
		print(f.readline().decode().strip())
	P
	[ "${lines[0]}" = "500 Command line too long (the limit is 4096 bytes)." ]
	[[ ${lines[1]} == "200 "* ]]
	grep -q '\[1\] > (a command line over 4096 bytes)' "$TAP_LOG"
	refute grep -q 'AAAA' "$LABD_LOG"
}

@test "tap: a server that cannot be reached gets the client 421 naming why" {
	port=$(free_port)
	tap_start "$port"
	run --separate-stderr ftp-raw -w 10 127.0.0.1 "$TAP_PORT" </dev/null
	[ "${lines[0]%$'\r'}" = "421 ftp-tap cannot reach the server: connect to 127.0.0.1 port $port: Connection refused." ]
	grep -q '\[1\] server: connect to 127.0.0.1 port [0-9]*: Connection refused' "$TAP_LOG"
}

@test "tap: usage errors name what was wrong (exit 64); a port in use exits 69" {
	run --separate-stderr ftp-tap
	[ "$status" -eq 64 ]
	[ "$stderr" = "ftp-tap: no SERVER given" ]
	run --separate-stderr ftp-tap --no-alg --fix-pasv 127.0.0.1
	[ "$status" -eq 64 ]
	[[ $stderr == "ftp-tap: --fix-pasv rewrites 227 replies"* ]]
	run --separate-stderr ftp-tap 127.0.0.1 70000
	[ "$status" -eq 64 ]
	run --separate-stderr ftp-tap -l 300.1.1.1 127.0.0.1
	[ "$status" -eq 64 ]
	run --separate-stderr ftp-tap 127.0.0.1 21 extra
	[ "$status" -eq 64 ]
	[ "$stderr" = "ftp-tap: unexpected argument 'extra'" ]
	labd_start
	run --separate-stderr ftp-tap -p "$LABD_PORT" 127.0.0.1
	[ "$status" -eq 69 ]
	run ftp-tap --help
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == "usage: ftp-tap "* ]]
}

# ---- TLS ----

@test "tap: after AUTH TLS is accepted the tap relays bytes unread (vsftpd, self-signed)" {
	require curl openssl
	openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost \
		-keyout "$T/key.pem" -out "$T/cert.pem" 2>/dev/null
	vsftpd_start ssl_enable=YES allow_anon_ssl=YES force_anon_logins_ssl=NO \
		force_anon_data_ssl=NO require_ssl_reuse=NO \
		"rsa_cert_file=$T/cert.pem" "rsa_private_key_file=$T/key.pem"
	serve_files "$PEER_ROOT"
	tap_start "$PEER_PORT"
	curl -sS --max-time 20 --ssl-reqd -k -o "$T/got" "ftp://127.0.0.1:$TAP_PORT/bin.dat"
	cmp "$T/got" "$SRC/bin.dat"
	grep -q '\[1\] > AUTH \(TLS\|SSL\)$' "$TAP_LOG"
	grep -q '\[1\] < 234 ' "$TAP_LOG"
	grep -q '\[1\] tls: TLS from here on: nothing more can be seen or rewritten$' "$TAP_LOG"
	grep -q '\[1\] tls: [0-9]* bytes to the server, [0-9]* bytes to the client, closed$' "$TAP_LOG"
	# the login went inside TLS: the tap saw none of it
	refute grep -q '\] > USER\|\] > PASS' "$TAP_LOG"
}

@test "tap: ABOR sent urgent (Telnet Synch) goes on urgent: vsftpd stops a running RETR" {
	[ -x /usr/bin/python3 ] || skip "/usr/bin/python3 is not installed"
	# vsftpd hears an ABOR during a transfer only as urgent data
	vsftpd_start async_abor_enable=YES
	truncate -s 4G "$PEER_ROOT/big"
	tap_start "$PEER_PORT"
	run /usr/bin/python3 - "$TAP_PORT" <<-'P'
		import ftplib, socket, sys
		f = ftplib.FTP(timeout=10)
		f.connect("127.0.0.1", int(sys.argv[1]))
		f.login()
		f.voidcmd("TYPE I")
		d = f.transfercmd("RETR big")
		d.recv(65536)
		# what BSD ftp sends: IAC IP, IAC, then DM as urgent data
		f.sock.sendall(b"\xff\xf4\xff")
		f.sock.send(b"\xf2", socket.MSG_OOB)
		f.sock.sendall(b"ABOR\r\n")
		first = f.getline()
		d.close()
		print(first[:3], f.getline()[:3] if first[:3] == "426" else "")
	P
	echo "$output"
	[[ $output == "426 226" || $output == "225 " || $output == "226 " ]]
	# the Telnet commands are read as ftp-labd reads them, then sent on
	grep -q '\] telnet: IP and Synch before this command (RFC 959 4.1.3): sent on to the server, urgent$' "$TAP_LOG"
	grep -q '\] > ABOR$' "$TAP_LOG"
}

@test "tap --ladder --show-passwords: the session as a diagram, the password in clear, the table at the end" {
	LABD_ROOT=$T/labd-root
	mkdir -p "$LABD_ROOT"
	labd_start
	tap_start "$LABD_PORT" --ladder --show-passwords
	printf '%s\n' 'USER anonymous' 'PASS secret@example.com' NOOP QUIT |
		ftp-raw -w 10 127.0.0.1 "$TAP_PORT" >"$T/ctl"
	grep -q '^221 ' "$T/ctl"
	wait_until 50 grep -q ' closed$' "$TAP_LOG"
	tap_stop
	cat "$TAP_LOG"
	grep -q 'passwords are shown in clear (--show-passwords)' "$TAP_LOG"
	grep -Eq '^== \[1\] client 127\.0\.0\.1:[0-9]+, server 127\.0\.0\.1:'"$TAP_PORT"' ==$' "$TAP_LOG"
	grep -qF '|-------->|         PASS secret@example.com' "$TAP_LOG"
	grep -qF '|<--------|         200 NOOP ok.' "$TAP_LOG"
	# the client's control leg to the tap, and the tap's own to the server
	grep -q '^== 2 connections: who connected from where to where ==$' "$TAP_LOG"
	[ "$(awk '{ if (length($0) > m) m = length($0) } END { print m }' "$TAP_LOG")" -le 80 ]
	refute grep -qF $'\033[' "$TAP_LOG"
}

@test "tap --ladder: a rewritten 229 and EPRT are arrows of what crossed the client's leg, the other line under each, whole" {
	require curl
	LABD_ROOT=$T/labd-root
	mkdir -p "$LABD_ROOT"
	echo hello >"$LABD_ROOT/small.txt"
	labd_start
	tap_start "$LABD_PORT" --ladder
	curl -sS -o /dev/null "ftp://127.0.0.1:$TAP_PORT/small.txt"
	curl -sS -P - -o /dev/null "ftp://127.0.0.1:$TAP_PORT/small.txt"
	wait_until 50 grep -q '^== \[2\]' "$TAP_LOG"
	wait_until 50 grep -q 'sent on: EPRT' "$TAP_LOG"
	cat "$TAP_LOG"
	# the 229 curl got names the tap's data port, the lane's header
	tap_data=$(sed -n 's/.*+:\([0-9]*\) the tap.s data port$/\1/p' "$TAP_LOG" | head -n 1)
	grep -qE "\|<--------\|      \|  229 Entering Extended Passive Mode \(\|\|\|$tap_data\|\)$" "$TAP_LOG"
	grep -qE '\|      \|  was: 229 Entering Extended Passive Mode \(\|\|\|[0-9]+\|\)$' "$TAP_LOG"
	grep -qE '\|-------->\|      \|  EPRT \|1\|127\.0\.0\.1\|[0-9]+\|$' "$TAP_LOG"
	grep -qE '\|      \|  sent on: EPRT \|1\|127\.0\.0\.1\|[0-9]+\|$' "$TAP_LOG"
	refute grep -q ' => ' "$TAP_LOG"
}

@test "tap --ladder --wire: each FIN once, an arrow on the client's leg, a row of text for the server's leg beyond the lanes" {
	require curl
	LABD_ROOT=$T/labd-root
	mkdir -p "$LABD_ROOT"
	echo hello >"$LABD_ROOT/small.txt"
	labd_start
	tap_start "$LABD_PORT" --ladder --wire
	curl -sS -o "$T/got" "ftp://127.0.0.1:$TAP_PORT/small.txt"
	cmp "$T/got" "$LABD_ROOT/small.txt"
	wait_until 50 grep -qE '^ +[0-9.]+ -         -         closed$' "$TAP_LOG"
	cat "$TAP_LOG"
	# the data connection: the server sends, and closes first
	grep -qE '\|      \|  server: FIN first: half-closed, 6 bytes sent$' "$TAP_LOG"
	grep -qE '\|<\.+\|  FIN first: half-closed, 6 bytes sent$' "$TAP_LOG"
	grep -qE '\|\.+>\|  FIN too: closed, 0 bytes sent$' "$TAP_LOG"
	grep -qE '\|      \|  to the server: FIN too: closed, 0 bytes sent$' "$TAP_LOG"
	# data and control: two FINs a leg, each drawn once
	[ "$(grep -cE '\|(<\.+|\.+>)\| +FIN ' "$TAP_LOG")" -eq 4 ]
	[ "$(grep -cE '\| +(server|to the server): FIN ' "$TAP_LOG")" -eq 4 ]
}

@test "tap: on loopback every leg, control and data, uses reno, which does not pace, whatever the system's default (what ss shows)" {
	require ss
	LABD_ROOT=$T/labd-root
	mkdir -p "$LABD_ROOT"
	head -c 8M /dev/urandom >"$LABD_ROOT/big"
	labd_start
	tap_start "$LABD_PORT"
	/usr/bin/python3 "$REPO_ROOT/tests/lib/ftpchat.py" 127.0.0.1 "$TAP_PORT" >"$T/chat" <<-S
		USER anonymous
		PASS x
		TYPE I
		!pasv
		!midsh $T/got RETR big | ss -tinpH state established >$T/ss
	S
	cat "$T/chat"
	[ "$(tail -n 1 "$T/chat")" = "226 Transfer complete." ]
	cmp "$T/got" "$LABD_ROOT/big"
	cc_table "$T/ss" "$TAP_PID" >"$T/cc"
	cat "$T/cc"
	# the client's control leg to the tap's port, the tap's to the
	# server's, and the two legs of the data connection
	grep -qx "127.0.0.1:$TAP_PORT 127.0.0.1:[0-9]* reno" "$T/cc"
	grep -qx "127.0.0.1:[0-9]* 127.0.0.1:$LABD_PORT reno" "$T/cc"
	[ "$(wc -l <"$T/cc")" -eq 4 ]
	[ "$(grep -c ' reno$' "$T/cc")" -eq 4 ]
}

# ---- --wire and --pcap: the four connections of a relayed session ----

# wire_chat: ftp-labd serving a 5110-byte bytes.bin, the tap with --wire
# in front, and a tests/lib/ftpchat.py script (stdin) through the tap that
# downloads it to $T/got; returns when the tap has closed session 1.
wire_chat() {
	LABD_ROOT=$T/labd-root
	mkdir -p "$LABD_ROOT"
	head -c 5110 /dev/urandom >"$LABD_ROOT/bytes.bin"
	labd_start
	tap_start "$LABD_PORT" --wire
	/usr/bin/python3 "$REPO_ROOT/tests/lib/ftpchat.py" 127.0.0.1 "$TAP_PORT" >"$T/chat"
	cat "$T/chat"
	cmp "$LABD_ROOT/bytes.bin" "$T/got"
	wait_until 50 grep -q '\[1\] closed$' "$TAP_LOG"
	cat "$TAP_LOG"
}

@test "tap --wire: CR LF shown, a bare LF flagged, and each leg's connect and FINs, control and data" {
	# a passive download, a NOOP ended by LF alone, then QUIT read to
	# the end: the server closes first on every connection
	wire_chat <<-EOF
	USER anonymous
	PASS x
	!raw b'NOOP\n'
	!read
	TYPE I
	!pasv
	!get $T/got RETR bytes.bin
	QUIT
	!eof
	EOF
	grep -q '^200 NOOP ok' "$T/chat"
	grep -q '\[1\] > USER anonymous\\r\\n$' "$TAP_LOG"
	grep -q '\[1\] > PASS XXXX\\r\\n$' "$TAP_LOG"
	grep -q '\[1\] > NOOP\\n   <- bare LF' "$TAP_LOG"
	grep -q '\[1\] < 200 NOOP ok\.\\r\\n$' "$TAP_LOG"
	# the control channel: the client to the tap, the tap to the server;
	# each leg's lines name its two ends, so each event is once
	grep -Eq '\[1\] tcp: control: client 127\.0\.0\.1:[0-9]+ connected to tap 127\.0\.0\.1:'"$TAP_PORT"'$' "$TAP_LOG"
	grep -Eq '\[1\] tcp: control: tap 127\.0\.0\.1:[0-9]+ connected to server 127\.0\.0\.1:'"$LABD_PORT"'$' "$TAP_LOG"
	[ "$(grep -c '\[1\] tcp: control: FIN from the server first: half-closed (tap sent' "$TAP_LOG")" = 1 ]
	[ "$(grep -c '\[1\] tcp: control: FIN from the tap first: half-closed (client sent' "$TAP_LOG")" = 1 ]
	[ "$(grep -c '\[1\] tcp: control: FIN from the client too: closed (client sent' "$TAP_LOG")" = 1 ]
	[ "$(grep -c '\[1\] tcp: control: FIN from the tap too: closed (tap sent' "$TAP_LOG")" = 1 ]
	# the data channel: two legs, the server's FIN first, then the
	# tap's passing it on, with the bytes each leg carried
	[ "$(grep -Ec '\[1\] tcp: data: client 127\.0\.0\.1:[0-9]+ connected to tap 127\.0\.0\.1:[0-9]+$' "$TAP_LOG")" = 1 ]
	[ "$(grep -Ec '\[1\] tcp: data: tap 127\.0\.0\.1:[0-9]+ connected to server 127\.0\.0\.1:[0-9]+$' "$TAP_LOG")" = 1 ]
	grep -o '\[1\] tcp: data: FIN.*' "$TAP_LOG" >"$T/fins"
	diff - "$T/fins" <<-EOF
	[1] tcp: data: FIN from the server first: half-closed (tap sent 0 bytes, server 5110)
	[1] tcp: data: FIN from the tap first: half-closed (client sent 0 bytes, tap 5110)
	[1] tcp: data: FIN from the client too: closed (client sent 0 bytes, tap 5110)
	[1] tcp: data: FIN from the tap too: closed (tap sent 0 bytes, server 5110)
	EOF
	refute grep -q 'RST' "$TAP_LOG"
}

@test "tap --pcap: every connection in one capture that tshark reads; the commands on the client's leg, the data whole on both legs" {
	require curl tshark
	load lib/tshark
	LABD_ROOT=$T/labd-root
	mkdir -p "$LABD_ROOT"
	serve_files "$LABD_ROOT"
	labd_start
	PCAP=$T/tap.pcap
	tap_start "$LABD_PORT" --pcap "$PCAP"
	curl -sS --max-time 20 -o "$T/got" "ftp://127.0.0.1:$TAP_PORT/sub/data.bin"
	cmp "$SRC/sub/data.bin" "$T/got"
	wait_until 50 grep -q '\[1\] closed$' "$TAP_LOG"
	tap_stop
	TS_FTP_PORT=$TAP_PORT
	ts_commands >"$T/commands"
	cat "$T/commands"
	grep -qx 'USER anonymous' "$T/commands"
	grep -qx 'CWD sub' "$T/commands"
	grep -qx 'EPSV' "$T/commands"
	grep -qx 'RETR data.bin' "$T/commands"
	# streams in the order they opened: the client's control leg, the
	# server's, then the data's client leg and server leg; the one that
	# accepted (1) sent the file on both
	ts_follow 2 1 >"$T/client-leg"
	cmp "$SRC/sub/data.bin" "$T/client-leg"
	ts_follow 3 1 >"$T/server-leg"
	cmp "$SRC/sub/data.bin" "$T/server-leg"
	[ "$(ts_conversations | wc -l)" = 4 ]
	run ts_warnings
	[ -z "$output" ]
}

@test "tap --wire: a client killed mid-download resets the data connection, and the tap says so" {
	require curl
	LABD_ROOT=$T/labd-root
	mkdir -p "$LABD_ROOT"
	truncate -s 1G "$LABD_ROOT/big"
	labd_start
	tap_start "$LABD_PORT" --wire
	curl -sS --max-time 30 --limit-rate 5M -o /dev/null \
		"ftp://127.0.0.1:$TAP_PORT/big" 2>/dev/null &
	c=$!
	wait_until 100 grep -q '\[1\] data: connected to' "$TAP_LOG"
	kill -9 "$c"
	wait "$c" 2>/dev/null || true
	wait_until 100 grep -q '\[1\] closed$' "$TAP_LOG"
	cat "$TAP_LOG"
	# one RST on the client's leg, the tap's on the server's.  The dying
	# curl closes its control socket (FIN) before its data socket (RST):
	# whether its RST comes before the tap, seeing the FIN, cuts the
	# relay is a race, and the line names the one that came first (the
	# client's, still unread, or the tap's own)
	[ "$(grep -Ec '\[1\] tcp: data: RST from the (client|tap): reset \(client sent 0 bytes, tap [0-9]+\)$' "$TAP_LOG")" -eq 1 ]
	grep -Eq '\[1\] tcp: data: RST from the tap: reset \(tap sent 0 bytes, server [0-9]+\)$' "$TAP_LOG"
}

@test "tap --wire: active mode, the server connects to the tap's port first, then the tap to the client's" {
	wire_chat <<-EOF
	USER anonymous
	PASS x
	TYPE I
	!port
	!get $T/got RETR bytes.bin
	QUIT
	!eof
	EOF
	# "> PORT (the client's port) => PORT (the tap's)"
	rewrite=$(grep -o '\[1\] > PORT [0-9,]* => PORT [0-9,]*' "$TAP_LOG")
	IFS=, read -r _ _ _ _ c1 c2 <<<"$(cut -d' ' -f4 <<<"$rewrite")"
	IFS=, read -r _ _ _ _ t1 t2 <<<"$(cut -d' ' -f7 <<<"$rewrite")"
	grep '\[1\] tcp: data: .* connected to ' "$TAP_LOG" >"$T/connects"
	[ "$(wc -l <"$T/connects")" = 2 ]
	head -n 1 "$T/connects" | grep -Eq "tcp: data: server 127\.0\.0\.1:[0-9]+ connected to tap 127\.0\.0\.1:$((t1 * 256 + t2))\$"
	tail -n 1 "$T/connects" | grep -Eq "tcp: data: tap 127\.0\.0\.1:[0-9]+ connected to client 127\.0\.0\.1:$((c1 * 256 + c2))\$"
	grep -q '\[1\] tcp: data: FIN from the server first: half-closed (tap sent 0 bytes, server 5110)$' "$TAP_LOG"
	grep -q '\[1\] tcp: data: FIN from the tap first: half-closed (client sent 0 bytes, tap 5110)$' "$TAP_LOG"
}
