#!/usr/bin/env bats
# ftp-raw against real FTP servers from Debian (vsftpd, proftpd, pyftpdlib,
# busybox ftpd), each on 127.0.0.1 and skipped with a message when missing:
# the seed's PuTTY session, identical transcripts run after run, and a
# listing through a passive data connection.

load lib/common
load lib/peers
load lib/coproc
bats_require_minimum_version 1.5.0

teardown() {
	[ -n "${RAW_CHILD:-}" ] && kill "$RAW_CHILD" 2>/dev/null
	[ -n "${BB_PID:-}" ] && kill "$BB_PID" 2>/dev/null
	peer_stop
}

# busybox ftpd runs under busybox tcpsvd; Debian's busybox may lack both.
busybox_ftpd_start() {
	local applets
	require busybox
	applets=$(busybox --list)
	grep -qx ftpd <<<"$applets" && grep -qx tcpsvd <<<"$applets" ||
		skip "this busybox has no ftpd/tcpsvd applets"
	peer_dirs
	PEER_PORT=$(free_port) || skip "no free port"
	busybox tcpsvd -E 127.0.0.1 "$PEER_PORT" busybox ftpd -w "$PEER_ROOT" \
		2>"$BATS_TEST_TMPDIR/busybox.log" &
	BB_PID=$!
	wait_for_port "$PEER_PORT"
}

# The seed's PuTTY window, replayed from a file: HELP, login, MKD.
seed_session() {
	printf 'HELP\nUSER anonymous\nPASS anonymous@example.com\nMKD %s\nQUIT\n' "$1"
}

# A session whose transcript has nothing that changes from run to run.
stable_session() {
	printf '%s\n' 'USER anonymous' 'PASS anonymous@example.com' HELP FEAT \
		PWD 'TYPE I' STAT 'CWD /nowhere' QUIT
}

@test "raw-peers: vsftpd: the seed's session (HELP, login, MKD) from a file" {
	vsftpd_start
	run --separate-stderr ftp-raw -v 127.0.0.1 "$PEER_PORT" < <(seed_session upload/Jowa)
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = $'220 vsftpd test server ready.\r' ]
	# vsftpd wants a login before HELP; with no_anon_password, USER
	# anonymous logs in at once and PASS is answered "Already logged in"
	[ "${lines[1]}" = $'530 Please login with USER and PASS.\r' ]
	[ "${lines[2]}" = $'230 Login successful.\r' ]
	[ "${lines[3]}" = $'230 Already logged in.\r' ]
	grep -q $'^257 "/upload/Jowa" created\r$' <<<"$output"
	[ "${lines[${#lines[@]} - 1]}" = $'221 Goodbye.\r' ]
	[ -d "$PEER_ROOT/upload/Jowa" ]
	grep -qx -- '---> PASS XXXX' <<<"$stderr"
}

@test "raw-peers: vsftpd: the seed's session typed on a terminal" {
	require script
	vsftpd_start
	# script(1) gives ftp-raw a terminal: lines go as typed, as in PuTTY;
	# the input stays open until ftp-raw has ended (at the input's end
	# script hangs up on it; its own output shows only when it exits)
	script -qec "ftp-raw 127.0.0.1 $PEER_PORT; s=\$?; : >'$BATS_TEST_TMPDIR/done'; exit \$s" \
		/dev/null < <(seed_session upload/Jowa
			wait_until 100 test -e "$BATS_TEST_TMPDIR/done") \
		>"$BATS_TEST_TMPDIR/tty"
	grep -q '257 "/upload/Jowa" created' "$BATS_TEST_TMPDIR/tty"
	grep -q '221 Goodbye.' "$BATS_TEST_TMPDIR/tty"
	[ -d "$PEER_ROOT/upload/Jowa" ]
}

@test "raw-peers: proftpd: the seed's session (HELP, login, MKD) from a file" {
	proftpd_start
	run --separate-stderr ftp-raw 127.0.0.1 "$PEER_PORT" < <(seed_session upload/Jowa)
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = $'220 proftpd test server ready.\r' ]
	# proftpd answers HELP before login, in a multi-line 214
	[[ "${lines[1]}" == 214-* ]]
	grep -q $'^331 Anonymous login ok' <<<"$output"
	grep -q $'^230 Anonymous access granted' <<<"$output"
	grep -q $'^257 "/upload/Jowa" - Directory successfully created\r$' <<<"$output"
	grep -q $'^221 Goodbye.\r$' <<<"$output"
	[ -d "$PEER_ROOT/upload/Jowa" ]
}

