#!/usr/bin/env bats
# ftp-labd and what it must keep to itself: the files that can hold a
# password or a student's traffic (logs, captures) are readable by their
# owner only; --log-dir writes through no link and into no folder others
# can write; started as root, it checks the serving user can reach the
# folders it serves before it says "serving".

load lib/common

setup() {
	T=$BATS_TEST_TMPDIR
	mkdir -p "$T/root"
}

teardown() {
	labd_stop
}

mode() { stat -c %a "$1"; }

@test "labd secrets: logs, per-user logs, --log and --pcap are created 0600" {
	require curl
	printf 'ann:secret-pw\n' >"$T/users"
	# one log from before, readable by all: made private too
	mkdir -m 755 "$T/logs"
	echo 'old line' >"$T/logs/ann.log"
	chmod 644 "$T/logs/ann.log"
	LABD_ROOT=$T/root labd_start --users "$T/users" --log-dir "$T/logs" \
		--show-passwords --pcap "$T/cap.pcap"
	curl -sS "ftp://ann:secret-pw@$LABD_HOST:$LABD_PORT/" >/dev/null
	wait_until 100 grep -qs 'PASS secret-pw' "$T/logs/class.log"
	labd_stop
	grep -q 'login: user ann' "$T/logs/ann.log"
	[ "$(mode "$T/logs/class.log")" = 600 ]
	[ "$(mode "$T/logs/ann.log")" = 600 ]
	[ "$(mode "$T/logs/anonymous.log")" = 600 ]
	[ "$(head -n 1 "$T/logs/ann.log")" = 'old line' ]
	[ "$(mode "$T/cap.pcap")" = 600 ]
	grep -q 'secret-pw' "$T/cap.pcap"
	# --log FILE the same
	LABD_ROOT=$T/root labd_start --log "$T/narration.log"
	labd_stop
	[ "$(mode "$T/narration.log")" = 600 ]
	# a device named as the log is left as it is
	local before
	before=$(mode /dev/null)
	LABD_ROOT=$T/root labd_start --log /dev/null
	labd_stop
	[ "$(mode /dev/null)" = "$before" ]
}

@test "labd secrets: --log-dir follows no link and refuses a folder others can write" {
	mkdir -m 755 "$T/logs"
	echo 'not a log' >"$T/victim"
	ln -s "$T/victim" "$T/logs/class.log"
	# each server here must refuse to start: one that serves is stopped
	# by timeout (and the test fails)
	run timeout 10 ftp-labd -p 0 -r "$T/root" --log-dir "$T/logs"
	[ "$status" -eq 73 ]
	[ "$output" = "ftp-labd: --log-dir $T/logs: class.log is a symbolic link; logs and captures are not written through links" ]
	[ "$(cat "$T/victim")" = 'not a log' ]
	# a hard link is another name for someone's file: refused too
	rm "$T/logs/class.log"
	ln "$T/victim" "$T/logs/class.log"
	run timeout 10 ftp-labd -p 0 -r "$T/root" --log-dir "$T/logs"
	[ "$status" -eq 73 ]
	[ "$output" = "ftp-labd: --log-dir $T/logs: class.log has other names (a hard link); logs and captures are written to a file of their own only" ]
	[ "$(cat "$T/victim")" = 'not a log' ]
	# a folder anyone can write (sticky or not): refused, nothing made
	mkdir -m 1777 "$T/shared"
	run timeout 10 ftp-labd -p 0 -r "$T/root" --log-dir "$T/shared"
	[ "$status" -eq 73 ]
	[ "$output" = "ftp-labd: --log-dir $T/shared: others can write the folder $T/shared (mode 1777), so they could plant a link or a file where a log or a capture goes; use a folder only its owner can write (chmod go-w $T/shared)" ]
	[ -z "$(ls -A "$T/shared")" ]
	chmod 775 "$T/shared"
	run timeout 10 ftp-labd -p 0 -r "$T/root" --log-dir "$T/shared"
	[ "$status" -eq 73 ]
	[[ $output == *"others can write the folder $T/shared (mode 0775)"* ]]
}

