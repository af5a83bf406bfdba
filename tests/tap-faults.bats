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
# with curl and a no-fault fault-peer client as the clients (the tap
# copies between the sockets for both: its reads capped by the room in
# the receiving socket for one, by its portable path for the other).  In every
# cell: the side that did not break never sees a success for a cut
# transfer, and every whole transfer is byte-identical.  Each cell has
# its own tap (--data-timeout 1); cells run a few at a time.

load lib/common
load lib/peers

BIG=16777216		# a STOR
HUGE=67108864		# a RETR: more than the buffers on the way (a
			# stalled reader must hold up the server)
MIDDLE=262144		# where "middle" is, for RETR and STOR

# The files sent, made once for all the tests (each read only).
setup_file() {
	head -c "$BIG" /dev/urandom >"$BATS_FILE_TMPDIR/big"
	head -c "$HUGE" /dev/urandom >"$BATS_FILE_TMPDIR/huge"
}

setup() {
	T=$BATS_TEST_TMPDIR
	BIG_FILE=$BATS_FILE_TMPDIR/big HUGE_FILE=$BATS_FILE_TMPDIR/huge
	FP=$RAWFTP_TESTBIN/fault-peer
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
	: >"$dir/tap.out"	# (see labd_start)
	# 3>&-: bats waits for its fd 3 to close
	RAWFTP_PORTABLE=${PORTABLE:-0} ftp-tap -p 0 --data-timeout 1 "$@" \
		127.0.0.1 "$port" \
		>"$dir/tap.out" 2>"$dir/tap.log" 3>&- &
	TAP_PID=$!
	TAPS+=("$TAP_PID")
	wait_until 100 has_line "$dir/tap.out" 'listening on ' || return 1
	read -r _ _ _ _ TAP_PORT _ <"$dir/tap.out"
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
	[ -d "$dir" ] || mkdir -p "$dir"	# (run_cells made the cells')
	: >"$dir/fake.out"	# (see labd_start)
	"$FP" server -t 20 "$@" >"$dir/fake.out" 3>&- &
	TAPS+=($!)
	wait_until 100 has_line "$dir/fake.out" 'listening on ' || return 1
	read -r _ _ _ _ FAKE_PORT _ <"$dir/fake.out"
}

# server_reply LOG: REPLY is the server's own final reply to the
# transfer, as the tap narrated it (the reply after the 150; not one of
# the tap's own), whether it went on ("] < 226 ...") or the tap kept it
# from the client ("] server: 226 ... (not sent on)").  The matrix's
# helpers answer in REPLY, read by bash: a cell ran a dozen processes
# (sed, awk, grep, subshells) to judge itself.
server_reply() {
	local line after_150= mark='] < ' kept='] server: '
	REPLY=
	while IFS= read -r line; do
		if [[ $line == *"$mark"1[0-9][0-9]" "* ]]; then
			after_150=1
		elif [ -n "$after_150" ] &&
			[[ $line == *"$mark"[2-5][0-9][0-9]" "* ]] &&
			[[ $line != *"(from the tap)" ]]; then
			REPLY=${line##*"$mark"}
			return 0
		elif [ -n "$after_150" ] &&
			[[ $line == *"$kept"[2-5][0-9][0-9]" "*" (not sent on)" ]]; then
			REPLY=${line##*"$kept"}
			REPLY=${REPLY% (not sent on)}
			return 0
		fi
	done <"$1"
}

# tap_end LOG: REPLY is the data connection's end as the tap narrated
# it: closed, cut or none.
tap_end() {
	local line
	REPLY=none
	while IFS= read -r line; do
		case $line in
		*"data: "*" bytes to the server, closed"*) REPLY=closed; return ;;
		*"data: "*" bytes to the server, "*cut* | \
		*"data connection is reset: the transfer cannot go on"*) REPLY=cut ;;
		esac
	done <"$1"
}

# ---- one test per defect (they fail on the tap before issue 17) ----