@test "raw-peers: pyftpdlib: the seed's session (HELP, login, MKD) from a file" {
	pyftpdlib_start
	run --separate-stderr ftp-raw 127.0.0.1 "$PEER_PORT" < <(seed_session Jowa)
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == 220* ]]
	grep -q $'^214 Help command successful.\r$' <<<"$output"
	grep -q $'^230 Login successful.\r$' <<<"$output"
	grep -q $'^257 "/Jowa" directory created.\r$' <<<"$output"
	[ -d "$PEER_ROOT/Jowa" ]
}

# Three runs of the same commands give byte-identical transcripts, and each
# multi-line reply (HELP, FEAT, STAT) is followed by the next command's reply.
# vsftpd's STAT reports how many sessions were alive when this one began; the
# previous run's session may still be exiting, so that number alone is masked.
check_identical_runs() {
	local i
	for i in 1 2 3; do
		stable_session | ftp-raw 127.0.0.1 "$PEER_PORT" >"$BATS_TEST_TMPDIR/raw$i"
		sed 's/client count was [0-9]*/client count was N/' \
			"$BATS_TEST_TMPDIR/raw$i" >"$BATS_TEST_TMPDIR/t$i"
	done
	cmp "$BATS_TEST_TMPDIR/t1" "$BATS_TEST_TMPDIR/t2"
	cmp "$BATS_TEST_TMPDIR/t1" "$BATS_TEST_TMPDIR/t3"
	cat "$BATS_TEST_TMPDIR/t1"
	# the reply codes, in order, one per command: nothing interleaved
	run bash -c "grep -o '^[0-9][0-9][0-9] ' '$BATS_TEST_TMPDIR/t1' | tr -d ' ' | tr '\n' ' '"
	[ "$output" = "$1" ]
}

@test "raw-peers: vsftpd: identical transcripts run after run, in order" {
	vsftpd_start
	check_identical_runs "220 230 230 214 211 257 200 211 550 221 "
}

@test "raw-peers: proftpd: identical transcripts run after run, in order" {
	proftpd_start
	check_identical_runs "220 331 230 214 211 257 200 211 550 221 "
}

@test "raw-peers: pyftpdlib: identical transcripts run after run, in order" {
	pyftpdlib_start
	check_identical_runs "220 331 230 214 211 257 200 211 550 221 "
}

send() {
	printf '%s\n' "$1" >&"$RAW_IN"
}

# Log in, PASV, open the data connection to the port ftp-raw's hint names,
# LIST, QUIT: ftp-raw as a bash coprocess, replies read as they come.
pasv_list() {
	local host port hint
	TRANSCRIPT=$BATS_TEST_TMPDIR/transcript
	: >"$TRANSCRIPT"
	coproc RAW { exec ftp-raw -e 127.0.0.1 "$PEER_PORT" 2>"$BATS_TEST_TMPDIR/raw.err"; }
	# our own copies: bash closes RAW[] as soon as the coprocess exits
	exec {RAW_OUT}<&"${RAW[0]}" {RAW_IN}>&"${RAW[1]}"
	RAW_CHILD=$RAW_PID
	read_reply
	[[ $REPLY_LAST == 220* ]]
	send "USER anonymous"
	read_reply
	if [[ $REPLY_LAST == 331* ]]; then
		send "PASS anonymous@example.com"
		read_reply
	fi
	[[ $REPLY_LAST == 230* ]]
	send "PASV"
	read_reply
	[[ $REPLY_LAST == 227* ]]
	read -r host port < <(ftp-pasv-calc "$REPLY_LAST")
	# ftp-raw --explain computed the same, and said how to connect
	wait_until 50 grep -q '^# next: ' "$BATS_TEST_TMPDIR/raw.err"
	hint=$(grep '^# next: ' "$BATS_TEST_TMPDIR/raw.err")
	[ "$hint" = "# next: ftp-dataconn $host $port" ]
	exec {data}<>"/dev/tcp/$host/$port"
	send "LIST"
	# the data to its end first, then close: proftpd sends 226 only once
	# the client has closed the data connection (a "lingering close")
	timeout 10 cat <&"$data" >"$BATS_TEST_TMPDIR/listing"
	exec {data}<&-
	read_reply		# through 150 to 226
	[[ $REPLY_LAST == 226* ]]
	send "QUIT"
	read_reply
	[[ $REPLY_LAST == 221* ]]
	exec {RAW_IN}>&- {RAW_OUT}<&-
	wait "$RAW_CHILD"	# ftp-raw's exit status: 0 after 221
}

