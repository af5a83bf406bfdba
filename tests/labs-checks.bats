#!/usr/bin/env bats
# Every lab's check script, on a right result and on each mistake it says
# it recognises.  The results are made for real: sessions with ftp-raw,
# transfers with ftp-dataconn (or curl) against labs/start's server; only
# damaged files (cut, emptied, altered) are made by hand.
# bats file_tags=not-sanitized

load lib/common

setup() {
	export HOME=$BATS_TEST_TMPDIR/home LAB_PORT=0 LAB_PASV_PORTS=
	LABS=$REPO_ROOT/labs
	LAB=$HOME/rawftp-lab
	C=$LAB/client
	S=$LAB/server
	SERVER_PID=
	# the sample files, as labs/start puts them (its mkdir -p makes HOME
	# and the lab folder too); a subshell keeps lab.bash's names out
	(. "$LABS/lib/lab.bash" && lab_seed)
}

teardown() {
	tap_stop
	server_stop
}

# listening_in FILE: LISTEN_HOST and LISTEN_PORT from the "listening on
# HOST port PORT" line that a server just started writes to FILE (waits
# at most 5 s); empty when there is none.
listening_in() {
	local line
	LISTEN_HOST= LISTEN_PORT=
	quick_wait 250 has_line "$1" 'listening on '
	while IFS= read -r line; do
		if [[ $line =~ ^listening\ on\ (.*)\ port\ ([0-9]+)$ ]]; then
			LISTEN_HOST=${BASH_REMATCH[1]} LISTEN_PORT=${BASH_REMATCH[2]}
			return
		fi
	done <"$1"
}

# stop_group PID: stops the process group a setsid started, by its id.
stop_group() {
	[ -n "$1" ] || return 0
	kill -TERM -- "-$1" 2>/dev/null
	quick_wait 250 pid_gone "$1" ||
		kill -KILL -- "-$1" 2>/dev/null
	wait "$1" 2>/dev/null || true
}

# serve CMD...: the server CMD starts, in a session of its own (server_stop
# stops it), its screen in server.out; HOST and PORT from its "listening
# on" line.
serve() {
	server_stop
	: >"$BATS_TEST_TMPDIR/server.out"	# (see labd_start)
	setsid "$@" >"$BATS_TEST_TMPDIR/server.out" 2>&1 &
	SERVER_PID=$!
	listening_in "$BATS_TEST_TMPDIR/server.out"
	HOST=$LISTEN_HOST PORT=$LISTEN_PORT
	[ -n "$PORT" ] || { cat "$BATS_TEST_TMPDIR/server.out"; return 1; }
}

# server_start [ftp-labd options...]: labs/start, as a student starts it.
server_start() {
	serve "$LABS/start" --fail-delay 0 "$@"
	# with --web, labs/start shows the web view's address on the next line
	[[ " $* " != *" --web "* ]] ||
		quick_wait 250 has_line "$BATS_TEST_TMPDIR/server.out" 'web view: '
}

server_stop() {
	stop_group "${SERVER_PID:-}"
	SERVER_PID=
}

# tap_start [ftp-tap options...]: ftp-tap in front of the lab server on
# $PORT, as labs 13 and 14 start it, its narration appended to TAP_LOG
# (default ~/rawftp-lab/tap.log).  Sets TAP_PORT.
tap_start() {
	tap_stop
	: >"$BATS_TEST_TMPDIR/tap.out"	# (see labd_start)
	setsid ftp-tap -p 0 "$@" 127.0.0.1 "$PORT" >"$BATS_TEST_TMPDIR/tap.out" \
		2>>"${TAP_LOG:-$LAB/tap.log}" &
	TAP_PID=$!
	listening_in "$BATS_TEST_TMPDIR/tap.out"
	TAP_PORT=$LISTEN_PORT
	[ -n "$TAP_PORT" ]
}

tap_stop() {
	stop_group "${TAP_PID:-}"
	TAP_PID=
}

# wait_until in steps of 20 ms: at most $1 steps (nap: lib/common).
quick_wait() {
	local n=$1 i
	shift
	for ((i = 0; i < n; i++)); do
		"$@" && return 0
		nap 0.02
	done
	return 1
}

# typed LINE...: REPLY is the lines, each but the last ended by a
# newline: <<<"$REPLY" (which adds the last) gives a program the lines as
# printf '%s\n' LINE... | PROGRAM would, with no printf process.
typed() {
	printf -v REPLY '%s\n' "$@"
	REPLY=${REPLY%$'\n'}
}

# session CMD...: one control session, the commands in lock-step.
session() {
	typed "$@"
	ftp-raw -w 10 "$HOST" "$PORT" <<<"$REPLY" >>"$BATS_TEST_TMPDIR/sessions" 2>&1 || true
}

