#!/usr/bin/env bats
# The web view (--web): its HTTP answers as curl sees them, its event
# streams, the token off loopback (in a network namespace the test
# makes), and the pages as Debian's headless chromium draws them, after
# their script ran.  Browser tests skip with a message without chromium.
# They are left out of make sanitize (tagged not-sanitized): the C code
# they drive is the same the curl tests above drive under ASan, and the
# browser is most of their time.

load lib/common
load lib/peers
load lib/tshark

# The browser that lib/dom-until.py --serve keeps for the file's pages
# (browser_serve starts it): stopped by its PID.
teardown_file() {
	local pid
	read -r pid 2>/dev/null <"$BATS_FILE_TMPDIR/browser.pid" || return 0
	kill "$pid" 2>/dev/null
}

setup() {
	T=$BATS_TEST_TMPDIR
	LABD_ROOT=$T/root
	mkdir -p "$LABD_ROOT"
	head -c 100000 /dev/urandom >"$LABD_ROOT/big.bin"
	printf 'one\ntwo\n' >"$LABD_ROOT/notes.txt"
}

teardown() {
	close_clients
	tap_stop
	labd_stop
	peer_stop
}

# web_labd [options]: ftp-labd with --web on a free loopback port; WEB is
# the address it printed ("http://127.0.0.1:PORT/").
web_labd() {
	labd_start --web 127.0.0.1:0 "$@"
	wait_until 100 grep -qs '^web view: ' "$LABD_OUT"
	WEB=$(sed -n 's/^web view: //p' "$LABD_OUT")
}

tap_start() {
	ftp-tap -p 0 --web 127.0.0.1:0 "$@" >"$T/tap.out" 2>"$T/tap.log" &
	TAP_PID=$!
	wait_until 100 grep -qs '^web view: ' "$T/tap.out" || {
		cat "$T/tap.log" >&2
		return 1
	}
	read -r _ _ _ _ TAP_PORT < <(head -n 1 "$T/tap.out")
	WEB=$(sed -n 's/^web view: //p' "$T/tap.out")
}

tap_stop() {
	[ -n "${TAP_PID:-}" ] || return 0
	kill "$TAP_PID" 2>/dev/null
	wait_until 50 eval '! kill -0 "$TAP_PID" 2>/dev/null' ||
		kill -9 "$TAP_PID" 2>/dev/null
	wait "$TAP_PID" 2>/dev/null
	TAP_PID=
}

# Control connections held open by the test, as file descriptors.
CLIENTS=()
close_clients() {
	local fd
	for fd in "${CLIENTS[@]}"; do exec {fd}>&-; done
	CLIENTS=()
}

# open_clients N PORT [REQUEST]: N connections to the web view, kept open
# in CLIENTS (closed by the teardown); REQUEST, if given, sent on each.
open_clients() {
	local n fd
	for ((n = 0; n < $1; n++)); do
		exec {fd}<>"/dev/tcp/127.0.0.1/$2"
		CLIENTS+=("$fd")
		[ -z "${3:-}" ] || printf '%b' "$3" >&"$fd"
	done
}

# The status line and the body of one answer, from raw bytes sent.
raw_http() {
	local port=$1 fd
	shift
	exec {fd}<>"/dev/tcp/127.0.0.1/$port"
	printf "$@" >&"$fd"
	timeout 20 cat <&"$fd"
	exec {fd}>&-
}