@test "raw-peers: vsftpd: login, PASV, LIST through the data connection, QUIT" {
	vsftpd_start
	echo hello >"$PEER_ROOT/01test.txt"
	pasv_list
	grep -q ' 01test.txt'$'\r''$' "$BATS_TEST_TMPDIR/listing"
	grep -q '^150 ' "$TRANSCRIPT"
}

@test "raw-peers: proftpd: login, PASV, LIST through the data connection, QUIT" {
	proftpd_start
	echo hello >"$PEER_ROOT/01test.txt"
	chmod 644 "$PEER_ROOT/01test.txt"
	pasv_list
	grep -q ' 01test.txt'$'\r''$' "$BATS_TEST_TMPDIR/listing"
	grep -q '^150 ' "$TRANSCRIPT"
}

@test "raw-peers: pyftpdlib: login, PASV, LIST through the data connection, QUIT" {
	pyftpdlib_start
	echo hello >"$PEER_ROOT/01test.txt"
	pasv_list
	grep -q ' 01test.txt'$'\r''$' "$BATS_TEST_TMPDIR/listing"
}

@test "raw-peers: busybox ftpd: login, PASV, LIST through the data connection, QUIT" {
	busybox_ftpd_start
	echo hello >"$PEER_ROOT/01test.txt"
	pasv_list
	grep -q '01test.txt' "$BATS_TEST_TMPDIR/listing"
}

@test "raw-peers: vsftpd: --fail stops at the 530 of a bad login" {
	vsftpd_start
	run --separate-stderr ftp-raw --fail 127.0.0.1 "$PEER_PORT" \
		< <(printf 'USER root\nPASS x\nPWD\nQUIT\n')
	[ "$status" -eq 1 ]
	[[ "${lines[${#lines[@]} - 1]}" == 530* ]]
	[ "$stderr" = "ftp-raw: stopping at reply 530 (--fail)" ]
}

@test "raw-peers: pyftpdlib: EPSV explained with the control host" {
	pyftpdlib_start
	run --separate-stderr ftp-raw -e 127.0.0.1 "$PEER_PORT" \
		< <(printf 'USER anonymous\nPASS x\nEPSV\nQUIT\n')
	[ "$status" -eq 0 ]
	port=$(grep -o '|||[0-9]*|' <<<"$output" | tr -d '|')
	[ -n "$port" ]
	grep -qx "# next: ftp-dataconn 127.0.0.1 $port" <<<"$stderr"
}

# vsftpd with TLS, on a certificate made for the test.
vsftpd_tls_start() {
	require openssl
	[ -x /usr/sbin/vsftpd ] || skip "vsftpd is not installed (.ci/run installs it)"
	openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 \
		-keyout "$BATS_TEST_TMPDIR/key.pem" -out "$BATS_TEST_TMPDIR/cert.pem" \
		2>/dev/null || skip "openssl could not make a certificate"
	vsftpd_start ssl_enable=YES allow_anon_ssl=YES \
		force_anon_logins_ssl=NO force_anon_data_ssl=NO \
		"rsa_cert_file=$BATS_TEST_TMPDIR/cert.pem" \
		"rsa_private_key_file=$BATS_TEST_TMPDIR/key.pem"
}

@test "raw-peers: vsftpd TLS: after 234 to AUTH TLS nothing more is sent; one line names openssl s_client; exit 76" {
	# issue 11, defect 3
	vsftpd_tls_start
	run --separate-stderr ftp-raw -v -w 10 127.0.0.1 "$PEER_PORT" \
		< <(printf 'AUTH TLS\nUSER anonymous\nPASS secret@example.com\nQUIT\n')
	echo "$output"
	echo "$stderr"
	[ "$status" -eq 76 ]
	[[ ${lines[1]} == "234 "* ]]
	[ "${#lines[@]}" -eq 2 ]
	# the trace shows AUTH and nothing after it: no USER, no PASS in clear
	[ "$(grep -c '^---> ' <<<"$stderr")" -eq 1 ]
	grep -q '^---> AUTH TLS$' <<<"$stderr"
	last=$(tail -n 1 <<<"$stderr")
	[[ $last == "ftp-raw: the server now expects a TLS handshake (234)"* ]]
	[[ $last == *"openssl s_client -starttls ftp -connect 127.0.0.1:$PEER_PORT"* ]]
}

@test "raw-peers: vsftpd TLS: the command ftp-raw names does the handshake" {
	vsftpd_tls_start
	run timeout 20 openssl s_client -starttls ftp -connect "127.0.0.1:$PEER_PORT" </dev/null
	[ "$status" -eq 0 ]
	[[ $output == *"BEGIN CERTIFICATE"* ]]
}