# idle_session [LINE...]: ftp-raw sends the lines, then its input stays
# open, as a person who stops typing, until the server ends the session
# (its 421 once --idle-timeout has passed, or the 221 to a QUIT).  The
# input is a pipe ftp-raw also holds for writing: it never sees its end.
idle_session() {
	local in
	exec {in}<> <(:)
	[ $# -eq 0 ] || printf '%s\n' "$@" >&"$in"
	ftp-raw -w 10 "$HOST" "$PORT" <&"$in" || true
	exec {in}<&-
}

# transfer DIR-OPTIONS INPUT OUTPUT CMD...: a passive transfer, as lab 9's
# pipeline: the commands, the 227 to ftp-pasv-calc, the data connection
# (to DATA_HOST when set, instead of the 227's address).
transfer() {
	local opts=$1 input=$2 output=$3
	shift 3
	typed "$@"
	ftp-raw -w 10 "$HOST" "$PORT" <<<"$REPLY" | ftp-pasv-calc |
		{ read -r h p &&
			ftp-dataconn -w 10 $opts "${DATA_HOST:-$h}" "$p" <"$input" >"$output"; }
}

login=("USER anonymous" "PASS student@example.com")

get() {	# get TYPE FILE OUTPUT [dataconn options]
	transfer "-r ${4:-}" /dev/null "$3" "${login[@]}" "TYPE $1" PASV "RETR $2" QUIT
}

put() {	# put TYPE INPUT NAME
	transfer -s "$2" /dev/null "${login[@]}" "TYPE $1" PASV "STOR $3" QUIT
}

# active LOCAL-OUTPUT CMD...: ftp-dataconn -l, its PORT line, then CMD...
active() {
	local out=$1 line
	shift
	: >"$BATS_TEST_TMPDIR/announce"
	ftp-dataconn -l 127.0.0.1 0 -r -w 10 --announce "$BATS_TEST_TMPDIR/announce" \
		>"$out" 2>/dev/null &
	local pid=$!
	wait_until 50 test -s "$BATS_TEST_TMPDIR/announce"
	read -r line <"$BATS_TEST_TMPDIR/announce"
	session "${login[@]}" "TYPE I" "$line" "$@" QUIT
	wait "$pid"
}

# check NN: run lab NN's check script.
check() {
	run "$LABS"/"$1"-*/check
	echo "$output"
}

passes() {
	[ "$status" -eq 0 ]
	[[ $output == *"Lab complete."* ]]
	[[ $output != *"NOT YET"* ]]
}

# says TEXT: the check failed, and said TEXT.
says() {
	[ "$status" -eq 1 ]
	[[ $output == *"NOT YET: "* ]]
	[[ $output == *"$1"* ]] || { echo "expected: $1"; return 1; }
}

# ---- lab 1 ----

@test "check 01: passes after HELP" {
	server_start
	session HELP QUIT
	check 01
	passes
}

@test "check 01: no server started yet" {
	check 01
	says "the server has narrated nothing yet"
}

@test "check 01: server started, nobody connected" {
	server_start
	check 01
	says "no client has connected to the lab server yet"
}

@test "check 01: connected but no HELP" {
	server_start
	session NOOP QUIT
	check 01
	says "you connected but never sent HELP"
}

@test "check 01: HELP misspelt (500)" {
	server_start
	session HLEP QUIT
	check 01
	says "HELP was never sent; the server answered 500"
	[[ $output == *"You sent: > HLEP"* ]]
}

# ---- lab 2 ----

@test "check 02: passes after USER anonymous, PASS" {
	server_start
	session "${login[@]}" QUIT
	check 02
	passes
}

@test "check 02: no USER" {
	server_start
	session NOOP QUIT
	check 02
	says "no USER command reached the server"
}

@test "check 02: PASS before USER (503)" {
	server_start
	session "PASS x" QUIT
	check 02
	says "PASS was sent before USER"
}

@test "check 02: another user name (530)" {
	server_start
	session "USER bob" "PASS y" QUIT
	check 02
	says 'you logged in as "bob"'
}

@test "check 02: USER anonymous without PASS" {
	server_start
	session "USER anonymous" QUIT
	check 02
	says "never finished with PASS"
}

# ---- lab 3 ----

@test "check 03: passes after MKD and STAT /" {
	server_start
	session "${login[@]}" "MKD Jowa" "STAT /" QUIT
	check 03
	passes
}

@test "check 03: passes after MKD and LIST over a data connection" {
	server_start
	session "${login[@]}" "MKD Jowa" QUIT
	transfer -r /dev/null "$BATS_TEST_TMPDIR/list" "${login[@]}" PASV LIST QUIT
	grep -q Jowa "$BATS_TEST_TMPDIR/list"
	check 03
	passes
}

@test "check 03: no MKD sent" {
	server_start
	session "${login[@]}" QUIT
	check 03
	says "no new folder on the server, and no MKD was sent"
}

@test "check 03: MKD before login (530)" {
	server_start
	session "MKD Jowa" QUIT
	check 03
	says "MKD was refused with 530: you were not logged in"
}

@test "check 03: MKD of a name that exists (550)" {
	server_start
	session "${login[@]}" "MKD pub" QUIT
	check 03
	says "MKD was refused: 550"
}

@test "check 03: folder made, no listing" {
	server_start
	session "${login[@]}" "MKD Jowa" QUIT
	check 03
	says "you have not looked at a listing yet"
}

@test "check 03: LIST without PASV (425)" {
	server_start
	session "${login[@]}" "MKD Jowa" LIST QUIT
	check 03
	says "LIST was answered 425"
}

# ---- lab 4 ----

@test "check 04: passes with both files downloaded in TYPE I" {
	server_start
	get I 01test.txt "$C/01test.txt"
	get I bytes.bin "$C/bytes.bin"
	check 04
	passes
}

@test "check 04: file missing" {
	get_ok=1
	check 04
	says "01test.txt is missing"
}

@test "check 04: empty file" {
	: >"$C/01test.txt"
	cp "$S/bytes.bin" "$C/"
	check 04
	says "01test.txt is empty (0 bytes)"
}

@test "check 04: downloaded in ASCII mode (TYPE A)" {
	server_start
	get A 01test.txt "$C/01test.txt"
	get A bytes.bin "$C/bytes.bin"
	check 04
	says "01test.txt went through ASCII mode: 260 bytes instead of 255"
	says "bytes.bin went through ASCII mode: 16448 bytes instead of 16384"
}

@test "check 04: cut short" {
	head -c 100 "$S/01test.txt" >"$C/01test.txt"
	cp "$S/bytes.bin" "$C/"
	check 04
	says "01test.txt is cut short: 100 of 255 bytes"
}

@test "check 04: wrong size, and right size with other bytes" {
	echo "another file" >"$C/01test.txt"
	tr 'a' 'b' <"$S/bytes.bin" >"$C/bytes.bin"
	check 04
	says "01test.txt has the wrong size: 13 bytes, expected 255"
	says "bytes.bin has the right size (16384 bytes) but different bytes"
}

@test "check 04: nobody connected to the data port (425), with the sum" {
	server_start --data-timeout 1
	session "${login[@]}" "TYPE I" PASV "RETR 01test.txt" QUIT
	check 04
	says 'RETR 01test.txt got "425'
	says "nobody connected to the data port"
	[[ $output =~ "listened on port "[0-9]+" = "[0-9]+"*256+"[0-9]+ ]]
}

@test "check 04: the README's > 01test.txt made an empty file, then nobody connected" {
	server_start --data-timeout 1
	: >"$C/01test.txt"	# the redirection runs before ftp-dataconn fails
	session "${login[@]}" "TYPE I" PASV "RETR 01test.txt" QUIT
	check 04
	says "nobody connected to the data port"
	says "from the 150 (at "
	says "and gave up 1 seconds later"
	refute grep -q "01test.txt is empty" <<<"$output"
}

@test "check 04: RETR without PASV (425 Use PORT...) is not blamed on the arithmetic" {
	server_start
	: >"$C/01test.txt"
	session "${login[@]}" "TYPE I" "RETR 01test.txt" QUIT
	check 04
	says 'RETR 01test.txt got "425 Use PORT, PASV, EPRT or EPSV first.": no PASV before it'
	refute grep -q "p1\*256+p2" <<<"$output"
}

@test "check 04: an empty file and no RETR in the narration: never asked for" {
	server_start
	: >"$C/01test.txt"
	cp "$S/bytes.bin" "$C/"
	session "${login[@]}" "TYPE I" PASV QUIT
	check 04
	says "01test.txt is empty (0 bytes): the server never got RETR 01test.txt"
	says "the file was never asked for"
}

@test "check 04: wrong file name (550)" {
	server_start
	session "${login[@]}" "TYPE I" PASV "RETR 01TEST.TXT" QUIT
	check 04
	says 'RETR 01test.txt got "550'
}

@test "check 04: several transfers in one session: each judged by its own reply" {
	server_start
	# RETR 01test.txt before PASV (425), then a good RETR of bytes.bin
	transfer -r /dev/null "$C/bytes.bin" "${login[@]}" "TYPE I" "RETR 01test.txt" \
		PASV "RETR bytes.bin" QUIT
	cmp "$C/bytes.bin" "$S/bytes.bin"
	check 04
	says 'RETR 01test.txt got "425 Use PORT, PASV, EPRT or EPSV first.": no PASV before it'
	[[ $output == *"OK: bytes.bin: 16384 bytes, identical to"* ]]
	refute grep -q "Did the data connection's output go to a file" <<<"$output"
}

@test "check 04: a connection after the 425 is told it was late, before any word of a wrong port" {
	server_start --data-timeout 1
	session "${login[@]}" "TYPE I" PASV "RETR 01test.txt" QUIT
	grep -q '^425 ' "$BATS_TEST_TMPDIR/sessions"
	# the student starts ftp-dataconn now, with the right port: refused
	read -r h p < <(ftp-pasv-calc <"$BATS_TEST_TMPDIR/sessions")
	run ftp-dataconn -w 5 "$h" "$p"
	[[ $output == *"Connection refused"* ]]
	check 04
	says "nobody connected to the data port"
	refute grep -q "said 'Connection refused' at once, the port was wrong" <<<"$output"
	local late wrong
	late=$(grep -n "started after that 425 was in terminal 1, it was too" <<<"$output" | cut -d: -f1 | head -n 1)
	wrong=$(grep -n "wrong: it is p1\*256+p2" <<<"$output" | cut -d: -f1 | head -n 1)
	[ -n "$late" ] && [ -n "$wrong" ] && [ "$late" -lt "$wrong" ]
}

# ---- lab 5 ----

@test "check 05: passes after both uploads" {
	server_start
	printf 'typed\nlines\n' >"$BATS_TEST_TMPDIR/typed"
	put I "$BATS_TEST_TMPDIR/typed" 02test.txt
	put I "$C/upload.bin" upload.bin
	check 05
	passes
}

@test "check 05: nothing uploaded" {
	server_start
	check 05
	says "02test.txt is not on the server"
	says "upload.bin is not on the server"
}

@test "check 05: empty typed upload" {
	server_start
	put I /dev/null 02test.txt
	check 05
	says "02test.txt is on the server but empty"
}

@test "check 05: uploaded in ASCII mode (TYPE A)" {
	server_start
	put A "$C/upload.bin" upload.bin
	check 05
	says "upload.bin lost its CR bytes: 10200 bytes instead of 10240"
}

@test "check 05: nobody connected for STOR (425)" {
	server_start --data-timeout 1
	session "${login[@]}" PASV "STOR upload.bin" QUIT
	check 05
	says 'STOR upload.bin got "425'
}

@test "check 05: a pause in a typed upload, 426 from the server" {
	server_start --data-timeout 1
	local h p
	printf '%s\n' "${login[@]}" "TYPE I" PASV "STOR upload.bin" QUIT |
		ftp-raw -w 10 "$HOST" "$PORT" | ftp-pasv-calc |
		{ read -r h p && { printf 'abc'; sleep 2; printf 'def'; } |
			ftp-dataconn -s -w 10 "$h" "$p"; } || true
	check 05
	says 'STOR upload.bin got "426'
	says "no byte moved"
	refute test -e "$S/upload.bin"
}

@test "check 05: ftp-raw stopped during an upload: told the control connection closed, not to PASV again" {
	server_start
	local cmds=$BATS_TEST_TMPDIR/cmds data=$BATS_TEST_TMPDIR/data out=$BATS_TEST_TMPDIR/raw.out h p raw dc
	mkfifo "$cmds" "$data"
	# terminal 1: ftp-raw, its keyboard held open
	ftp-raw -w 10 "$HOST" "$PORT" <"$cmds" >"$out" 2>&1 &
	raw=$!
	exec 7>"$cmds"
	printf '%s\n' "${login[@]}" "TYPE I" PASV "STOR upload.bin" >&7
	wait_until 100 grep -q '^150 ' "$out"
	read -r h p < <(ftp-pasv-calc <"$out")
	# terminal 2: ftp-dataconn, half of the file typed in
	ftp-dataconn -w 10 "$h" "$p" <"$data" >/dev/null 2>&1 &
	dc=$!
	exec 8>"$data"
	head -c 5000 "$C/upload.bin" >&8
	wait_until 100 grep -q '\] data: .* connected' "$LAB/server.log"
	# Ctrl-C in terminal 1
	kill -TERM "$raw"
	wait "$raw" || true
	wait_until 100 grep -q '\] closed$' "$LAB/server.log"
	exec 8>&- 7>&-
	wait "$dc" || true
	check 05
	says "STOR upload.bin was cut: the control connection closed during it"
	says "keep ftp-raw running until then"
	refute grep -q "PASV, then STOR upload.bin" <<<"$output"
	refute test -e "$S/upload.bin"
}

@test "check 05: STOR before login (530)" {
	server_start
	session PASV "STOR upload.bin" QUIT
	check 05
	says 'STOR upload.bin got "530'
}

@test "check 05: upload cut short" {
	head -c 5000 "$C/upload.bin" >"$S/upload.bin"
	server_start
	check 05
	says "upload.bin is cut short: 5000 of 10240 bytes"
}

# ---- lab 6 ----

@test "check 06: passes after LIST and RETR in active mode" {
	server_start
	active "$C/listing.txt" LIST
	active "$C/bytes.bin" "RETR bytes.bin"
	check 06
	passes
}

@test "check 06: no PORT sent" {
	server_start
	session "${login[@]}" QUIT
	check 06
	says "no PORT command reached the server"
}

@test "check 06: PORT refused (bad syntax)" {
	server_start
	session "${login[@]}" "PORT 127,0,0,1,195" LIST QUIT
	check 06
	says "the server refused your PORT: 5"
}

@test "check 06: PORT names a port nobody listens on (425)" {
	# a port that was free a moment ago
	ftp-dataconn -l 127.0.0.1 0 -w 1 --announce "$BATS_TEST_TMPDIR/a" </dev/null 2>/dev/null || true
	line=$(cat "$BATS_TEST_TMPDIR/a")
	server_start
	session "${login[@]}" "$line" LIST QUIT
	check 06
	says "the server could not connect to the port your PORT named (425)"
}

@test "check 06: transfers made in passive mode instead" {
	server_start
	session "${login[@]}" "PORT 127,0,0,1,195,149" QUIT
	transfer -r /dev/null "$C/listing.txt" "${login[@]}" PASV LIST QUIT
	get I bytes.bin "$C/bytes.bin"
	check 06
	says "the server connected to you only 0 time(s): a transfer was passive"
}

# ---- lab 7 ----

ipv6() {
	[ -f /proc/net/if_inet6 ] || skip "no IPv6 on this machine"
}

@test "check 07: passes after EPSV and EPRT on ::1" {
	ipv6
	server_start
	get I 01test.txt "$C/01test.txt"
	server_start -l ::1
	# EPSV: the 229 reply has no host, ftp-pasv-calc takes it from -H
	printf '%s\n' "${login[@]}" "TYPE I" EPSV "RETR bytes.bin" QUIT |
		ftp-raw -w 10 ::1 "$PORT" | ftp-pasv-calc -H ::1 |
		{ read -r h p && ftp-dataconn -r -w 10 "$h" "$p" >"$C/bytes.bin"; }
	active_v6() {
		ftp-dataconn -l ::1 0 -r -w 10 --announce "$BATS_TEST_TMPDIR/a6" >"$C/listing.txt" 2>/dev/null &
		local pid=$!
		wait_until 50 test -s "$BATS_TEST_TMPDIR/a6"
		session "${login[@]}" EPSV "$(cat "$BATS_TEST_TMPDIR/a6")" LIST QUIT
		wait "$pid"
	}
	active_v6
	check 07
	passes
}

@test "check 07: no IPv6 session" {
	server_start
	get I 01test.txt "$C/01test.txt"
	get I bytes.bin "$C/bytes.bin"
	check 07
	says "the server saw no connection over IPv6"
}

@test "check 07: PASV on IPv6 (522), no EPSV" {
	ipv6
	server_start -l ::1
	session "${login[@]}" PASV QUIT
	check 07
	says "on IPv6 you sent PASV (522) but no EPSV"
	says "01test.txt is missing"
	says "listing.txt is missing or holds no listing"
}

@test "check 07: EPRT refused (an IPv4 address on IPv6)" {
	ipv6
	server_start -l ::1
	session "${login[@]}" EPSV "EPRT |1|127.0.0.1|50069|" QUIT
	check 07
	says "no EPRT was accepted on the IPv6 connection: 500 Refused"
}

# ---- lab 8 ----

@test "check 08: passes with TYPE I, TYPE A, and TYPE A with --ascii" {
	server_start
	get I 01test.txt "$C/binary.txt"
	get A 01test.txt "$C/ascii.txt"
	get A 01test.txt "$C/converted.txt" --ascii
	check 08
	passes
}

@test "check 08: binary.txt fetched in TYPE A" {
	server_start
	get A 01test.txt "$C/binary.txt"
	check 08
	says "binary.txt went through ASCII mode"
	says "ascii.txt is missing"
}

@test "check 08: ascii.txt fetched in TYPE I" {
	server_start
	get I 01test.txt "$C/ascii.txt"
	check 08
	says "ascii.txt is a byte-for-byte copy: no CR LF in it"
}

@test "check 08: converted.txt received without --ascii" {
	server_start
	get A 01test.txt "$C/converted.txt"
	check 08
	says "converted.txt still has CR LF line endings"
}

# ---- lab 9 ----

@test "check 09: passes after the three transfers" {
	server_start
	get I bytes.bin "$C/bytes.bin"
	put I "$C/upload.bin" upload-copy.bin
	get I 01test.txt "$C/01test.txt"
	check 09
	passes
}

@test "check 09: missing files, with the narration's reason (425)" {
	server_start --data-timeout 1
	session "${login[@]}" PASV "RETR bytes.bin" QUIT
	check 09
	says 'RETR bytes.bin got "425'
	says "upload-copy.bin is missing"
	says "01test.txt is missing"
}

@test "check 09: a download in ASCII mode" {
	server_start
	get A bytes.bin "$C/bytes.bin"
	check 09
	says "bytes.bin went through ASCII mode"
}

# ---- lab 10 ----

@test "check 10: passes after curl's download, active download and upload" {
	require curl
	server_start
	(cd "$C" && curl -sS -o curl.txt "ftp://127.0.0.1:$PORT/01test.txt" &&
		curl -sS -P - -o curl-active.txt "ftp://127.0.0.1:$PORT/01test.txt" &&
		curl -sS -T upload.bin "ftp://127.0.0.1:$PORT/curl-upload.bin")
	check 10
	passes
}

@test "check 10: no client like curl seen" {
	require curl
	server_start
	get I 01test.txt "$C/curl.txt"
	check 10
	says "the server saw no session with EPSV, SIZE and RETR"
	says "no client used active mode"
	says "curl-upload.bin is not on the server"
}

# check_without_curl NN: lab NN's check with a PATH that has the tools
# the checks use, and no curl.
check_without_curl() {
	mkdir -p "$BATS_TEST_TMPDIR/nocurl"
	for n in env bash dirname sed awk grep wc tr cmp comm sort head tail od cat cut; do
		ln -sf "$(command -v "$n")" "$BATS_TEST_TMPDIR/nocurl/$n"
	done
	run env PATH="$BATS_TEST_TMPDIR/nocurl" "$LABS"/"$1"-*/check
	echo "$output"
}

@test "check 10: curl not installed" {
	check_without_curl 10
	says "curl is not installed"
}

# ---- lab 11 ----

# stolen_get FILE OUTPUT: PASV and RETR, a thief from 127.0.0.2 at the
# port first, then the real data connection.
stolen_get() {
	printf '%s\n' "${login[@]}" "TYPE I" PASV "RETR $1" QUIT |
		ftp-raw -w 10 "$HOST" "$PORT" | ftp-pasv-calc |
		{ read -r h p &&
			ftp-dataconn -r -w 10 --source 127.0.0.2 "$h" "$p" >"$2.thief" &&
			ftp-dataconn -r -w 10 "$h" "$p" >"$2"; }
}

@test "check 11: passes after both refusals, a theft refused and a timeout" {
	server_start
	session "${login[@]}" "PORT 10,0,0,1,0,21" "PORT 127,0,0,1,0,22" QUIT
	stolen_get 01test.txt "$C/01test.txt"
	cmp "$S/01test.txt" "$C/01test.txt"
	[ ! -s "$C/01test.txt.thief" ]
	server_start --idle-timeout 1
	idle_session "${login[@]}"	# until the server says 421
	check 11
	passes
}

@test "check 11: no PORT at all" {
	server_start
	session "${login[@]}" QUIT
	check 11
	says "no PORT or EPRT was sent"
	says "no PORT to a system port"
	says "no PASV was sent"
	says "no session timed out yet"
}

@test "check 11: a refused theft is not taken for a refused bounce" {
	server_start
	stolen_get 01test.txt "$C/01test.txt"
	check 11
	says "no PORT or EPRT was sent"
	[[ $output == *"OK: the server refused a connection to a passive port from another address (PASV theft)"* ]]
}

@test "check 11: a PASV and a download, but no thief" {
	server_start
	get I 01test.txt "$C/01test.txt"
	check 11
	says "nobody but you connected to a passive port"
	says "--source 127.0.0.2"
}

@test "check 11: only the own address (no bounce)" {
	server_start
	session "${login[@]}" "PORT 127,0,0,1,195,149" QUIT
	check 11
	says "no PORT or EPRT was refused: you named your own address"
}

# ---- lab 12 ----

# wire_parts [labs/start options...]: parts 1-4 of lab 12: a download to
# wire.txt, then lines ending in a bare LF sent as they are.
wire_parts() {
	server_start "$@"
	get I 01test.txt "$C/wire.txt"
	printf 'USER anonymous\nPASS lf@example.com\r\nQUIT\n' |
		ftp-dataconn -w 10 "$HOST" "$PORT" >/dev/null 2>&1
}

# ladder_part [LAST-COMMAND]: part 5, with a 1-second idle timeout: log
# in and idle until the 421 (or send LAST-COMMAND, e.g. QUIT).
ladder_part() {
	server_start --ladder --wire --idle-timeout 1
	idle_session "${login[@]}" ${1:+"$1"} >/dev/null 2>&1
}

@test "check 12: passes after the wire view, a bare LF, the ladder's 421 and the capture" {
	wire_parts --wire --show-passwords --pcap "$LAB/wire.pcap"
	ladder_part
	check 12
	passes
	[[ $output == *"OK: the password crossed the wire in clear: PASS student@example.com"* ]]
	port=$(sed -n 's/.* data: PASV listening on .*:\([0-9]*\) = .*/\1/p' "$LAB/server.log.old")
	[[ $output == *"OK: the data connection went to port $port, the port of the 227 reply ($((port / 256)),$((port % 256)))"* ]]
	if command -v tshark >/dev/null 2>&1; then
		[[ $output == *"OK: wire.pcap: tshark finds the PASS command in it"* ]]
	else
		[[ $output == *"(tshark is not installed"* ]]
	fi
}

@test "check 12: the server ran without --wire" {
	wire_parts --show-passwords --pcap "$LAB/wire.pcap"
	ladder_part
	check 12
	says "the narration shows no line endings: the server ran without --wire"
	says "the narration has no 'tcp: data:' line"
}

@test "check 12: the password masked: no --show-passwords" {
	wire_parts --wire --pcap "$LAB/wire.pcap"
	ladder_part
	check 12
	says "the password is masked (PASS XXXX): the server ran without --show-passwords"
	[[ $output == *"OK: the narration shows the wire"* ]]
}

@test "check 12: no download, no bare LF, no ladder" {
	server_start --wire --show-passwords --pcap "$LAB/wire.pcap"
	session "${login[@]}" QUIT
	check 12
	says "the server never got RETR 01test.txt"
	says "no line ended in a bare LF (part 4)"
	says "no ladder yet (part 5)"
}

@test "check 12: a ladder that QUIT before the idle timeout" {
	wire_parts --wire --show-passwords --pcap "$LAB/wire.pcap"
	ladder_part QUIT
	check 12
	says "the ladder shows no idle timeout (421, then the server's FIN)"
}

@test "check 12: only a ladder, no narration in lines" {
	ladder_part
	check 12
	says "the server narrated no command as a line (a ladder only?)"
	[[ $output == *"OK: the ladder shows the idle timeout"* ]]
}

@test "check 12: no capture file (no --pcap)" {
	wire_parts --wire --show-passwords
	ladder_part
	check 12
	says "there is no capture file $LAB/wire.pcap"
}

@test "check 12: the capture emptied by a later --pcap to the same file" {
	require tshark
	wire_parts --wire --show-passwords --pcap "$LAB/wire.pcap"
	server_start --ladder --wire --idle-timeout 1 --pcap "$LAB/wire.pcap"
	idle_session >/dev/null 2>&1
	check 12
	says "$LAB/wire.pcap holds no PASS command"
	says "It was emptied by a later labs/start --pcap with the same file."
}

@test "start: the first start in a new lab folder says nothing about a missing server.pid" {
	rm -rf "$LAB"
	server_start
	refute grep -i 'server.pid' "$BATS_TEST_TMPDIR/server.out"
}

# ---- labs/start itself ----

@test "start: a second labs/start leaves the running server and its log alone (75)" {
	server_start
	first=$SERVER_PID
	session HELP QUIT
	cp "$LAB/server.log" "$BATS_TEST_TMPDIR/log.before"
	labd=$(pgrep -x -P "$first" ftp-labd)
	[ -n "$labd" ]
	run timeout 20 "$LABS/start" --fail-delay 0
	echo "$output"
	[ "$status" -eq 75 ]
	[[ $output == *"a lab server is already running: PID $labd, $HOST port $PORT, narration in $LAB/server.log"* ]]
	[ "$(grep -c . <<<"$output")" -eq 2 ]	# nothing started, nothing said
	# the log is untouched, not rotated to server.log.old
	cmp "$LAB/server.log" "$BATS_TEST_TMPDIR/log.before"
	[ ! -e "$LAB/server.log.old" ]
	# the first server still serves, and narrates where the checks look
	kill -0 "$first"
	session NOOP QUIT
	grep -q '] > NOOP$' "$LAB/server.log"
	check 01
	passes
}

@test "start: a server that is gone does not count: the next start runs" {
	server_start
	[ -s "$LAB/server.pid" ]
	server_stop
	[ ! -e "$LAB/server.pid" ]	# removed when it stopped
	# a pid file left by a server killed with -9: its PID is dead (a
	# process that ends by itself: a TERM sent to "sleep 60 &" could land
	# before the exec, in a copy of the shell holding bats' trap, and the
	# sleep then ran its whole minute on a loaded machine)
	true &
	dead=$!
	wait "$dead"
	echo "$dead 127.0.0.1 2121" >"$LAB/server.pid"
	server_start
	session HELP QUIT
	check 01
	passes
}

# ---- lab 13 ----

# curl through the tap: lab 13's sections 2 to 4 (what each file needs).
tap_curl_epsv() { (cd "$C" && curl -sS -o tap-epsv.txt "ftp://127.0.0.1:$1/01test.txt"); }
tap_curl_port() {
	(cd "$C" && curl -sS -P 127.0.0.1 --disable-eprt -o tap-port.txt \
		"ftp://127.0.0.1:$1/01test.txt")
}
tap_curl_upload() { (cd "$C" && curl -sS -T upload.bin "ftp://127.0.0.1:$1/tap-upload.bin"); }

# FileZilla's upload (section 5) to port $1, as lab 10's pipeline.
filezilla_to() {
	printf '%s\n' "AUTH TLS" "AUTH SSL" "${login[@]}" "OPTS UTF8 ON" "CWD /" PWD \
		"TYPE I" PASV "STOR empty.txt" QUIT | ftp-raw -w 10 127.0.0.1 "$1" |
		ftp-pasv-calc | { read -r h p && ftp-dataconn -w 10 -s "$h" "$p" </dev/null; }
}

lab13_all() {
	tap_curl_epsv "$1"
	tap_curl_port "$1"
	tap_curl_upload "$1"
	filezilla_to "$1"
}

@test "check 13: passes after curl and FileZilla's commands through the tap" {
	require curl
	server_start
	tap_start
	lab13_all "$TAP_PORT"
	check 13
	passes
	[[ $output == *"OK: the tap rewrote a 229 or 227 (passive) and a PORT or EPRT (active)"* ]]
}

@test "check 13: no tap started" {
	require curl
	server_start
	check 13
	says "the tap has narrated nothing yet"
}

@test "check 13: curl and FileZilla sent to the server's port, not the tap's" {
	require curl
	server_start
	tap_start
	lab13_all "$PORT"
	check 13
	says "the server sent 01test.txt, but the tap saw no RETR: curl went straight to the server"
	says "the server got STOR empty.txt, but not through the tap"
}

@test "check 13: the tap started with --no-alg" {
	require curl
	server_start
	tap_start --no-alg
	lab13_all "$TAP_PORT"
	check 13
	says "the tap ran with --no-alg"
}

@test "check 13: passive only, a damaged file, no upload, no FileZilla" {
	require curl
	server_start
	tap_start
	tap_curl_epsv "$TAP_PORT"
	head -c 100 "$S/01test.txt" >"$C/tap-epsv.txt"
	check 13
	says "tap-epsv.txt is cut short: 100 of 255 bytes"
	says "tap-port.txt is missing"
	says "tap-upload.bin is not on the server"
	says "the tap rewrote no PORT or EPRT"
	says "the tap never saw FileZilla's STOR empty.txt"
}

@test "check 13: FileZilla's STOR through the tap without a 226" {
	require curl
	server_start --data-timeout 1
	tap_start
	# the STOR is sent, but nobody opens the data connection: 425
	printf '%s\n' "${login[@]}" PASV "STOR empty.txt" QUIT |
		ftp-raw -w 10 127.0.0.1 "$TAP_PORT" >/dev/null 2>&1 || true
	check 13
	says "FileZilla's STOR empty.txt went through the tap, but got no 226"
}

@test "check 13: the optional part through vsftpd passes; a tap-vsftpd.log from ftp-labd does not" {
	require curl
	[ -x /usr/sbin/vsftpd ] || skip "vsftpd is not installed"
	server_start
	tap_start
	lab13_all "$TAP_PORT"
	# section 9: vsftpd in the server terminal, the tap again
	serve "$LABS/vsftpd"
	TAP_LOG=$LAB/tap-vsftpd.log tap_start
	(cd "$C" && curl -sS -o vsftpd-epsv.txt "ftp://127.0.0.1:$TAP_PORT/01test.txt" &&
		curl -sS -P 127.0.0.1 --disable-eprt -o vsftpd-port.txt \
			"ftp://127.0.0.1:$TAP_PORT/01test.txt")
	check 13
	passes
	[[ $output == *"OK: through the tap, vsftpd sent vsftpd-epsv.txt (passive) and vsftpd-port.txt (active), both identical to 01test.txt"* ]]
	# the same log made in front of ftp-labd
	server_start
	rm -f "$LAB/tap-vsftpd.log"
	TAP_LOG=$LAB/tap-vsftpd.log tap_start
	(cd "$C" && curl -sS -o vsftpd-epsv.txt "ftp://127.0.0.1:$TAP_PORT/01test.txt")
	check 13
	says "the tap in tap-vsftpd.log did not relay to vsftpd"
}

@test "check 13: curl not installed" {
	check_without_curl 13
	says "curl is not installed"
}

# ---- lab 14 ----

# by_hand OUTPUT: lab 14's section 1: PASV, RETR, and the data connection
# to the address of the control connection, not the 227's.
by_hand() {
	DATA_HOST=127.0.0.1 get I 01test.txt "$1"
}

skip_pasv_ip() {
	(cd "$C" && curl -sS --disable-epsv --ftp-skip-pasv-ip -o skip.txt \
		"ftp://127.0.0.1:$PORT/01test.txt")
}

# through_tap OUTPUT: curl following the 227, through the tap.
through_tap() {
	(cd "$C" && curl -sS --disable-epsv --no-ftp-skip-pasv-ip -o "$1" \
		"ftp://127.0.0.1:$TAP_PORT/01test.txt")
}

lab14_all() {
	server_start --pasv-address 127.0.0.9
	by_hand "$C/01test.txt"
	skip_pasv_ip
	tap_start --fix-pasv
	through_tap fixed.txt
	server_start --pasv-address 192.168.150.90
	tap_start --fix-pasv
	through_tap report.txt
}

@test "check 14: passes after the hand download, --ftp-skip-pasv-ip and the tap's --fix-pasv" {
	require curl
	lab14_all
	cmp "$C/report.txt" "$S/01test.txt"
	check 14
	passes
}

@test "check 14: no server started yet" {
	require curl
	check 14
	says "the server has narrated nothing yet"
}

@test "check 14: a server without --pasv-address, and nothing else done" {
	require curl
	server_start
	session "${login[@]}" QUIT
	check 14
	says "the server's 227 replies named its own address"
	says "01test.txt is missing"
	says "skip.txt is missing or empty"
	says "the tap has narrated nothing yet"
}

@test "check 14: following the 227: nobody connected, curl without --ftp-skip-pasv-ip" {
	require curl
	server_start --pasv-address 127.0.0.9 --data-timeout 1
	session "${login[@]}" PASV "RETR 01test.txt" QUIT
	(cd "$C" && curl -sS --disable-epsv --no-ftp-skip-pasv-ip -o skip.txt \
		"ftp://127.0.0.1:$PORT/01test.txt") || true
	check 14
	says "RETR 01test.txt got \"425"
	says "nobody connected to the data port"
	says "skip.txt is missing or empty: curl did not download it"
}

@test "check 14: the tap without --fix-pasv, and section 4 not done" {
	require curl
	server_start --pasv-address 127.0.0.9
	by_hand "$C/01test.txt"
	skip_pasv_ip
	tap_start
	through_tap fixed.txt || true
	check 14
	says "fixed.txt did not arrive: the tap ran without --fix-pasv"
	says "the tap has not yet seen the report's address 192.168.150.90"
}

@test "check 14: curl not installed" {
	check_without_curl 14
	says "curl is not installed"
}

# ---- lab 15: the class server, judged with --log and --user ----

# class_start [options]: the teacher's class server of lab 15: 3 students,
# a 16K quota, the narration in $CLASS_LOG.  As root it drops to nobody.
class_start() {
	CLASS=$BATS_TEST_TMPDIR/class
	CLASS_LOG=$BATS_TEST_TMPDIR/class-logs/class.log
	mkdir -p "$CLASS/pub"
	echo "The teacher's file." >"$CLASS/pub/welcome.txt"
	serve ftp-labd -p 0 -r "$CLASS" --class 3 --quota 16K --fail-delay 0 \
		--class-file "$BATS_TEST_TMPDIR/class-accounts.txt" \
		--log-dir "$BATS_TEST_TMPDIR/class-logs" --clock "$@"
	account_password "$BATS_TEST_TMPDIR/class-accounts.txt" student01
	login=("USER student01" "PASS $REPLY")
	HOME01=$CLASS/home/student01
}

# The steps of lab 15, each as a student does it.
store_hello() {
	echo "Hello from student01." >"$BATS_TEST_TMPDIR/hello.txt"
	put I "$BATS_TEST_TMPDIR/hello.txt" hello.txt
}
write_pub() { session "${login[@]}" "MKD pub/mine" "DELE pub/welcome.txt" QUIT; }
reach_other() { session "${login[@]}" "CWD ../student02" QUIT; }
over_quota() {
	head -c 20000 /dev/zero >"$BATS_TEST_TMPDIR/big.bin"
	put I "$BATS_TEST_TMPDIR/big.bin" big.bin || true
}

# check15 [USER]: lab 15's check against the class log.
check15() {
	run "$LABS"/15-class-server/check --log "$CLASS_LOG" --user "${1:-student01}"
	echo "$output"
}

@test "check 15: passes after the lab's steps on the class server" {
	class_start
	store_hello
	write_pub
	reach_other
	over_quota
	[ ! -e "$HOME01/big.bin" ]
	check15
	passes
	[[ $output == *"OK: student01 logged in; home $HOME01"* ]]
	[[ $output == *"OK: hello.txt is in your home: 22 bytes"* ]]
	[[ $output == *"OK: writing into pub/ was refused: MKD pub/mine got 550"* ]]
	[[ $output == *"OK: another student's folder was out of reach: CWD ../student02 got 550"* ]]
	[[ $output == *"OK: big.bin over the quota got 552, and nothing of it is left"* ]]
	# the teacher's table
	run "$LABS/class-summary" --log "$CLASS_LOG" 15
	[ "$output" = "student01    15 ok" ]
}

# The teacher's sample files in the class's pub/, as labs 4 and 6 use them.
class_samples() {
	cp "$S/01test.txt" "$S/bytes.bin" "$CLASS/pub/"
}

@test "check 04 on a class server: RETR pub/01test.txt is the file asked for" {
	class_start
	class_samples
	get I pub/01test.txt "$BATS_TEST_TMPDIR/01test.txt"
	session "${login[@]}" "CWD pub" "TYPE I" "RETR bytes.bin" QUIT	# 425: no PASV
	run "$LABS"/04-passive-download/check --log "$CLASS_LOG" --user student01
	echo "$output"
	[[ $output == *"OK: 01test.txt: the server sent all 255 bytes (226)"* ]]
	says 'RETR pub/bytes.bin got "425 Use PORT, PASV, EPRT or EPSV first.": no PASV before it'
	get I pub/bytes.bin "$BATS_TEST_TMPDIR/bytes.bin"
	run "$LABS/class-summary" --log "$CLASS_LOG" 04
	[ "$output" = "student01    04 ok" ]
}

@test "check 04 on a class server: the hints name the student's folder, not the check's own temporary one" {
	class_start
	class_samples
	session "${login[@]}" PWD QUIT
	run "$LABS"/04-passive-download/check --log "$CLASS_LOG" --user student01
	echo "$output"
	says "01test.txt is missing: the server never got RETR pub/01test.txt"
	[[ ${lines[0]} == "Lab 4 (passive download): looking at your folder" ]]
	refute grep -q "lab-user\." <<<"$output"
	# an upload in ASCII mode: the sample it is compared with is the student's
	put A "$C/upload.bin" upload.bin
	run "$LABS"/05-passive-upload/check --log "$CLASS_LOG" --user student01
	echo "$output"
	says "upload.bin lost its CR bytes"
	refute grep -q "lab-user\." <<<"$output"
}

@test "check 03 on a class server: MKD pub/Jowa is told pub/ is read-only, not to pick another name" {
	class_start
	session "${login[@]}" "MKD pub/Jowa" QUIT
	check15_lab 03
	says 'MKD was refused: 550 /pub/Jowa: the shared folder pub/ is read-only.'
	says "make yours"
	refute grep -q "does not exist yet" <<<"$output"
}

@test "check 15 and class-summary: a restarted server numbers its sessions again; each is its student's" {
	class_start
	session "${login[@]}" PWD QUIT		# session 1 of the first server
	server_stop
	class_start				# the same class, the log appended
	account_password "$BATS_TEST_TMPDIR/class-accounts.txt" student02
	login=("USER student02" "PASS $REPLY")
	store_hello				# session 1 again: student02's
	[ "$(grep -c '\] serving ' "$CLASS_LOG")" -eq 2 ]
	check15 student01
	says "no file of yours is stored in your home yet"
	refute grep -q "hello.txt was stored" <<<"$output"
	check15 student02
	[[ $output == *"OK: hello.txt is in your home: 22 bytes"* ]]
	run "$LABS/class-summary" --log "$CLASS_LOG" 05 15
	[ "${lines[0]}" = "student01    05 --  15 --" ]
	[ "${lines[1]}" = "student02    05 --  15 --" ]
}

# check15_lab NN: lab NN's check, for student01 of the class log.
check15_lab() {
	run "$LABS"/"$1"-*/check --log "$CLASS_LOG" --user student01
	echo "$output"
}

@test "check 15: without --log and --user it says how to run it" {
	run "$LABS"/15-class-server/check
	echo "$output"
	says "this lab is judged from the class server's narration"
	[[ $output == *'check --log ~/class-logs/class.log --user student01'* ]]
}

@test "check 15: a student who never logged in" {
	class_start
	store_hello
	check15 student02
	says "student02 has not logged in yet"
}

@test "check 15: nothing stored, nothing tried" {
	class_start
	session "${login[@]}" PWD QUIT
	check15
	says "no file of yours is stored in your home yet"
	says "you have not tried to write into pub/ yet"
	says "you have not tried to reach another student's folder yet"
	says "no upload of yours has gone over your quota yet"
	[[ $output == *"OK: student01 logged in"* ]]
}

@test "check 15: a file stored, then deleted" {
	class_start
	store_hello
	session "${login[@]}" "DELE hello.txt" QUIT
	write_pub
	reach_other
	over_quota
	check15
	says "hello.txt was stored, but it is not in your home any more"
}

@test "check 15: STOR with nobody connecting (425)" {
	class_start --data-timeout 1
	session "${login[@]}" PASV "STOR hello.txt" QUIT
	check15
	says "STOR hello.txt got \"425"
	says "nobody connected to the data port"
}

@test "check 15: a folder named student02 made in the student's own home" {
	class_start
	session "${login[@]}" "MKD student02" "CWD student02" QUIT
	check15
	says "MKD student02 got \"257 \"/student02\" created.\": that folder is inside your own home"
	says "Try the real neighbour: CWD ../student02"
}

@test "check 15: a smaller big.bin stored after the 552" {
	class_start
	store_hello
	write_pub
	reach_other
	over_quota
	head -c 100 /dev/zero >"$BATS_TEST_TMPDIR/small.bin"
	put I "$BATS_TEST_TMPDIR/small.bin" big.bin
	check15
	says "big.bin got 552, yet a big.bin is in your home: 100 bytes"
}

@test "check 15: the home is not on this machine (a wrong --root)" {
	class_start
	store_hello
	run "$LABS"/15-class-server/check --log "$CLASS_LOG" --user student01 \
		--root "$BATS_TEST_TMPDIR/elsewhere"
	echo "$output"
	says "cannot find student01's home on this machine (looked for $BATS_TEST_TMPDIR/elsewhere/home/student01)"
}

# ---- lab 16 ----

@test "check 16: passes after a passive and an active download in two sessions, and names the projector's address" {
	server_start --web 127.0.0.1:0
	grep -q '^web view: http://127.0.0.1:[0-9]*/$' "$BATS_TEST_TMPDIR/server.out"
	web=$(sed -n 's|^web view: http://\(.*\)/$|\1|p' "$BATS_TEST_TMPDIR/server.out")
	get I 01test.txt "$C/passive.txt"
	active "$C/active.txt" "RETR 01test.txt"
	check 16
	passes
	[[ $output == *"OK: session 1 downloaded 01test.txt in passive mode (PASV: the client connected to the server's 127.0.0.1:"* ]]
	[[ $output == *"OK: session 2 downloaded 01test.txt in active mode (PORT: the server connected to the client's 127.0.0.1:"* ]]
	[[ $output == *"OK: side by side on the projector: http://$web/projector?a=1&b=2"* ]]
}

@test "check 16: passive only; the server without --web" {
	server_start
	get I 01test.txt "$C/passive.txt"
	check 16
	says "no active download of 01test.txt was completed (226)"
	says "active.txt"
	cp "$C/passive.txt" "$C/active.txt"
	check 16
	says "no active download of 01test.txt was completed (226)"
	active "$BATS_TEST_TMPDIR/other.txt" "RETR 01test.txt"
	check 16
	says "the server ran without its web view: nothing was drawn"
}

@test "check 16: both downloads in one session" {
	server_start --web 127.0.0.1:0
	local line pid
	rm -f "$BATS_TEST_TMPDIR/announce"
	ftp-dataconn -l 127.0.0.1 0 -w 10 --announce "$BATS_TEST_TMPDIR/announce" \
		>"$C/active.txt" 2>/dev/null &
	pid=$!
	wait_until 50 test -s "$BATS_TEST_TMPDIR/announce"
	line=$(head -n 1 "$BATS_TEST_TMPDIR/announce")
	transfer -r /dev/null "$C/passive.txt" "${login[@]}" "TYPE I" "$line" \
		"RETR 01test.txt" PASV "RETR 01test.txt" QUIT
	wait "$pid"
	cmp "$C/active.txt" "$S/01test.txt"
	cmp "$C/passive.txt" "$S/01test.txt"
	check 16
	says "both downloads were in session 1: the projector shows two sessions side by side"
}

@test "check 16 on a class server: the student's two sessions, the web view's address from the class log" {
	class_start --web 127.0.0.1:0
	class_samples
	get I pub/01test.txt "$BATS_TEST_TMPDIR/passive.txt"
	active "$BATS_TEST_TMPDIR/active.txt" "RETR pub/01test.txt"
	run "$LABS"/16-projector/check --log "$CLASS_LOG" --user student01
	echo "$output"
	passes
	[[ $output == *"OK: session 2 downloaded 01test.txt in active mode (PORT: "* ]]
	[[ $output == *"/projector?a=1&b=2"* ]]
	run "$LABS/class-summary" --log "$CLASS_LOG" 16
	[ "$output" = "student01    16 ok" ]
}

@test "labs/vsftpd: --help, and an argument refused with 64, starting nothing" {
	run "$LABS/vsftpd" --help
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == "labs/vsftpd - a real FTP server for lab 13"* ]]
	run --separate-stderr "$LABS/vsftpd" -p 21
	[ "$status" -eq 64 ]
	[ "$stderr" = "labs/vsftpd: unexpected argument '-p': see 'labs/vsftpd --help'" ]
	[ ! -e "$LAB/vsftpd.conf" ]
}
