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
	[ "$output" = "ftp-labd: --log-dir $T/logs: class.log is a symbolic link; logs are not written through links" ]
	[ "$(cat "$T/victim")" = 'not a log' ]
	# a hard link is another name for someone's file: refused too
	rm "$T/logs/class.log"
	ln "$T/victim" "$T/logs/class.log"
	run timeout 10 ftp-labd -p 0 -r "$T/root" --log-dir "$T/logs"
	[ "$status" -eq 73 ]
	[ "$output" = "ftp-labd: --log-dir $T/logs: class.log has other names (a hard link); logs are written to a file of their own only" ]
	[ "$(cat "$T/victim")" = 'not a log' ]
	# a folder anyone can write (sticky or not): refused, nothing made
	mkdir -m 1777 "$T/shared"
	run timeout 10 ftp-labd -p 0 -r "$T/root" --log-dir "$T/shared"
	[ "$status" -eq 73 ]
	[ "$output" = "ftp-labd: --log-dir $T/shared: others can write this folder (mode 1777), so they could plant a link or a file where a log goes; use a folder only its owner can write (chmod go-w $T/shared)" ]
	[ -z "$(ls -A "$T/shared")" ]
	chmod 775 "$T/shared"
	run timeout 10 ftp-labd -p 0 -r "$T/root" --log-dir "$T/shared"
	[ "$status" -eq 73 ]
	[[ $output == *"others can write this folder (mode 0775)"* ]]
}