web_port() {
	local p=${WEB#http://127.0.0.1:}
	echo "${p%%/*}"
}

# A line in the narration log.
narrated() {
	grep -q -- "$1" "${2:-$LABD_LOG}"
}

# ---- HTTP, as curl sees it ----

@test "web: pages and streams answer 200 with the CSP and nosniff headers; the URL is printed after the listening line" {
	web_labd
	[ "$(sed -n 1p "$LABD_OUT" | cut -d' ' -f1)" = listening ]
	[[ $WEB == http://127.0.0.1:*/ ]]
	narrated "web: the web view on 127.0.0.1:"
	for page in "" session projector app.js style.css; do
		run curl -s -D "$T/h" -o "$T/body" -w '%{http_code}' "$WEB$page"
		[ "$output" = 200 ]
		grep -qi "^Content-Security-Policy: default-src 'none'; script-src 'self';" "$T/h"
		grep -qi '^X-Content-Type-Options: nosniff' "$T/h"
		[ -s "$T/body" ]
	done
	# no inline script in any page: the CSP would refuse it anyway
	for page in "" session projector; do
		curl -s "$WEB$page" >"$T/page"
		refute grep -qi '<script>' "$T/page"
		grep -q '<script src="app.js"></script>' "$T/page"
	done
	run curl -s -I "$WEB"
	[[ $output == *"Content-Length: "* ]]
	# page, style and script weigh under 100 KB in all
	total=0
	for page in "" app.js style.css session; do
		total=$((total + $(curl -s "$WEB$page" | wc -c)))
	done
	[ "$total" -lt 100000 ]
}

@test "web: 404, 405, 414, 431 and 400, each with its one line of text" {
	web_labd
	run curl -s -w ' %{http_code}' "${WEB}nothing"
	[ "$output" = "404 Not Found: no such page
 404" ]
	run curl -s -w ' %{http_code}' "${WEB}events/session?id=99"
	[ "$output" = "404 Not Found: no such session kept
 404" ]
	run curl -s -X POST -D "$T/h" -w ' %{http_code}' "$WEB"
	[ "$output" = "405 Method Not Allowed: only GET and HEAD
 405" ]
	grep -q '^Allow: GET, HEAD' "$T/h"
	run curl -s -w ' %{http_code}' "$WEB?$(head -c 2000 /dev/zero | tr '\0' a)"
	[ "$output" = "414 URI Too Long: the request line is too long
 414" ]
	headers=()
	for i in $(seq 50); do headers+=(-H "X-Header-$i: $i"); done
	run curl -s -w ' %{http_code}' "${headers[@]}" "$WEB"
	[ "$output" = "431 Request Header Fields Too Large: the request head is too large
 431" ]
	run raw_http "$(web_port)" 'GET / HTTP/1.1\r\n\r\n'	# no Host
	[[ ${lines[0]} == "HTTP/1.1 400 Bad Request"* ]]
	[[ ${lines[-1]} == "400 Bad Request: not a request this server reads" ]]
	run raw_http "$(web_port)" 'GET / HTTP/1.1\r\nHost: evil.example:80\r\n\r\n'
	[[ ${lines[0]} == "HTTP/1.1 403 Forbidden"* ]]
	[[ ${lines[-1]} == "403 Forbidden: the Host header names another server" ]]
}

@test "web: the absolute form of a target (GET http://HOST/...) is read as RFC 9112 asks; its HOST is checked as a Host header is" {
	web_labd
	local hp=${WEB#http://}
	hp=${hp%/}
	run curl -s -w ' %{http_code}' --request-target "http://$hp/nothing" "$WEB"
	[ "$output" = "404 Not Found: no such page
 404" ]
	run curl -s -o /dev/null -w '%{http_code} %{content_type}' \
		--request-target "http://$hp/app.js" "$WEB"
	[[ $output == "200 "*javascript* ]]
	# the target's host, not the Host header's, is the one asked for
	run curl -s -w ' %{http_code}' --request-target "http://evil.example/app.js" "$WEB"
	[ "$output" = "403 Forbidden: the request target names another server
 403" ]
}

@test "web: HEAD on an event stream gets the head GET gets (200, or 404 for a session not kept); OPTIONS * gets 405 as any other method" {
	web_labd
	curl -s --disable-epsv -o /dev/null "ftp://127.0.0.1:$LABD_PORT/notes.txt"
	wait_until 100 narrated '\[1\] closed'
	for page in events/class 'events/session?id=1'; do
		run timeout 20 curl -s -I "$WEB$page"
		[ "$status" -eq 0 ]	# the head, then the connection closes
		[[ ${lines[0]} == "HTTP/1.1 200 OK"* ]]
		[[ $output == *"Content-Type: text/event-stream"* ]]
	done
	run timeout 20 curl -s -I -w '%{http_code}' "${WEB}events/session?id=99"
	[[ $output == *404 ]]
	run timeout 20 curl -s -D "$T/h" -w ' %{http_code}' -X OPTIONS \
		--request-target '*' "$WEB"
	[ "$output" = "405 Method Not Allowed: only GET and HEAD
 405" ]
	grep -q '^Allow: GET, HEAD' "$T/h"
}

@test "web: a request that does not come whole in time gets 408 and the connection closes" {
	web_labd
	run raw_http "$(web_port)" 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n'
	[[ ${lines[0]} == "HTTP/1.1 408 Request Timeout"* ]]
	[[ ${lines[-1]} == "408 Request Timeout: the request did not come in time" ]]
}

@test "web: the 65th viewer at once gets 503 and one line; the others are served" {
	web_labd
	local port
	port=$(web_port)
	# 64 viewers, each following the class stream
	open_clients 64 "$port" \
		"GET /events/class HTTP/1.1\r\nHost: 127.0.0.1:$port\r\n\r\n"
	# every one of them is served: the last one's stream has begun
	read -r -t 20 line <&"${CLIENTS[63]}"
	[[ $line == "HTTP/1.1 200 OK"* ]]
	run curl -s -w ' %{http_code}' "$WEB"
	[ "$output" = "503 Service Unavailable: too many viewers
 503" ]
}

@test "web: connections that send nothing cannot keep a viewer out: the oldest gives its place up (408)" {
	web_labd
	local port
	port=$(web_port)
	open_clients 64 "$port"
	# every one of the 64 was accepted (a connection the server has not
	# yet taken would not count): a request on the last answers
	printf 'GET /nothing HTTP/1.0\r\n\r\n' >&"${CLIENTS[63]}"
	run timeout 20 cat <&"${CLIENTS[63]}"
	[[ $output == *"404 Not Found"* ]]
	# its place taken again by one more that says nothing
	open_clients 1 "$port"
	# 64 say nothing; a viewer comes all the same
	run curl -s -o /dev/null -w '%{http_code}' "$WEB"
	[ "$output" = 200 ]
	# the oldest silent one was told why it lost its place
	run timeout 20 cat <&"${CLIENTS[0]}"
	[[ $output == "HTTP/1.1 408 Request Timeout"* ]]
	echo "$output"
	[[ $output == *"408 Request Timeout: the request did not come in time, and a newer connection needed its place"* ]]
}

@test "web: --web refuses a bad address, and --ladder (exit 64, one line)" {
	run ftp-labd --web nonsense
	[ "$status" -eq 64 ]
	[[ $output == *"--web: 'nonsense' is not ADDR:PORT"* ]]
	run ftp-labd -p 0 --web 127.0.0.1:0 --ladder
	[ "$status" -eq 64 ]
	[[ $output == *"--web and --ladder: choose one"* ]]
	run ftp-tap --web 127.0.0.1:99999 127.0.0.1
	[ "$status" -eq 64 ]
}

# off_loopback [FTP-LABD OPTION...]: the commands on standard input run
# in a network namespace of the test's own, where ftp-labd (with the
# options) serves its web view on 10.77.0.1, off loopback; they find $url
# (as printed, with its token), $base (without it) and $T.  Their output
# is in $output, one answer a line.
off_loopback() {
	[ "$(id -u)" = 0 ] || skip "a network namespace needs root"
	command -v unshare >/dev/null || skip "unshare is not installed"
	{
		cat <<-'EOF'
			set -u
			T=$1
			shift
			ip link set lo up
			ip addr add 10.77.0.1/24 dev lo
			ftp-labd -q -p 0 -r "$T/root" --stay-root --web 10.77.0.1:0 "$@" >"$T/out" &
			pid=$!
			for i in $(seq 100); do grep -qs '^web view' "$T/out" && break; sleep 0.1; done
			url=$(sed -n 's/^web view: //p' "$T/out")
			base=${url%%\?*}
		EOF
		cat
		echo 'kill "$pid"; wait "$pid"'
	} >"$T/inside"
	run unshare -n bash "$T/inside" "$T" "$@"
}

@test "web: off loopback, every request needs the printed token (403 without, a cookie after)" {
	off_loopback <<-'EOF'
		echo "url $url"
		echo "none $(curl -s -w ' %{http_code}' "$base" | tr -d '\n')"
		echo "wrong $(curl -s -o /dev/null -w '%{http_code}' "${base}?token=0123")"
		echo "token $(curl -s -c "$T/jar" -o /dev/null -w '%{http_code}' "$url")"
		echo "cookie $(curl -s -b "$T/jar" -o /dev/null -w '%{http_code}' "${base}app.js")"
		echo "stream $(curl -s -o /dev/null -w '%{http_code}' "${base}events/session?id=1")"
	EOF
	[[ ${lines[0]} =~ ^url\ http://10\.77\.0\.1:[0-9]+/\?token=[0-9a-f]{32}$ ]]
	[ "${lines[1]}" = "none 403 Forbidden: open the address with ?token= that the server printed at its start 403" ]
	[ "${lines[2]}" = "wrong 403" ]
	[ "${lines[3]}" = "token 200" ]
	[ "${lines[4]}" = "cookie 200" ]
	[ "${lines[5]}" = "stream 403" ]
}

@test "web: off loopback, a class server asks a student to sign in (401); their password opens their view, the token the teacher's" {
	off_loopback --class 1 --class-file "$T/accounts.txt" <<-'EOF'
		pw=$(awk -F: '$1 == "student01" { print $2 }' "$T/accounts.txt")
		echo "none $(curl -s -w ' %{http_code}' "$base" | tr -d '\n')"
		echo "challenge $(curl -s -D - -o /dev/null "$base" | grep -c '^WWW-Authenticate: Basic')"
		echo "student $(curl -s -c "$T/jar" -u "student01:$pw" -o /dev/null -w '%{http_code}' "${base}signin")"
		echo "ticket $(curl -s -b "$T/jar" -o /dev/null -w '%{http_code}' "${base}app.js")"
		echo "teacher $(curl -s -o /dev/null -w '%{http_code}' "$url")"
	EOF
	[ "${lines[0]}" = "none 401 Unauthorized: sign in with your FTP account, or open the address with ?token= that the server printed at its start 401" ]
	[ "${lines[1]}" = "challenge 1" ]
	[ "${lines[2]}" = "student 303" ]
	[ "${lines[3]}" = "ticket 200" ]
	[ "${lines[4]}" = "teacher 200" ]
}

@test "web: a session's event stream: the narration's events in order, with ids; Last-Event-ID resumes; a finished session's stream ends" {
	web_labd
	curl -s --disable-epsv -o "$T/got" "ftp://127.0.0.1:$LABD_PORT/big.bin"
	cmp "$T/got" "$LABD_ROOT/big.bin"
	wait_until 100 narrated '\[1\] closed'
	run timeout 20 curl -s "${WEB}events/session?id=1"
	[ "$status" -eq 0 ]	# it ended by itself
	[[ $output == *'id: 1'$'\n''event: ev'$'\n''data: {"seq":1,"kind":"connect"'* ]]
	[[ $output == *'"kind":"command","time":'*'"text":"\u003e PASV","wire":"PASV\\r\\n","hex":"50 41 53 56 0d 0a","masked":0}'* ]]
	[[ $output == *'"text":"\u003e PASS XXXX","wire":"PASS XXXX\\r\\n","hex":"","masked":1}'* ]]
	[[ $output == *'"kind":"data"'*'"text":"data: PASV listening on 127.0.0.1:'* ]]
	[[ $output == *'"text":"\u003c 226 '* ]]
	[[ $output == *'event: end'* ]]
	# every event narrated for session 1 is in the stream, in order
	grep -o '\[1\] .*' "$LABD_LOG" | cut -c5- >"$T/narrated"
	printf '%s\n' "$output" | /usr/bin/python3 -c 'import sys, json
for l in sys.stdin:
	if l.startswith("data: {\"seq\""): print(json.loads(l[6:])["text"])' >"$T/streamed"
	diff "$T/narrated" "$T/streamed"
	run timeout 20 curl -s -H 'Last-Event-ID: 5' "${WEB}events/session?id=1"
	[[ $output == "retry: 2000"$'\n\n''id: 6'$'\n'* ]]
	run curl -s "${WEB}narration.txt?id=1"
	[[ ${lines[0]} == *"[1] connect from 127.0.0.1 port "* ]]
	[[ $output == *"[1] > RETR big.bin"* ]]
}

@test "web: a Last-Event-ID past the last event counts as the last: a finished session's stream ends, and no number wraps to a false resync" {
	web_labd
	printf 'USER anonymous\r\nPASS x\r\nQUIT\r\n' |
		timeout 20 curl -s "telnet://127.0.0.1:$LABD_PORT" >"$T/replies"
	wait_until 100 narrated '\[1\] closed'
	for id in 999999 18446744073709551615 99999999999999999999999; do
		run timeout 20 curl -s -H "Last-Event-ID: $id" \
			"${WEB}events/session?id=1"
		[ "$status" -eq 0 ]	# it ended by itself
		[ "$output" = "retry: 2000"$'\n\n''event: end'$'\n''data: {}' ]
	done
	refute narrated 'fell behind'
}

@test "web: a line too long to show whole ends in '...' in the narration, the page's text and its wire view; the kept narration is the narration, stamps too" {
	web_labd --wire
	printf -v long '%*s' 1000 ''
	printf 'USER anonymous\r\nPASS x\r\nCWD ../%s\r\nQUIT\r\n' \
		"${long// /A}" |
		timeout 20 curl -s "telnet://127.0.0.1:$LABD_PORT" >"$T/replies"
	wait_until 100 narrated '\[1\] closed'
	grep -q '\[1\] > CWD \.\./AAAA*\.\.\.\\r\\n$' "$LABD_LOG"
	timeout 20 curl -s "${WEB}events/session?id=1" >"$T/stream"
	run /usr/bin/python3 -c 'import sys, json
for l in open(sys.argv[1]):
	if not l.startswith("data: {\"seq\""): continue
	ev = json.loads(l[6:])
	if ev["text"].startswith("> CWD"):
		assert ev["text"].endswith("AAA...\\r\\n"), ev["text"]
		assert ev["wire"].endswith("AAA...\\r\\n"), ev["wire"]
		assert ev["hex"].endswith(" ..."), ev["hex"]
		print("cwd")' "$T/stream"
	[ "$output" = cwd ]
	curl -s "${WEB}narration.txt?id=1" >"$T/kept"
	grep -q '\.\.\.$' "$T/kept"	# the cut lines say so here too
	grep ' \[1\] ' "$LABD_LOG" >"$T/narrated"
	diff "$T/narrated" "$T/kept"
}

@test "web: a viewer that asks for events no longer kept is resynchronised, and the narration says so" {
	web_labd
	{
		printf 'USER anonymous\r\nPASS x\r\n'
		for i in $(seq 150); do printf 'NOOP\r\n'; done
		printf 'QUIT\r\n'
	} | timeout 20 curl -s "telnet://127.0.0.1:$LABD_PORT" >"$T/replies"
	wait_until 100 narrated '\[1\] closed'
	run timeout 20 curl -s -H 'Last-Event-ID: 2' "${WEB}events/session?id=1"
	[[ $output == *'event: resync'$'\n''data: {"lost":'* ]]
	wait_until 50 narrated 'web: viewer [0-9]* fell behind session 1 by [0-9]* events: resynchronised'
	run curl -s "${WEB}narration.txt?id=1"
	[[ ${lines[0]} == "(the "*" earlier lines are no longer kept)" ]]
}

@test "web: a viewer that stalls does not slow the session it watches; when it reads again it is resynchronised, and the narration says so" {
	web_labd
	local fd
	exec {fd}<>"/dev/tcp/127.0.0.1/$LABD_PORT"
	CLIENTS+=("$fd")
	printf 'USER anonymous\r\nPASS x\r\n' >&"$fd"
	wait_until 100 narrated '\[1\] < 230 '
	# the viewer: a small receive buffer, its request sent, then it reads
	# nothing until the file go exists
	cat >"$T/viewer.py" <<-'EOF'
		import os, socket, sys, time
		port, ready, go = int(sys.argv[1]), sys.argv[2], sys.argv[3]
		s = socket.socket()
		s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2048)
		s.connect(("127.0.0.1", port))
		s.sendall(b"GET /events/session?id=1 HTTP/1.1\r\n"
		          b"Host: 127.0.0.1:%d\r\n\r\n" % port)
		open(ready, "w").close()
		deadline = time.time() + 60
		while not os.path.exists(go) and time.time() < deadline:
		    time.sleep(0.05)
		s.settimeout(max(1, deadline - time.time()))
		got = b""
		while b"event: resync" not in got and time.time() < deadline:
		    chunk = s.recv(65536)
		    if not chunk:
		        break
		    got += chunk
		print("resync" if b"event: resync" in got else "no resync: %d bytes, %r" % (len(got), got[-300:]))
	EOF
	/usr/bin/python3 "$T/viewer.py" "$(web_port)" "$T/ready" "$T/go" >"$T/viewer.out" &
	local viewer=$!
	wait_until 100 test -e "$T/ready"
	# 4000 commands, about 2 MB of events: far more than the viewer's
	# queue and its socket hold; the session answers every one meanwhile
	for _ in $(seq 4000); do printf 'NOOP\r\n'; done >&"$fd"
	wait_until 300 eval '[ "$(grep -c "\[1\] < 200 NOOP" "$LABD_LOG")" -eq 4000 ]'
	printf 'QUIT\r\n' >&"$fd"
	wait_until 100 narrated '\[1\] closed'
	touch "$T/go"
	wait "$viewer"
	cat "$T/viewer.out"
	[ "$(cat "$T/viewer.out")" = resync ]
	wait_until 50 narrated 'web: viewer [0-9]* fell behind session 1 by [0-9]* events: resynchronised'
}

@test "web: the class stream sends a row per session, kept after the session ends" {
	web_labd
	curl -s --disable-epsv -o /dev/null "ftp://127.0.0.1:$LABD_PORT/big.bin"
	wait_until 100 narrated '\[1\] closed'
	run timeout 3 curl -sN "${WEB}events/class"
	[[ $output == *'event: row'$'\n''data: {"id":1,"user":"anonymous","client":"127.0.0.1:'* ]]
	[[ $output == *'"state":"closed","command":"QUIT","reply":"221 Goodbye."'* ]]
	[[ $output == *'"out":100000,"errors":0,"finished":1'* ]]
}

# ---- a session's capture (.pcap) ----

@test "web: a session's capture: tshark reads its commands and the file; the password is left out, and says so" {
	require tshark
	web_labd
	run curl -s -u "ann:hunter22" -o /dev/null "ftp://127.0.0.1:$LABD_PORT/notes.txt"
	[ "$status" -eq 67 ]	# login denied
	curl -s --disable-epsv -o "$T/got" "ftp://127.0.0.1:$LABD_PORT/notes.txt"
	wait_until 100 narrated '\[2\] closed'
	run curl -s -D "$T/head" -o "$T/s2.pcap" "${WEB}capture.pcap?id=2"
	grep -q '^Content-Type: application/vnd.tcpdump.pcap' "$T/head"
	grep -q '^Content-Disposition: attachment; filename="rawftp-session-2.pcap"' "$T/head"
	PCAP=$T/s2.pcap TS_FTP_PORT=$LABD_PORT
	run ts_commands
	[ "${lines[0]}" = "USER anonymous" ]
	[ "${lines[1]}" = "PASS" ]		# its argument not kept
	[[ $output == *"PASV"*"RETR notes.txt"*"QUIT"* ]]
	[ "$(ts_follow 1 1)" = "$(cat "$LABD_ROOT/notes.txt")" ]
	run ts_where 'ftp_request_command == "PASS"' frame_cap_len frame_len
	read -r caplen wirelen <<<"$output"
	[ "$caplen" -lt "$wirelen" ]	# cut, and the file says so
	refute grep -aq 'ftp@example.com' "$T/s2.pcap"
	[ -z "$(ts_warnings | grep -v 'Packet size limited')" ]
	# the wrong password of session 1 is not kept either
	curl -s -o "$T/s1.pcap" "${WEB}capture.pcap?id=1"
	refute grep -aq hunter22 "$T/s1.pcap"
	run curl -s "${WEB}capture.pcap?id=9"
	[ "$output" = "404 Not Found: no capture kept for this session" ]
}

@test "web: with --show-passwords a session's capture keeps the password; through ftp-tap it holds all four connections" {
	require tshark
	web_labd --show-passwords
	curl -s -u "anonymous:me@example.org" -o /dev/null "ftp://127.0.0.1:$LABD_PORT/notes.txt"
	wait_until 100 narrated '\[1\] closed'
	curl -s -o "$T/s1.pcap" "${WEB}capture.pcap?id=1"
	grep -aq 'PASS me@example.org' "$T/s1.pcap"
	local labd_web=$WEB
	tap_start "127.0.0.1" "$LABD_PORT"
	curl -s --disable-epsv -o "$T/got" "ftp://127.0.0.1:$TAP_PORT/notes.txt"
	cmp "$T/got" "$LABD_ROOT/notes.txt"
	wait_until 100 grep -qs '\[1\] closed' "$T/tap.log"
	curl -s -o "$T/tap.pcap" "${WEB}capture.pcap?id=1"
	PCAP=$T/tap.pcap
	# the client's and the server's control legs, and both data legs
	[ "$(ts_conversations | wc -l)" -eq 4 ]
	refute grep -aq 'PASS me@example.org' "$T/tap.pcap"	# no --show-passwords here
	[ "$labd_web" != "$WEB" ]
}

# ---- a student's sign-in (a class server) ----

# class_web: a class of 2 with --web; PW1 and PW2 are the passwords of
# student01 and student02, from the accounts file the server wrote.
class_web() {
	web_labd --class 2 --class-file "$T/accounts.txt"
	PW1=$(awk -F: '$1 == "student01" { print $2 }' "$T/accounts.txt")
	PW2=$(awk -F: '$1 == "student02" { print $2 }' "$T/accounts.txt")
	[ -n "$PW1" ] && [ -n "$PW2" ]
}

# Three sessions, in this order: anonymous, student02, student01.  A
# class stream sends its rows in order of session, so by the time
# student01's row came, any other row it was going to send had come.
three_sessions() {
	curl -s -o /dev/null "ftp://127.0.0.1:$LABD_PORT/"
	curl -s -u "student02:$PW2" -o /dev/null "ftp://127.0.0.1:$LABD_PORT/"
	curl -s -u "student01:$PW1" -o /dev/null "ftp://127.0.0.1:$LABD_PORT/"
	wait_until 100 narrated '\[3 student01\] closed'
}

# stream_until REGEX URL [CURL_OPTION...]: an event stream read into
# $output until a line matches REGEX (at most 20 s, scaled); then left.
stream_until() {
	local regex=$1 url=$2 fd pid line
	shift 2
	exec {fd}< <(exec timeout $((7 * ${RAWFTP_WAIT_SCALE:-3})) curl -sN "$@" "$url")
	pid=$!
	output=
	while IFS= read -r -u "$fd" line; do
		output+=$line$'\n'
		[[ $line =~ $regex ]] && break
	done
	kill "$pid" 2>/dev/null
	exec {fd}<&-
	[[ $line =~ $regex ]]
}

@test "web: a student signs in with their FTP account and sees only their own sessions; the teacher sees all, anonymous too" {
	class_web
	three_sessions
	# the teacher (loopback): every session
	stream_until '"id":3,' "${WEB}events/class"
	[[ $output == *'event: viewer'$'\n''data: {"account":""}'* ]]
	[[ $output == *'"id":1,"user":"anonymous"'* ]]
	[[ $output == *'"id":2,"user":"student02"'* ]]
	[[ $output == *'"id":3,"user":"student01"'* ]]
	# student01 signs in: 303 to the class page, a ticket in a cookie
	run curl -s -c "$T/jar" -u "student01:$PW1" -o /dev/null \
		-w '%{http_code}' "${WEB}signin"
	[ "$output" = 303 ]
	grep -q "rawftp_student_$(web_port)" "$T/jar"
	stream_until '"id":3,' "${WEB}events/class" -b "$T/jar"
	[[ $output == *'event: viewer'$'\n''data: {"account":"student01"}'* ]]
	[[ $output == *'"id":3,"user":"student01"'* ]]
	[[ $output != *'"id":1,'* ]]
	[[ $output != *'"id":2,'* ]]
	run curl -s -b "$T/jar" "${WEB}narration.txt?id=3"
	[[ $output == *'[3] > USER student01'* ]]
	for id in 1 2; do
		run curl -s -b "$T/jar" "${WEB}narration.txt?id=$id"
		[ "$output" = "404 Not Found: no such session kept" ]
		run curl -s -b "$T/jar" "${WEB}events/session?id=$id"
		[ "$output" = "404 Not Found: no such session kept" ]
		run curl -s -b "$T/jar" "${WEB}capture.pcap?id=$id"
		[ "$output" = "404 Not Found: no capture kept for this session" ]
	done
	run curl -s -b "$T/jar" -o /dev/null -w '%{http_code}' "${WEB}capture.pcap?id=3"
	[ "$output" = 200 ]
	# the password itself, without the cookie, works as well
	run curl -s -u "student02:$PW2" "${WEB}narration.txt?id=2"
	[[ $output == *'[2] > USER student02'* ]]
	run curl -s -u "student02:$PW2" "${WEB}narration.txt?id=3"
	[ "$output" = "404 Not Found: no such session kept" ]
}

@test "web: a wrong password gets 401 with the browser's prompt and is narrated; anonymous cannot sign in; /signin asks" {
	class_web
	run curl -s -i -u "student01:wrong" "${WEB}"
	[[ ${lines[0]} == "HTTP/1.1 401 Unauthorized"* ]]
	[[ $output == *'WWW-Authenticate: Basic realm="rawftp: your FTP account"'* ]]
	[[ $output == *'401 Unauthorized: wrong name or password' ]]
	[[ $output != *Set-Cookie* ]]
	wait_until 50 narrated 'web: viewer [0-9]*: sign-in refused (a wrong name or password)'
	run curl -s -o /dev/null -w '%{http_code}' -u "anonymous:me@x" "${WEB}signin"
	[ "$output" = 401 ]
	run curl -s -i "${WEB}signin"
	[[ ${lines[0]} == "HTTP/1.1 401 Unauthorized"* ]]
	[[ $output == *'WWW-Authenticate: Basic'* ]]
	[[ $output == *"401 Unauthorized: sign in with your FTP account's name and password" ]]
	# a forged ticket is no ticket (on loopback: the teacher's view)
	stream_until '^data: \{"account"' "${WEB}events/class" \
		-b "rawftp_student_$(web_port)=$(printf '0%.0s' $(seq 32))"
	[[ $output == *'data: {"account":""}'* ]]
}

@test "web: a server without accounts has no sign-in (404, one line)" {
	web_labd
	run curl -s "${WEB}signin"
	[ "$output" = "404 Not Found: this server has no accounts to sign in with" ]
}

# ---- in a browser ----

# dom_until [STEP...] PATTERN URL: the page's DOM, in $T/dom, read again while its
# script runs until PATTERN (a regular expression) is in it, at most 60 s
# times RAWFTP_WAIT_SCALE / 3 (lib/dom-until.py: one chromium, asked over
# the DevTools pipe; --dump-dom would dump at the load event, before the
# event stream brought anything on a busy machine).  STEPs (--run CMD,
# --key KEY, --until PATTERN) are then done in order in the same page.
dom_until() {
	command -v chromium >/dev/null ||
		skip "chromium is not installed (.ci/run installs it)"
	browser_serve
	/usr/bin/python3 "$REPO_ROOT/tests/lib/dom-until.py" "$@" "$T/dom" \
		$((20 * ${RAWFTP_WAIT_SCALE:-3})) "$(mktemp -d "$T/chrome.XXXXXX")"
}

# browser_serve: one chromium for all the pages of the file, started by
# the first page a test asks for (a start costs more than a page); its
# socket in RAWFTP_BROWSER, for lib/dom-until.py.
browser_serve() {
	export RAWFTP_BROWSER=$BATS_FILE_TMPDIR/browser.sock
	[ -e "$BATS_FILE_TMPDIR/browser.pid" ] && return
	/usr/bin/python3 "$REPO_ROOT/tests/lib/dom-until.py" --serve \
		"$RAWFTP_BROWSER" "$BATS_FILE_TMPDIR/profile" \
		</dev/null >"$BATS_FILE_TMPDIR/browser.log" 2>&1 3>&- &
	echo $! >"$BATS_FILE_TMPDIR/browser.pid"
	wait_until 100 test -S "$RAWFTP_BROWSER"
}

# png FILE NAME: FILE is a PNG image of the page's 1400x900; with
# RAWFTP_SCREENSHOTS=DIR set (docs/, to remake the docs' pictures) it is
# also copied there as NAME.
png() {
	[ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' ')" = 89504e470d0a1a0a ]
	[ "$(od -An -tu1 -j 16 -N 8 "$1" | awk '{ print $3 * 256 + $4, $7 * 256 + $8 }')" = "1400 900" ]
	[ -z "${RAWFTP_SCREENSHOTS:-}" ] || cp "$1" "$RAWFTP_SCREENSHOTS/$2"
}

# The text of the diagram's arrows (their labels), one a line, in order.
arrows() {
	grep -o '<text [^>]*class="label">[^<]*</text>' "$T/dom" |
		sed 's/<[^>]*>//g'
}

# in_order PATTERN...: each (grep -E) on a later line than the one before.
in_order() {
	local at=0 n pattern
	for pattern in "$@"; do
		n=$(arrows | grep -nE -- "$pattern" | cut -d: -f1 |
			awk -v a="$at" '$1 > a { print; exit }')
		[ -n "$n" ] || { echo "not after line $at: $pattern" >&2; return 1; }
		at=$n
	done
}

# bats test_tags=not-sanitized
@test "web in chromium: a passive RETR through ftp-labd, drawn: lanes, arrows in order, the arithmetic, the data lane's ports, the 226" {
	web_labd
	curl -s --disable-epsv -o "$T/got" "ftp://127.0.0.1:$LABD_PORT/big.bin"
	wait_until 100 narrated '\[1\] closed'
	dom_until --screenshot "$T/passive.png" 'class="label">221 ' "${WEB}session?id=1"
	png "$T/passive.png" web-view-session.png
	listen=$(grep -o 'data: PASV listening on 127.0.0.1:[0-9]* = [0-9]*\*256+[0-9]*' "$LABD_LOG")
	port=${listen#*127.0.0.1:}
	port=${port%% *}
	arith=${listen#*= }
	grep -q 'class="lane">client</text>' "$T/dom"
	grep -q 'class="lane">control port</text>' "$T/dom"
	grep -q "class=\"lane-sub\">127.0.0.1:$LABD_PORT</text>" "$T/dom"
	grep -q 'class="lane">data 1: PASV (passive)</text>' "$T/dom"
	grep -q "class=\"lane-sub\">the server listens on 127.0.0.1:$port</text>" "$T/dom"
	grep -Eq 'class="lane-sub">the client connects from 127.0.0.1:[0-9]+</text>' "$T/dom"
	grep -qF "class=\"arith\">$arith = $port</text>" "$T/dom"
	in_order '^220 ' '^USER anonymous$' '^PASS XXXX$' '^230 ' '^PASV$' \
		'^227 Entering Passive Mode' '^RETR big.bin$' '^150 ' \
		'^SYN: the client connects from 127.0.0.1:' \
		'^sent 100000 bytes, closed$' '^226 ' '^QUIT$' '^221 '
}

# bats test_tags=not-sanitized
@test "web in chromium: a command with a Telnet command inside: the page says its bytes are the line after the Telnet layer, not all that crossed" {
	web_labd
	local fd
	exec {fd}<>"/dev/tcp/127.0.0.1/$LABD_PORT"
	printf 'USER anonymous\r\nPASS x\r\nNO\xff\xf1OP\r\nQUIT\r\n' >&"$fd"
	timeout 20 cat <&"$fd" >"$T/replies"
	exec {fd}>&-
	wait_until 100 narrated '\[1\] closed'
	# what the server read: the line without IAC NOP (the capture has it)
	timeout 20 curl -s "${WEB}events/session?id=1" >"$T/stream"
	grep -qF '"wire":"NOOP\\r\\n","hex":"4e 4f 4f 50 0d 0a"' "$T/stream"
	dom_until 'class="label">221 ' "${WEB}session?id=1"
	refute grep -q 'as they crossed the wire' "$T/dom"
	grep -q 'under the Telnet layer: a Telnet command the client sent' "$T/dom"
	grep -q 'The capture (.pcap) has every byte as it crossed' "$T/dom"
}

# bats test_tags=not-sanitized
@test "web in chromium: an active LIST through ftp-labd: the PORT lane, the server's connect, the arithmetic beside 200" {
	web_labd
	curl -s --ftp-port 127.0.0.1 --disable-eprt -o "$T/list" \
		"ftp://127.0.0.1:$LABD_PORT/"
	grep -q big.bin "$T/list"
	wait_until 100 narrated '\[1\] closed'
	dom_until 'class="label">221 ' "${WEB}session?id=1"
	target=$(grep -o 'data: PORT 127.0.0.1 port [0-9]* = [0-9]*\*256+[0-9]*' "$LABD_LOG")
	port=${target#*port }
	port=${port%% *}
	arith=${target#*= }
	grep -q 'class="lane">data 1: PORT (active)</text>' "$T/dom"
	grep -q "class=\"lane-sub\">the client listens on 127.0.0.1:$port</text>" "$T/dom"
	grep -Eq 'class="lane-sub">the server connects from 127.0.0.1:[0-9]+</text>' "$T/dom"
	grep -qF "class=\"arith\">$arith = $port</text>" "$T/dom"
	in_order '^PORT 127,0,0,1,' '^200 ' '^LIST' '^150 ' \
		"^SYN: the server connects to 127.0.0.1:$port from " \
		'^sent [0-9]+ bytes, closed$' '^226 '
}

# bats test_tags=not-sanitized
@test "web in chromium: through ftp-tap in front of vsftpd, a passive RETR and an active LIST" {
	vsftpd_start
	cp "$LABD_ROOT/big.bin" "$PEER_ROOT/"
	tap_start 127.0.0.1 "$PEER_PORT"
	curl -s --disable-epsv -o "$T/got" "ftp://127.0.0.1:$TAP_PORT/big.bin"
	cmp "$T/got" "$LABD_ROOT/big.bin"
	curl -s --ftp-port 127.0.0.1 --disable-eprt -o "$T/list" \
		"ftp://127.0.0.1:$TAP_PORT/"
	grep -q big.bin "$T/list"
	wait_until 100 narrated '\[2\] closed' "$T/tap.log"
	dom_until 'class="label">226 ' "${WEB}session?id=1"
	grep -q 'class="lane">data 1: PASV (passive)</text>' "$T/dom"
	grep -q 'class="lane">tap</text>' "$T/dom"
	grep -q "class=\"lane-sub\">127.0.0.1:$PEER_PORT</text>" "$T/dom"
	grep -Eq 'class="lane-sub">the tap listens on 127.0.0.1:[0-9]+</text>' "$T/dom"
	grep -Eq 'class="lane-sub">the client connects from 127.0.0.1:[0-9]+</text>' "$T/dom"
	grep -Eq 'class="lane-sub">the server listens on 127.0.0.1:[0-9]+</text>' "$T/dom"
	# the server's port and the tap's, as the 227 said them both
	grep -Eq 'class="arith">[0-9]+\*256\+[0-9]+ = [0-9]+ =&gt; [0-9]+\*256\+[0-9]+ = [0-9]+</text>' "$T/dom"
	in_order '^USER anonymous$' '^230 ' '^PASV$' '^227 ' '^RETR big.bin$' \
		'^150 ' '^226 '
	dom_until 'class="label">226 ' "${WEB}session?id=2"
	grep -q 'class="lane">data 1: PORT (active)</text>' "$T/dom"
	grep -Eq 'class="lane-sub">the server connects from 127.0.0.1:[0-9]+</text>' "$T/dom"
	grep -Eq 'class="arith">[0-9]+\*256\+[0-9]+ = [0-9]+ =&gt; [0-9]+\*256\+[0-9]+ = [0-9]+</text>' "$T/dom"
	# the tap connects to the client as soon as the server connects to
	# it, which may be before or after it relays the 150
	in_order '^PORT 127,0,0,1,' '^200 ' '^LIST' \
		'^SYN: the server connects to 127.0.0.1:' '^[0-9]+ bytes to the client'
	in_order '^LIST' '^150 ' '^226 '
}

# four_ways: ftp-labd behind ftp-tap --wire; session 1 opens a data
# connection each way a client can ask for one: PASV, EPSV, PORT, EPRT.
four_ways() {
	labd_start
	tap_start --wire 127.0.0.1 "$LABD_PORT"
	/usr/bin/python3 "$REPO_ROOT/tests/lib/ftpchat.py" 127.0.0.1 \
		"$TAP_PORT" >"$T/chat" <<-EOF
	USER anonymous
	PASS x
	TYPE I
	!pasv
	!get $T/got1 RETR big.bin
	!epsv
	!get $T/list2 LIST
	!port
	!get $T/got3 RETR notes.txt
	!eprt
	!get $T/list4 LIST
	QUIT
	!eof
	EOF
	cmp "$T/got1" "$LABD_ROOT/big.bin"
	cmp "$T/got3" "$LABD_ROOT/notes.txt"
	wait_until 100 narrated '\[1\] closed' "$T/tap.log"
}

# The text of the lane headings, one a line, lane by lane.
headings() {
	grep -o 'class="lane[-sub]*">[^<]*</text>' "$T/dom" | sed 's/<[^>]*>//g; s/.*">//'
}

# The TCP arrows drawn (FIN, RST), one a line: the lane they start from,
# the lane they point to (client, tap, server, "data N"), their text.
drawn_tcp() {
	/usr/bin/python3 -c 'import html, re, sys
dom = open(sys.argv[1]).read()
lane = {}
for attrs, text in re.findall(r"<text ([^>]*)class=\"lane\">([^<]*)</text>", dom):
	lane[re.search(r"x=\"([^\"]*)\"", attrs).group(1)] = text.split(":")[0]
for g in re.findall(r"<g class=\"row tcp arrow[^>]*>(.*?)</g>", dom):
	x1, x2 = re.search(r"<line x1=\"([^\"]*)\" y1=\"[^\"]*\" x2=\"([^\"]*)\"", g).groups()
	text = re.search(r"class=\"label\">([^<]*)<", g).group(1)
	print("%s\t%s\t%s" % (lane[x1], lane[x2], html.unescape(text)))' "$T/dom"
}

# narrated_tcp LOG: each FIN and RST of session 1's narration, as the
# arrow it must be: from its sender to the other end of its connection
# (the two named in brackets; a data connection's server end is its
# lane, "data N" for the Nth data connection), then its text.
narrated_tcp() {
	awk '
	function lane(end) {
		return end != "server" ? end : chan == "data" ? "data " n : end
	}
	/\[1\] data: .*listening on / { n++ }
	/\[1\] tcp: [a-z]*: (FIN|RST) from the / {
		line = $0
		sub(/.*\] tcp: /, "", line)
		chan = who = a = b = line
		sub(/:.*/, "", chan)
		sub(/.* from the /, "", who)
		sub(/[^a-z].*/, "", who)
		sub(/.*\(/, "", a)
		sub(/ .*/, "", a)
		sub(/.* bytes, /, "", b)
		sub(/ .*/, "", b)
		print lane(who) "\t" lane(who == a ? b : a) "\t" line
	}' "$1"
}

# bats test_tags=not-sanitized
@test "web in chromium: through ftp-tap --wire, each FIN is drawn once, on its leg: the client's between client and tap, the server's between tap and server" {
	four_ways
	dom_until 'class="label">closed|class="note">closed' "${WEB}session?id=1"
	drawn_tcp >"$T/drawn"
	cat "$T/drawn"
	# every FIN the narration has, once, from its sender to its peer
	diff <(narrated_tcp "$T/tap.log" | sort) <(sort "$T/drawn")
	# what happened on each data connection: two FINs on each of its
	# two legs, and no arrow that skips the tap
	local n tab=$'\t'
	for n in 1 2 3 4; do
		[ "$(grep -c "^\(tap${tab}data $n\|data $n${tab}tap\)${tab}data: FIN " "$T/drawn")" -eq 2 ]
	done
	[ "$(grep -c "^\(client${tab}tap\|tap${tab}client\)${tab}data: FIN " "$T/drawn")" -eq 8 ]
	refute grep -q "^client${tab}data \|^data [0-9]*${tab}client" "$T/drawn"
	# the control connection's two legs: client-tap, tap-server
	[ "$(grep -c "^\(client${tab}tap\|tap${tab}client\)${tab}control: FIN " "$T/drawn")" -eq 2 ]
	[ "$(grep -c "^\(tap${tab}server\|server${tab}tap\)${tab}control: FIN " "$T/drawn")" -eq 2 ]
}

# bats test_tags=not-sanitized
@test "web in chromium: through ftp-tap --wire, each data lane says how it was opened (PASV, EPSV, PORT, EPRT) and every port of both its legs" {
	four_ways
	dom_until 'class="label">221 ' "${WEB}session?id=1"
	# each data connection as narrated: the tap's port and the far
	# end's, who connected in and from where the tap connected out
	local listens ins outs at far i
	mapfile -t listens < <(sed -n 's/.*\[1\] data: listening on \([^ ]*\) port \([0-9]*\) for the [a-z]*; the [a-z]*.s data port is \([^ ]*\) port \([0-9]*\)$/\1:\2 \3:\4/p' "$T/tap.log")
	mapfile -t ins < <(sed -n 's/.*\[1\] data: \([^ ]*\) connected$/\1/p' "$T/tap.log")
	mapfile -t outs < <(sed -n 's/.*\[1\] data: connected to [^ ]* from \([^ ]*\)$/\1/p' "$T/tap.log")
	[ "${#listens[@]}" -eq 4 ] && [ "${#ins[@]}" -eq 4 ] && [ "${#outs[@]}" -eq 4 ]
	headings >"$T/heads"
	cat "$T/heads"
	for i in 0 1 2 3; do
		read -r at far <<<"${listens[i]}"
		case $i in
		0 | 1) printf '%s\n' "data $((i + 1)): $([ "$i" = 0 ] && echo PASV || echo EPSV) (passive)" \
			"the tap listens on $at" "the client connects from ${ins[i]}" \
			"the server listens on $far" "the tap connects from ${outs[i]}" ;;
		*) printf '%s\n' "data $((i + 1)): $([ "$i" = 2 ] && echo PORT || echo EPRT) (active)" \
			"the client listens on $far" "the tap connects from ${outs[i]}" \
			"the tap listens on $at" "the server connects from ${ins[i]}" ;;
		esac >"$T/want"
		grep -A4 -x "data $((i + 1)): .*" "$T/heads" | diff "$T/want" -
	done
}

# overlaps FILE: each two boxes of FILE (dom-until's --boxes: left top
# width height text) that overlap, a line each; nothing when none do.
overlaps() {
	awk '{ x[NR] = $1; y[NR] = $2; w[NR] = $3; h[NR] = $4
		$1 = $2 = $3 = $4 = ""; t[NR] = $0 }
	END {
		for (i = 1; i <= NR; i++)
			for (j = i + 1; j <= NR; j++)
				if (x[i] < x[j] + w[j] && x[j] < x[i] + w[i] &&
				    y[i] < y[j] + h[j] && y[j] < y[i] + h[i])
					print t[i] " /" t[j]
	}' "$1"
}

HEADINGS='svg text.lane, svg text.lane-sub'

# bats test_tags=not-sanitized
@test "web in chromium: through ftp-tap, no two lane headings overlap, on the session page and the projector, where they stay readable" {
	four_ways
	curl -s --disable-epsv -o /dev/null "ftp://127.0.0.1:$TAP_PORT/big.bin"
	curl -s --ftp-port 127.0.0.1 --disable-eprt -o /dev/null \
		"ftp://127.0.0.1:$TAP_PORT/"
	wait_until 100 narrated '\[3\] closed' "$T/tap.log"
	# seven lanes: client, tap, server, four data connections
	dom_until --boxes "$HEADINGS=$T/session" 'class="label">221 ' \
		"${WEB}session?id=1"
	run overlaps "$T/session"
	[ -z "$output" ]
	[ "$(grep -o 'class="lane"' "$T/dom" | wc -l)" -eq 7 ]
	dom_until --boxes "$HEADINGS=$T/projector" 'class="label">221 ' \
		"${WEB}projector?a=1"
	run overlaps "$T/projector"
	[ -z "$output" ]
	# the lesson's two downloads side by side: the smallest heading line
	# is still drawn at least 9 pixels high (12 in a window)
	dom_until --boxes "$HEADINGS=$T/side" \
		'data 1: PORT \(active\).*class="label">221 ' "${WEB}projector?a=2&b=3"
	run overlaps "$T/side"
	[ -z "$output" ]
	run awk '$4 < 9' "$T/side"
	[ -z "$output" ]
}

# bats test_tags=not-sanitized
@test "web in chromium: a user name full of HTML and script runs nothing; the page shows it as text" {
	web_labd
	evil="<img src=x onerror=document.title='pwned'><script>document.title='pwned'</script>"
	curl -s --user "$evil:x" -o /dev/null "ftp://127.0.0.1:$LABD_PORT/" || true
	wait_until 100 narrated '\[1\] closed'
	dom_until 'class="label">221 |closed' "${WEB}session?id=1"
	grep -qF "USER &lt;img src=x onerror=document.title='pwned'&gt;&lt;script&gt;" "$T/dom"
	refute grep -q '<img' "$T/dom"
	refute grep -q '<script>document' "$T/dom"
	refute grep -q 'pwned</title>' "$T/dom"
	dom_until 'class=" user"' "$WEB"
	# the row keeps the first 63 bytes of the name, as text
	grep -qF "<td class=\" user\">&lt;img src=x onerror=document.title='pwned'&gt;&lt;script&gt;document.titl</td>" "$T/dom"
	refute grep -q '<img' "$T/dom"
	refute grep -q '<script>document' "$T/dom"
	refute grep -q 'pwned</title>' "$T/dom"
}

# bats test_tags=not-sanitized
@test "web in chromium: the class page lists 40 simultaneous sessions" {
	web_labd
	local fd i
	for i in $(seq 40); do
		exec {fd}<>"/dev/tcp/127.0.0.1/$LABD_PORT"
		printf 'USER student%02d\r\n' "$i" >&"$fd"
		CLIENTS+=("$fd")
	done
	wait_until 200 eval '[ "$(grep -c "> USER student" "$LABD_LOG")" -eq 40 ]'
	dom_until 'class=" user">student40</td>' "$WEB"
	[ "$(grep -o '<tr class="live"' "$T/dom" | wc -l)" -eq 40 ]
	for i in 01 17 40; do
		grep -q "<td class=\" user\">student$i</td>" "$T/dom"
	done
}

# bats test_tags=not-sanitized
@test "web in chromium: the projector shows a passive and an active download side by side" {
	web_labd
	curl -s --disable-epsv -o /dev/null "ftp://127.0.0.1:$LABD_PORT/big.bin"
	curl -s --ftp-port 127.0.0.1 --disable-eprt -o /dev/null \
		"ftp://127.0.0.1:$LABD_PORT/big.bin"
	wait_until 100 narrated '\[2\] closed'
	dom_until --screenshot "$T/projector.png" \
		'data 1: PORT \(active\).*class="label">221 ' "${WEB}projector?a=1&b=2"
	png "$T/projector.png" web-view-projector.png
	[ "$(grep -o '<section class="pane">' "$T/dom" | wc -l)" -eq 2 ]
	grep -q '<h2>Session 1</h2>.*class="lane">data 1: PASV (passive)</text>.*<h2>Session 2</h2>.*class="lane">data 1: PORT (active)</text>' "$T/dom"
}

# bats test_tags=not-sanitized
@test "web in chromium: the projector follows the newest session; s then the right arrow step through it event by event" {
	web_labd
	curl -s --disable-epsv -o /dev/null "ftp://127.0.0.1:$LABD_PORT/big.bin"
	wait_until 100 narrated '\[1\] closed'
	dom_until \
		--run "curl -s -o /dev/null ftp://127.0.0.1:$LABD_PORT/notes.txt" \
		--until '<h2>Session 2</h2>.*class="label">221 ' \
		--key s --until '<h2>Session 2  \(step 0 of [0-9]+\)</h2>' \
		--key ArrowRight --key ArrowRight \
		--until '<h2>Session 2  \(step 2 of [0-9]+\)</h2>' \
		'<h2>Session 1</h2>.*class="label">221 ' "${WEB}projector"
	# one pane, the newest session, two events drawn: the connect and
	# the 220 (the first arrow), nothing after it
	[ "$(grep -o '<section class="pane">' "$T/dom" | wc -l)" -eq 1 ]
	arrows
	[ "$(arrows | wc -l)" -eq 1 ]
	arrows | grep -q '^220 '
}

# bats test_tags=not-sanitized
@test "web in chromium: a student signs in at /signin; the class page lists only their session and says who they are" {
	class_web
	three_sessions
	local where=${WEB#http://}
	dom_until 'signed in as student01' "http://student01:$PW1@${where}signin"
	grep -q '<td class=" user">student01</td>' "$T/dom"
	refute grep -q 'student02</td>' "$T/dom"
	refute grep -q 'anonymous</td>' "$T/dom"
}