@test "tap faults: a client's reset mid-STOR reaches ftp-labd as a reset: 426, the old file kept" {
	labd_start
	echo old >"$LABD_ROOT/up"
	tap_on "$T" "$LABD_PORT"
	run "$FP" client -t 20 "$TAP_PORT" STOR up rst middle "$BIG_FILE"
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
	run "$FP" client -t 20 "$TAP_PORT" STOR up stall middle "$BIG_FILE"
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
	fake_server "$T/1" RETR rst middle "$BIG_FILE"
	tap_on "$T/1" "$FAKE_PORT"
	run curl -sS --max-time 20 -o "$T/got" "ftp://127.0.0.1:$TAP_PORT/f"
	tap_off
	cat "$T/1/tap.log"
	[ "$status" = 56 ]	# curl: "Recv failure: Connection reset"
	grep -q 'cut off by the server (Connection reset by peer)' "$T/1/tap.log"
	# a client that waits for the final reply gets the tap's 426
	fake_server "$T/2" RETR rst middle "$BIG_FILE"
	tap_on "$T/2" "$FAKE_PORT"
	run "$FP" client -t 20 "$TAP_PORT" RETR f none before "$T/got"
	tap_off
	cat "$T/2/tap.log"
	[ "$status" = 1 ]
	grep -q '^data: .* ended by reset$' <<<"$output"
	grep -q '^reply: 426 Transfer failed: the data connection was reset or cut (ftp-tap)' <<<"$output"
}

@test "tap faults: after a server's reset of a RETR, its 226 in two lines (Pure-FTPd's) does not reach the client either: 426" {
	fake_server "$T" -M RETR rst middle "$BIG_FILE"
	tap_on "$T" "$FAKE_PORT"
	run "$FP" client -t 20 "$TAP_PORT" RETR f none before "$T/got"
	tap_off
	cat "$T/tap.log"
	[ "$status" = 1 ]
	grep -q '^reply: 426 Transfer failed: the data connection was reset or cut (ftp-tap)' <<<"$output"
	# both lines narrated as the server sent them, neither sent on
	grep -q '\] server: 226-Transfer complete\. (not sent on)$' "$T/tap.log"
	grep -q '\] server: 226 0.001 seconds (measured here) (not sent on)$' "$T/tap.log"
	refute grep -q '\] < 226' "$T/tap.log"
	grep -q "\] data: the data connection was reset or cut: the server's 226 does not go on$" "$T/tap.log"
}

@test "tap faults: ftp-dataconn </dev/null half-closes at once; the RETR through the tap still brings the whole file" {
	labd_start
	cp "$BIG_FILE" "$LABD_ROOT/f"
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
	cmp "$T/got" "$BIG_FILE"
}

@test "tap faults: a server that half-closes before reading a STOR gets every byte" {
	fake_server "$T" STOR half before "$T/stored"
	tap_on "$T" "$FAKE_PORT"
	run "$FP" client -t 20 "$TAP_PORT" STOR up none before "$BIG_FILE"
	tap_off
	cat "$T/tap.log"
	[ "$status" = 0 ]
	grep -q '^reply: 226 ' <<<"$output"
	cmp "$T/stored" "$BIG_FILE"
}

@test "tap faults --wire: a reset is narrated as RST on both legs, the tap's cut as the tap's RST; a FIN as FIN" {
	labd_start
	echo old >"$LABD_ROOT/up"
	cp "$BIG_FILE" "$LABD_ROOT/f"
	tap_on "$T" "$LABD_PORT" --wire --pcap "$T/cap.pcap"
	run "$FP" client -t 20 "$TAP_PORT" STOR up rst middle "$BIG_FILE"
	# the client's RST on its leg, the tap's passing it on to the server
	[ "$(grep -c '\[1\] tcp: data: RST from the client: reset (client sent' "$T/tap.log")" = 1 ]
	[ "$(grep -c '\[1\] tcp: data: RST from the tap: reset (tap sent' "$T/tap.log")" = 1 ]
	run "$FP" client -t 20 "$TAP_PORT" STOR up stall middle "$BIG_FILE"
	grep -q '^reply: 426 ' <<<"$output"
	# the tap's cut: its own RST on each leg, none from either end
	[ "$(grep -c '\[2\] tcp: data: RST from the tap: reset (client sent' "$T/tap.log")" = 1 ]
	[ "$(grep -c '\[2\] tcp: data: RST from the tap: reset (tap sent' "$T/tap.log")" = 1 ]
	refute grep -q '\[2\] tcp: data: RST from the \(client\|server\)' "$T/tap.log"
	run "$FP" client -t 20 "$TAP_PORT" RETR f half before "$T/got"
	[ "$status" = 0 ]
	tap_off
	cat "$T/tap.log"
	cmp "$T/got" "$BIG_FILE"
	refute grep -q '\[3\] tcp: data: RST' "$T/tap.log"
	[ "$(grep -c '\[3\] tcp: data: FIN from the client first: half-closed (client sent' "$T/tap.log")" = 1 ]
	[ "$(grep -c '\[3\] tcp: data: FIN from the tap first: half-closed (tap sent' "$T/tap.log")" = 1 ]
	if command -v tshark >/dev/null; then
		# the capture holds the RSTs the narration names: on both
		# legs of sessions 1 and 2
		[ "$(tshark -r "$T/cap.pcap" -Y 'tcp.flags.reset == 1' 2>/dev/null | wc -l)" -ge 4 ]
	fi
}

