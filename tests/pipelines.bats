#!/usr/bin/env bats
# docs/pipelines.md: every script, exactly as written there (labs/lib/steps
# --id), once per server.  Each must exit 0, and the bytes must be right:
# the test compares them itself.  One test per server keeps CI time low.
# busybox ftpd is not run: see the end of the doc.  Not in make sanitize:
# ftp-raw and ftp-dataconn run under ASan in raw*.bats and dataconn*.bats;
# here the shell pipelines and the peers take the time.
# bats file_tags=not-sanitized

load lib/common
load lib/peers
bats_require_minimum_version 1.5.0

DOC=$BATS_TEST_DIRNAME/../docs/pipelines.md
SCRIPTS="passive-download passive-upload epsv-download epsv-upload
	active-download active-upload list rest-resume appe abort type-a"

teardown() {
	labd_stop
	peer_stop
	pureftpd_stop	# and its folder in the ftp account's home
}

# fill_server_dir ROOT [NAME]: ROOT/upload gets the files the scripts fetch;
# the scripts' DIR is upload, or NAME/upload when the server shows ROOT to
# the anonymous user as NAME.
fill_server_dir() {
	R=$1/upload
	DIR=${2:+$2/}upload
	mkdir -p "$R"
	chmod 777 "$R"
	head -c 300000 /dev/urandom >"$R/file.bin"
	printf 'line one\nline two\n\nlast line\n' >"$R/text.txt"
	truncate -s 1G "$R/big.bin"
	printf 'first part\n' >"$R/log.txt"
	chmod 644 "$R/file.bin" "$R/text.txt" "$R/big.bin"
	chmod 666 "$R/log.txt"
	W=$BATS_TEST_TMPDIR/work
	mkdir -p "$W"
	head -c 200000 /dev/urandom >"$W/up.bin"
	printf 'second part\n' >"$W/more.txt"
}

# run_script NAME: the block from the doc, in $W, against $PORT.
run_script() {
	local script
	script=$("$REPO_ROOT/labs/lib/steps" --id "$1" "$DOC") || return 1
	(cd "$W" && HOST=127.0.0.1 PORT=$PORT DIR=$DIR \
		timeout 60 bash -c "$script") >"$W/$1.out" 2>&1 ||
		{ echo "$1: exit $?"; cat "$W/$1.out" "$W"/*.log; return 1; }
}

# what each script must have left behind
check_script() {
	case $1 in
	*-download | rest-resume) cmp "$W/file.bin" "$R/file.bin" && rm "$W/file.bin" ;;
	*-upload) cmp "$W/up.bin" "$R/up.bin" && rm "$R/up.bin" ;;
	list) grep -q 'file\.bin$' "$W/listing.txt" && refute grep -q $'\r' "$W/listing.txt" ;;
	appe) [ "$(cat "$R/log.txt")" = $'first part\nsecond part' ] ;;
	abort) cmp "$W/part.bin" <(head -c 100000 "$R/big.bin") ;;
	type-a) cmp "$W/text.txt" "$R/text.txt" ;;
	esac
}

run_all() {
	local name
	for name in $SCRIPTS; do
		# REST resumes from the first 1000 bytes already here
		[ "$name" != rest-resume ] || head -c 1000 "$R/file.bin" >"$W/file.bin"
		run_script "$name" || return 1
		check_script "$name" || { echo "$name: wrong result"; return 1; }
	done
	echo "$(wc -w <<<"$SCRIPTS") scripts done"
}

@test "pipelines: every script of docs/pipelines.md against ftp-labd" {
	LABD_ROOT=$BATS_TEST_TMPDIR/root
	mkdir -p "$LABD_ROOT"
	fill_server_dir "$LABD_ROOT"
	labd_start
	PORT=$LABD_PORT
	run_all
}

@test "pipelines: every script of docs/pipelines.md against vsftpd" {
	vsftpd_start async_abor_enable=YES
	fill_server_dir "$PEER_ROOT"
	PORT=$PEER_PORT
	run_all
}

@test "pipelines: every script of docs/pipelines.md against proftpd" {
	proftpd_start
	fill_server_dir "$PEER_ROOT"
	PORT=$PEER_PORT
	run_all
}

@test "pipelines: every script of docs/pipelines.md against pyftpdlib" {
	pyftpdlib_start
	fill_server_dir "$PEER_ROOT"
	PORT=$PEER_PORT
	run_all
}

@test "pipelines: every script of docs/pipelines.md against pure-ftpd" {
	pureftpd_start
	fill_server_dir "$PEER_ROOT" "$PEER_DIR"
	PORT=$PEER_PORT
	# not abort: whether pure-ftpd hears an ABOR on a stalled transfer is
	# left to the scheduler (docs/pipelines.md, Servers)
	SCRIPTS=${SCRIPTS/appe/}
	SCRIPTS=${SCRIPTS/abort/} run_all
	# pure-ftpd lets anonymous users create files but not change them
	# (docs/pipelines.md, Servers): APPE gets 550, ftp-raw stops there,
	# the script's exit status is not 0 and the file is as it was
	refute run_script appe
	grep -q '^550 Anonymous users may not overwrite existing files' "$W/appe.log"
	grep -q '^ftp-raw: stopping at reply 550 (--fail)$' "$W/appe.out"
	[ "$(cat "$R/log.txt")" = 'first part' ]
}

@test "pipelines: the exit status is not 0 when the file is missing or PASV was forgotten" {
	LABD_ROOT=$BATS_TEST_TMPDIR/root
	mkdir -p "$LABD_ROOT"
	fill_server_dir "$LABD_ROOT"
	labd_start
	PORT=$LABD_PORT
	rm "$R/file.bin" "$R/text.txt"
	refute run_script passive-download
	refute run_script active-download
	refute run_script type-a
	# a doc script with PASV taken out: ftp-pasv-calc says so
	script=$("$REPO_ROOT/labs/lib/steps" --id passive-upload "$DOC" | sed 's/ PASV / /')
	run bash -c "cd '$W' && HOST=127.0.0.1 PORT=$PORT DIR=upload timeout 60 bash -c \"\$0\"" "$script"
	[ "$status" -ne 0 ]
	[[ $output == *"no 227 or 229 reply came: was PASV (or EPSV) sent?"* ]]
}