# --log FILE and --pcap FILE: the guard of --log-dir (common/privfile).
# Each server here must refuse to start (one that serves is stopped by
# timeout, and the test fails); what was there is left as it was.
refused() {
	local as_root=()
	[ "$EUID" -ne 0 ] || as_root=(--stay-root)
	run timeout 10 ftp-labd -p 0 -r "$T/root" "${as_root[@]}" "$@"
	[ "$status" -eq 73 ]
}

@test "labd secrets: --log and --pcap follow no link and refuse a file of someone else's or a folder others can write (a sticky one, as /tmp, will do)" {
	mkdir -m 755 "$T/own"
	echo 'not a log' >"$T/victim"
	chmod 644 "$T/victim"
	ln -s "$T/victim" "$T/own/cap.pcap"
	refused --pcap "$T/own/cap.pcap"
	[ "$output" = "ftp-labd: --pcap $T/own/cap.pcap: cap.pcap is a symbolic link; logs and captures are not written through links" ]
	ln -s "$T/victim" "$T/own/lab.log"
	refused --log "$T/own/lab.log"
	[[ $output == *"lab.log is a symbolic link"* ]]
	ln "$T/victim" "$T/own/hard.pcap"
	refused --pcap "$T/own/hard.pcap"
	[[ $output == *"hard.pcap has other names (a hard link)"* ]]
	[ "$(cat "$T/victim")" = 'not a log' ]
	[ "$(mode "$T/victim")" = 644 ]
	# a shared folder: nothing made there
	mkdir -m 777 "$T/shared"
	refused --pcap "$T/shared/lab.pcap"
	[ "$output" = "ftp-labd: --pcap $T/shared/lab.pcap: others can write the folder $T/shared (mode 0777), so they could plant a link or a file where a log or a capture goes; use a folder only its owner can write (chmod go-w $T/shared)" ]
	refused --log "$T/shared/lab.log"
	[ -z "$(ls -A "$T/shared")" ]
	# a sticky one, as /tmp: others cannot remove or rename a file
	# there, and one planted first is refused (below): a capture and a
	# log of one's own are made, mode 0600
	mkdir -m 1777 "$T/sticky"
	labd_start --pcap "$T/sticky/lab.pcap" --log "$T/sticky/lab.log"
	labd_stop
	[ "$(mode "$T/sticky/lab.pcap")" = 600 ]
	[ "$(mode "$T/sticky/lab.log")" = 600 ]
	# a file someone else planted, empty, for the passwords to come
	[ "$(id -u)" -eq 0 ] || skip "not root: a file of another user's needs root to make"
	for f in planted.pcap planted.log; do
		echo planted >"$T/own/$f"
		chown nobody "$T/own/$f"
	done
	refused --pcap "$T/own/planted.pcap"
	[ "$output" = "ftp-labd: --pcap $T/own/planted.pcap: planted.pcap belongs to uid $(id -u nobody), who could read it or change it; remove it or choose another name" ]
	refused --log "$T/own/planted.log"
	[[ $output == *"planted.log belongs to uid $(id -u nobody)"* ]]
	[ "$(cat "$T/own/planted.pcap")" = planted ]
	[ "$(stat -c %U:%a "$T/own/planted.pcap")" = nobody:644 ]
}

# A --pcap that cannot be written (here: no file may grow, as
# /proc/version could not be written) fails with 73 and leaves the
# file's mode as it was.
@test "labd secrets: a --pcap that cannot be written leaves the file's mode" {
	echo 'old' >"$T/old.pcap"
	chmod 644 "$T/old.pcap"
	run timeout 10 bash -c 'ulimit -f 0; trap "" XFSZ; exec "$@"' _ \
		ftp-labd -p 0 -r "$T/root" --pcap "$T/old.pcap"
	[ "$status" -eq 73 ]
	[[ $output == "ftp-labd: --pcap $T/old.pcap: File too large" ]]
	[ "$(mode "$T/old.pcap")" = 644 ]
}