# ---- the matrix ----

FAULTS="fin rst stall half"
PLACES="before middle after"

# What a client's fault must give: whole (every byte the sender sent
# arrives, and the server says 2xx), cut (nobody sees a success), or
# either (the fault raced the end of the data: a cut must still be no
# success for anyone).  A sender's fin or half ends its data early: by
# FTP's stream mode the file is then what it sent.  A listing fits in
# the buffers on the way, so a stalled LIST reader holds up nobody.
client_expect() {
	case $1/$2/$3 in
	*/half/*) REPLY=whole ;;
	STOR/fin/*) REPLY=whole ;;
	STOR/*) REPLY=cut ;;
	RETR/stall/after) REPLY=whole ;;
	RETR/*/after) REPLY=either ;;
	RETR/*) REPLY=cut ;;
	LIST/stall/*) REPLY=whole ;;
	LIST/*) REPLY=either ;;
	esac
}

# What a hostile server's fault must give its client (see client_expect).
server_expect() {
	case $1/$2/$3 in
	*/half/*) REPLY=whole ;;
	STOR/stall/after) REPLY=whole ;;
	STOR/*/after) REPLY=either ;;
	STOR/*) REPLY=cut ;;
	*/fin/*) REPLY=whole ;;
	*) REPLY=cut ;;
	esac
}

# stored_is FILE N: FILE holds the first N bytes of the file sent (a new
# <(head) at each poll of a wait_until: one given as its argument is read
# to its end by the first poll).
stored_is() {
	cmp -s "$1" <(head -c "$2" "$BIG_FILE")
}

# fail_cell DIR MESSAGE: the cell's verdict, with its evidence.
fail_cell() {
	{
		echo "FAIL $1: $2"
		sed 's/^/    out: /' "$1/out" 2>/dev/null
		grep -E 'data:|< [0-9]{3} ' "$1/tap.log" | sed 's/^/    tap: /'
	} >"$1/verdict"
}

# client_cell DIR SERVER_PORT ROOT VERB FAULT WHERE: fault-peer as the
# client, through a tap of its own, against the server at SERVER_PORT
# serving ROOT (f, list/, upload/); the verdict in
# DIR/verdict.
client_cell() {
	local dir=$1 port=$2 root=$3 verb=$4 fault=$5 where=$6
	local name=${dir##*/} expect path file opts sent reply sreply end raced
	set +e	# a cell runs to its verdict
	client_expect "$verb" "$fault" "$where"
	expect=$REPLY
	case $verb in
	RETR) path=f file=$dir/got opts=(-m "$MIDDLE" -n "$HUGE") ;;
	LIST) path=list file=$dir/got
		opts=(-m "$((LIST_SIZE / 2))" -n "$LIST_SIZE") ;;
	STOR) path=upload/$name file=$BIG_FILE opts=(-m "$MIDDLE")
		# an old file to keep (the peers' anonymous users may not
		# overwrite, so only ftp-labd's)
		[ "$SERVER" != ftp-labd ] || echo old >"$root/upload/$name" ;;
	esac
	tap_on "$dir" "$port" || { fail_cell "$dir" "no tap"; return; }
	"$FP" client -t 10 "${opts[@]}" "$TAP_PORT" "$verb" "$path" "$fault" \
		"$where" "$file" >"$dir/out" 2>&1
	tap_off
	line_after "$dir/out" 'reply: '
	reply=$REPLY
	server_reply "$dir/tap.log"
	sreply=$REPLY
	tap_end "$dir/tap.log"
	end=$REPLY
	line_after "$dir/out" 'data: '
	sent=${REPLY%% bytes*}
	echo ok >"$dir/verdict"
	# a raced cut: the server may have handed all its bytes to TCP and
	# said 2xx before the fault reached it (so it would, direct)
	raced=0
	[[ $expect == either && $end == cut ]] && expect='cut' raced=1
	case $expect in
	whole)
		[ "$end" = closed ] || fail_cell "$dir" "the tap did not close cleanly: $end"
		[[ $sreply == 2* ]] || fail_cell "$dir" "server said: $sreply"
		[[ $reply == 2* ]] || fail_cell "$dir" "client got: $reply"
		case $verb in
		RETR) cmp -s "$file" "$HUGE_FILE" || fail_cell "$dir" "bytes differ" ;;
		LIST) cmp -s "$file" "$LIST_REF" || fail_cell "$dir" "listing differs" ;;
		STOR) wait_until 50 stored_is "$root/upload/$name" "$sent" ||
			fail_cell "$dir" "stored bytes differ from the $sent sent" ;;
		esac ;;
	cut)
		[ "$end" = cut ] || fail_cell "$dir" "the tap did not cut: $end"
		[[ $reply != 2* ]] || fail_cell "$dir" "client got a success: $reply"
		# pyftpdlib takes a reset for an end of file, and commits
		# the upload with 226, straight from the client too
		[[ $sreply != 2* ]] || [ "$raced" = 1 ] ||
			[ "$SERVER" = pyftpdlib ] || fail_cell "$dir" "server saw a success: $sreply"
		if [ "$verb" = STOR ] && [ "$SERVER" = ftp-labd ]; then
			[ "$(cat "$root/upload/$name")" = old ] ||
				fail_cell "$dir" "the upload was committed"
		fi ;;
	esac
}