# Bytes a terminal acts on (ESC, BEL, DEL) or a log should not hold (any
# byte outside printable ASCII): none may be in a narration file, but the
# newline that ends each line.
no_control_bytes() {
	refute env LC_ALL=C grep -q $'[\x01-\x09\x0b-\x1f\x7f-\xff]' "$1"
}

# A client that types escape sequences where a name or a path goes: in
# USER (before any login), a path that meets a link (confine:), an
# upload over the quota (the 552 and the file: line).
hostile_client() {
	# (ftpchat reads its script as UTF-8 and sends Latin-1: the two
	# bytes of e acute go out as the one byte 0xe9)
	local e=$'\e' bel=$'\a' del=$'\x7f' hi=$'\xc3\xa9'
	chat <<-S
		USER ${e}[1A${e}[2Kfake${bel}
		PASS wrong
		USER ann
		PASS pw
		CWD x${e}[2Ky
		!pasv
		!put $T/big STOR ${e}]0;title${bel}${del}${hi}.bin
	S
}

@test "labd narration: no byte a client sent reaches a log, a user log or the ladder unescaped" {
	[ -x /usr/bin/python3 ] || skip "/usr/bin/python3 drives the control channel"
	load lib/chat
	printf 'ann:pw:ann:rwdm:10K\n' >"$T/users"
	mkdir -p "$T/root/ann"
	ln -s /etc "$T/root/ann/x"$'\e'"[2Ky"
	head -c 20000 /dev/zero >"$T/big"
	LABD_ROOT=$T/root labd_start --users "$T/users" --log-dir "$T/logs" \
		--fail-delay 0
	run hostile_client
	[ "$status" -eq 0 ]
	[[ $output == *"552 Exceeded storage allocation"* ]]
	labd_stop
	grep -q 'login: wrong password for \\x1b\[1A\\x1b\[2Kfake\\x07 (1 of 3)$' "$T/logs/class.log"
	grep -q 'confine: /x\\x1b\[2Ky refused (a symbolic link)$' "$T/logs/ann.log" ||
		grep -q 'confine: /x\\x1b\[2Ky refused (it resolves outside the root)$' "$T/logs/ann.log"
	grep -q 'file: upload of /\\x1b\]0;title\\x07\\x7f\\xe9.bin not completed$' "$T/logs/ann.log"
	grep -q '< 552 Exceeded storage allocation (the quota of ann' "$T/logs/ann.log"
	no_control_bytes "$T/logs/class.log"
	no_control_bytes "$T/logs/ann.log"
	# the same client drawn as a ladder, and in the wire view
	LABD_ROOT=$T/root labd_start --users "$T/users" --fail-delay 0 --ladder
	run hostile_client
	labd_stop
	grep -q 'wrong password for \\x1b\[1A' "$LABD_LOG"
	no_control_bytes "$LABD_LOG"
	LABD_ROOT=$T/root labd_start --users "$T/users" --fail-delay 0 --wire
	run hostile_client
	labd_stop
	grep -q 'confine: /x\\x1b\[2Ky refused' "$LABD_LOG"
	no_control_bytes "$LABD_LOG"
}

@test "labd privileges: a folder the serving user cannot read or write is refused at start, with the fixes" {
	[ "$(id -u)" -eq 0 ] || skip "not root: dropping root needs root (CI runs as root)"
	id nobody >/dev/null 2>&1 || skip "this system has no user nobody"
	# as mktemp -d makes it: only root may enter
	mkdir -m 700 "$T/private"
	echo hello >"$T/private/hello.txt"
	run timeout 10 ftp-labd -p 0 -r "$T/private"
	[ "$status" -eq 77 ]
	[ "$output" = "ftp-labd: $T/private (the served folder, anonymous's /) cannot be read by nobody, who serves it: chmod a+rx $T/private, or --user a user who can read it, or --stay-root" ]
	# readable, but anonymous may upload (rwdm) and nobody cannot write
	chmod 755 "$T/private"
	run timeout 10 ftp-labd -p 0 -r "$T/private"
	[ "$status" -eq 77 ]
	[ "$output" = "ftp-labd: $T/private (the served folder, anonymous's /) cannot be written by nobody, who serves it, though uploads are allowed there: chown nobody $T/private, or --user a user who can write it, or --stay-root, or --read-only" ]
	# either fix: it starts and serves
	LABD_ROOT=$T/private labd_start --user nobody --read-only
	curl -sS -o "$T/got" "ftp://anonymous:a@$LABD_HOST:$LABD_PORT/hello.txt"
	[ "$(cat "$T/got")" = hello ]
	labd_stop
	chown nobody "$T/private"
	LABD_ROOT=$T/private labd_start --user nobody
	labd_stop
	# a class whose folder only root may enter: the folder that stops
	# nobody is named, not the home behind it
	mkdir -m 700 "$T/class"
	run timeout 10 ftp-labd -q -p 0 -r "$T/class" --class 2 \
		--class-file "$T/accounts.txt" --no-anonymous
	[ "$status" -eq 77 ]
	[ "$output" = "ftp-labd: $T/class (on the way to student01's home) cannot be read by nobody, who serves it: chmod a+rx $T/class, or --user a user who can read it, or --stay-root" ]
	chmod 755 "$T/class"
	LABD_ROOT=$T/class labd_start --class 2 --class-file "$T/accounts.txt" --user nobody
	grep -q 'privileges: started as root; now serving as nobody' "$LABD_LOG"
}

# A password however the PASS line was typed: a Telnet command inside
# the verb (the server logs in), a tab after it or a blank before it
# (500, but a password all the same).  Not in the class log, the
# student's log, the web view's narration and events, nor its capture.
@test "labd secrets: a PASS line typed with a Telnet command, a tab or a leading blank shows its password nowhere" {
	[ -x /usr/bin/python3 ] || skip "/usr/bin/python3 drives the control channel"
	load lib/chat
	labd_start --class 2 --class-file "$T/accounts.txt" --log-dir "$T/logs" \
		--fail-delay 0 --web 127.0.0.1:0
	wait_until 100 grep -qs '^web view: ' "$LABD_OUT"
	local web pw
	web=$(sed -n 's/^web view: //p' "$LABD_OUT")
	pw=$(awk -F: '$1 == "student01" { print $2 }' "$T/accounts.txt")
	[ -n "$pw" ]
	run chat <<-S
		USER student01
		!raw b'PA\xff\xf1SS $pw\r\n'
		!read
		!raw b'PASS\t$pw\r\n'
		!read
		!raw b' PASS $pw\r\n'
		!read
		QUIT
	S
	[[ $output == *"230 User student01 logged in"* ]]
	[[ $output == *"500 "*"500 "* ]]
	wait_until 100 grep -qs '\[1 student01\] closed' "$T/logs/class.log"
	grep -q '> PASS XXXX' "$T/logs/class.log"	# the Telnet NOP removed
	grep -q '> PASS\\x09XXXX' "$T/logs/class.log"
	grep -q '>  PASS XXXX' "$T/logs/class.log"
	curl -s -o "$T/narration.txt" "${web}narration.txt?id=1"
	grep -q 'PASS\\x09XXXX' "$T/narration.txt"
	timeout 5 curl -s -o "$T/events" "${web}events/session?id=1" || true
	grep -q 'PASS' "$T/events"
	curl -s -o "$T/s1.pcap" "${web}capture.pcap?id=1"
	grep -aq 'USER student01' "$T/s1.pcap"
	local f
	for f in "$T/logs/class.log" "$T/logs/student01.log" \
	    "$T/narration.txt" "$T/events" "$T/s1.pcap"; do
		refute grep -aqF -- "$pw" "$f"
	done
}