# server_cell DIR CLIENT VERB FAULT WHERE: fault-peer as a hostile server
# doing the fault, through a tap, to CLIENT (curl or fault-peer).
server_cell() {
	local dir=$1 client=$2 verb=$3 fault=$4 where=$5 expect src
	local sent status=0 end url middle=$MIDDLE portable=1
	set +e	# a cell runs to its verdict
	server_expect "$verb" "$fault" "$where"
	expect=$REPLY
	case $verb in
	RETR) src=$BIG_FILE ;;
	LIST) src=$LIST_REF ;;
	STOR) src=$dir/stored ;;
	esac
	[ "$verb" != LIST ] || middle=$((LIST_SIZE / 2))
	[ "$client" != curl ] || portable=0
	fake_server "$dir" -m "$middle" \
		-n "$BIG" "$verb" "$fault" "$where" "$src" ||
		{ fail_cell "$dir" "no fake server"; return; }
	# the tap's Linux relay (reads capped by the receiver's room) for
	# curl, its portable path for fault-peer
	PORTABLE=$portable tap_on "$dir" "$FAKE_PORT" || { fail_cell "$dir" "no tap"; return; }
	url=ftp://127.0.0.1:$TAP_PORT
	case $client/$verb in
	curl/RETR) curl -sS --max-time 20 -o "$dir/got" "$url/f" ;;
	curl/LIST) curl -sS --max-time 20 -o "$dir/got" "$url/list/" ;;
	curl/STOR) curl -sS --max-time 20 -T "$BIG_FILE" "$url/upload/x" ;;
	*/STOR) "$FP" client -t 10 "$TAP_PORT" STOR x none before "$BIG_FILE" ;;
	*) "$FP" client -t 10 "$TAP_PORT" "$verb" f none before "$dir/got" ;;
	esac >"$dir/out" 2>&1 || status=$?
	tap_off
	wait_until 100 has_line "$dir/fake.out" 'data: '
	sent=${REPLY%% bytes*}
	tap_end "$dir/tap.log"
	end=$REPLY
	echo ok >"$dir/verdict"
	[[ $expect == either && $end == cut ]] && expect='cut'
	[[ $expect == either ]] && expect='whole'
	case $expect in
	whole)
		[ "$status" = 0 ] || fail_cell "$dir" "$client exited $status"
		if [ "$verb" = STOR ]; then
			cmp -s "$src" "$BIG_FILE" || fail_cell "$dir" "stored bytes differ"
		else
			cmp -s "$dir/got" <(head -c "$sent" "$src") ||
				fail_cell "$dir" "bytes differ from the $sent sent"
		fi ;;
	cut)
		[ "$end" = cut ] || fail_cell "$dir" "the tap did not cut: $end"
		[ "$status" != 0 ] || fail_cell "$dir" "$client exited 0"
		refute grep -q '^reply: 2' "$dir/out" ||
			fail_cell "$dir" "a 2xx reached the client" ;;
	esac
}

# run_cells FUNCTION < specs: each line's words are FUNCTION's arguments,
# the first the cell's folder (all made by one mkdir); at most JOBS cells
# at once; fails listing every failed cell.
run_cells() {
	local fn=$1 jobs=${JOBS:-6} n=0 specs line dirs=() spec bad
	mapfile -t specs
	for line in "${specs[@]}"; do
		dirs+=("${line%% *}")
	done
	mkdir -p "${dirs[@]}"
	for line in "${specs[@]}"; do
		read -r -a spec <<<"$line"
		"$fn" "${spec[@]}" 3>&- &
		if ((++n >= jobs)); then
			wait -n || true
			((n--)) || true
		fi
	done
	wait || true
	bad=$(cat "$T"/cells/*/verdict | grep -c '^FAIL' || true)
	cat "$T"/cells/*/verdict | grep -v '^ok$' || true
	echo "$(ls "$T/cells" | wc -l) cells, $bad failed"
	[ "$bad" = 0 ]
}

# The served folder: f (the huge file), list/ (a few files), upload/; LIST_REF the
# listing of list/ straight from the server.
serve_matrix_root() {
	local root=$1 port=$2 i
	cp "$HUGE_FILE" "$root/f"
	mkdir -p "$root/list"
	for i in $(seq 1 20); do echo "$i" >"$root/list/file-$i.txt"; done
	chmod -R a+rX "$root"
	LIST_REF=$T/list.ref
	"$FP" client -t 20 "$port" LIST list none before "$LIST_REF" >/dev/null
	LIST_SIZE=$(stat -c %s "$LIST_REF")
	[ "$LIST_SIZE" -gt 100 ]
}

# client_matrix SERVER PORT ROOT: every client cell against one server.
client_matrix() {
	local verb fault where
	SERVER=$1
	serve_matrix_root "$3" "$2"
	mkdir -p "$T/cells"
	for verb in RETR STOR LIST; do
		for fault in $FAULTS; do
			for where in $PLACES; do
				echo "$T/cells/$verb-$fault-$where $2 $3 $verb $fault $where"
			done
		done
	done | run_cells client_cell
}

@test "tap fault matrix: client faults against ftp-labd" {
	LABD_ROOT=$T/root
	mkdir -p "$LABD_ROOT/upload"
	labd_start
	client_matrix ftp-labd "$LABD_PORT" "$LABD_ROOT"
}

@test "tap fault matrix: client faults against vsftpd" {
	vsftpd_start
	client_matrix vsftpd "$PEER_PORT" "$PEER_ROOT"
}

@test "tap fault matrix: client faults against proftpd" {
	proftpd_start
	client_matrix proftpd "$PEER_PORT" "$PEER_ROOT"
}

@test "tap fault matrix: client faults against pyftpdlib" {
	pyftpdlib_start
	client_matrix pyftpdlib "$PEER_PORT" "$PEER_ROOT"
}

@test "tap fault matrix: a hostile server's faults, to curl and to a client that waits for the final reply" {
	require curl
	local client verb fault where
	mkdir -p "$T/cells" "$T/listdir"
	for i in $(seq 1 20); do echo "line $i of a listing, as a server sends it"; done >"$T/listing"
	LIST_REF=$T/listing
	LIST_SIZE=$(stat -c %s "$LIST_REF")
	for client in curl fault-peer; do
		for verb in RETR STOR LIST; do
			for fault in $FAULTS; do
				for where in $PLACES; do
					echo "$T/cells/$client-$verb-$fault-$where $client $verb $fault $where"
				done
			done
		done
	done | run_cells server_cell
}
