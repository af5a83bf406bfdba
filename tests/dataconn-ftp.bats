#!/usr/bin/env bats
# ftp-dataconn as the data channel of real FTP sessions: ftp-labd, then
# pyftpdlib, vsftpd and proftpd from Debian (skipped with a message when
# missing).
# The control channel is driven by hand over bash's /dev/tcp, as a
# student types it; the data channel is ftp-dataconn, passive and active.

load lib/common
load lib/peers
load lib/dataconn

setup_file() {
	local d=$BATS_FILE_TMPDIR
	dc_make_files "$d"
	printf 'first line\nsecond line\n\nlast line\n' >"$d/text.txt"
}

setup() {
	D=$BATS_FILE_TMPDIR
	T=$BATS_TEST_TMPDIR
}

teardown() {
	exec 7>&- 2>/dev/null
	dc_cleanup
	labd_stop
	peer_stop
}

# server_start labd|pyftpdlib|vsftpd|proftpd [-6]: starts it, fills its root with
# the test files (but 100m.bin, which only big_both_ways copies: 100 MiB
# for each test was most of the file's work), logs in.  Sets SRV_ROOT,
# and UP: the folder uploads go to.
server_start() {
	local host=127.0.0.1
	case $1 in
	labd)
		if [ "${2:-}" = -6 ]; then
			labd_start -l ::1
			host=::1
		else
			labd_start
		fi
		SRV_PORT=$LABD_PORT SRV_ROOT=$LABD_ROOT UP= ;;
	pyftpdlib)
		pyftpdlib_start
		SRV_PORT=$PEER_PORT SRV_ROOT=$PEER_ROOT UP=upload/ ;;
	vsftpd)
		vsftpd_start
		SRV_PORT=$PEER_PORT SRV_ROOT=$PEER_ROOT UP=upload/ ;;
	proftpd)
		proftpd_start
		SRV_PORT=$PEER_PORT SRV_ROOT=$PEER_ROOT UP=upload/ ;;
	esac
	cp "$D/0.bin" "$D/1.bin" "$D/1m.bin" "$D/text.txt" "$SRV_ROOT/"
	chmod 644 "$SRV_ROOT"/*.bin "$SRV_ROOT/text.txt"
	ctl_open "$SRV_PORT" "$host"
	ctl_login
}

# A 1xx reply, then 226: the transfer is over.
transfer_replies() {
	ctl_reply && [[ $CTL_CODE == 1?? ]] || {
		echo "expected 150 or 125, got: $CTL_REPLY" >&2
		return 1
	}
	ctl_reply && ctl_expect 226
}

# retr NAME OUT [ftp-dataconn options]: passive download.
retr() {
	local name=$1 out=$2
	shift 2
	ctl_pasv
	ctl_send "RETR $name"
	ftp-dataconn "$@" "$DATA_HOST" "$DATA_PORT" </dev/null >"$out"
	transfer_replies
}

# stor NAME [ftp-dataconn options] < data: passive upload.
stor() {
	local name=$1
	shift
	ctl_pasv
	ctl_send "STOR $UP$name"
	ftp-dataconn "$@" "$DATA_HOST" "$DATA_PORT"
	transfer_replies
}

# retr_active NAME OUT [ftp-dataconn -l options]: active download.
retr_active() {
	local name=$1 out=$2
	shift 2
	dc_listen -r "$@" </dev/null >"$out"
	ctl_cmd "$DC_LINE"
	ctl_expect 200
	ctl_cmd "RETR $name"
	[[ $CTL_CODE == 1?? ]]
	dc_wait "$DC_PID"
	[ "$DC_STATUS" -eq 0 ]
	ctl_reply
	ctl_expect 226
}

# The scenarios, run against each server below.

sizes_retr() {
	local f
	for f in 0.bin 1.bin 1m.bin; do
		retr "$f" "$T/$f"
		cmp "$D/$f" "$T/$f"
	done
}

sizes_stor() {
	local f
	for f in 0.bin 1.bin 1m.bin; do
		stor "up-$f" <"$D/$f"
		cmp "$D/$f" "$SRV_ROOT/${UP}up-$f"
	done
	# stdin from a pipe
	cat "$D/1m.bin" | stor up-pipe.bin
	cmp "$D/1m.bin" "$SRV_ROOT/${UP}up-pipe.bin"
}

big_both_ways() {
	cp "$D/100m.bin" "$SRV_ROOT/"
	chmod 644 "$SRV_ROOT/100m.bin"
	retr 100m.bin "$T/100m.bin"
	stor up-100m.bin <"$D/100m.bin"
	same_bytes "$D/100m.bin" "$T/100m.bin" "$SRV_ROOT/${UP}up-100m.bin"
}

list_names_files() {
	retr_list() {
		ctl_pasv
		ctl_send LIST
		ftp-dataconn "$DATA_HOST" "$DATA_PORT" </dev/null >"$T/list"
		transfer_replies
	}
	retr_list
	grep -q '1m\.bin' "$T/list"
	grep -q 'text\.txt' "$T/list"
}

# RETR with stdin open and silent for ever (a terminal left alone): the
# end of the file still ends ftp-dataconn; stdout to a pipe and /dev/null.
retr_stdin_never_ends() {
	mkfifo "$T/fifo"
	sleep 60 >"$T/fifo" &
	dc_remember $!
	ctl_pasv
	ctl_send "RETR 1m.bin"
	# timeout: a failure here is a hang, bounded (status 124)
	timeout 20 ftp-dataconn "$DATA_HOST" "$DATA_PORT" <"$T/fifo" \
		> >(sha256sum >"$T/sum")
	transfer_replies
	wait_until 50 test -s "$T/sum"
	[ "$(cat "$T/sum")" = "$(sha256sum <"$D/1m.bin")" ]
	retr 1m.bin /dev/null
}

active_port_and_eprt() {
	retr_active 1m.bin "$T/port.bin"
	[[ $DC_LINE == "PORT 127,0,0,1,"* ]]
	cmp "$D/1m.bin" "$T/port.bin"
	retr_active 1m.bin "$T/eprt.bin" --eprt
	[[ $DC_LINE == "EPRT |1|127.0.0.1|"* ]]
	cmp "$D/1m.bin" "$T/eprt.bin"
}

# TYPE A: the server sends CRLF; --ascii turns it back into the file.
type_a() {
	ctl_cmd TYPE A
	ctl_expect 200
	retr text.txt "$T/wire"
	printf 'first line\r\nsecond line\r\n\r\nlast line\r\n' | cmp - "$T/wire"
	retr text.txt "$T/text" --ascii
	cmp "$D/text.txt" "$T/text"
	stor up-text.txt --ascii <"$D/text.txt"
	cmp "$D/text.txt" "$SRV_ROOT/${UP}up-text.txt"
}

# The seed's two windows: ftp-raw on the control connection (its input
# typed through a fifo, one line at a time), ftp-dataconn on the data
# connection; an upload, then the same file back.
two_windows() {
	mkfifo "$T/typed"
	ftp-raw 127.0.0.1 "$SRV_PORT" <"$T/typed" >"$T/window1" 2>&1 &
	local raw=$! host port
	dc_remember "$raw"
	exec 8>"$T/typed"
	type_line() { printf '%s\n' "$1" >&8; }
	# seen N CODE: the Nth reply with CODE has arrived in window 1
	seen() { wait_until 100 eval "[ \$(grep -c '^$2 ' \"\$T/window1\") -ge $1 ]"; }
	type_line 'USER anonymous'
	type_line 'PASS student@example.com'
	seen 1 230
	type_line 'TYPE I'
	type_line PASV
	seen 1 227
	read -r host port < <(ftp-pasv-calc "$(grep '^227 ' "$T/window1")")
	type_line "STOR ${UP}seed.bin"
	ftp-dataconn "$host" "$port" <"$D/1m.bin"
	seen 1 226
	type_line PASV
	seen 2 227
	read -r host port < <(ftp-pasv-calc "$(grep '^227 ' "$T/window1" | tail -n 1)")
	type_line "RETR ${UP}seed.bin"
	ftp-dataconn "$host" "$port" </dev/null >"$T/back.bin"
	seen 2 226
	type_line QUIT
	exec 8>&-
	dc_wait "$raw"
	[ "$DC_STATUS" -eq 0 ]
	cmp "$D/1m.bin" "$SRV_ROOT/${UP}seed.bin"
	cmp "$D/1m.bin" "$T/back.bin"
}

# ---- ftp-labd ----

@test "dataconn-ftp labd: the seed's two windows, ftp-raw and ftp-dataconn" {
	server_start labd
	ctl_close
	two_windows
}

@test "dataconn-ftp labd: passive RETR of 0 B, 1 B, 1 MiB" {
	server_start labd
	sizes_retr
}

@test "dataconn-ftp labd: passive STOR of 0 B, 1 B, 1 MiB, and from a pipe" {
	server_start labd
	sizes_stor
}

@test "dataconn-ftp labd: 100 MiB down and up, checksums equal" {
	server_start labd
	big_both_ways
}

@test "dataconn-ftp labd: LIST" {
	server_start labd
	list_names_files
}

@test "dataconn-ftp labd: RETR ends with stdin open for ever; stdout to a pipe, /dev/null" {
	server_start labd
	retr_stdin_never_ends
}

@test "dataconn-ftp labd: active mode via PORT and EPRT" {
	server_start labd
	active_port_and_eprt
}

@test "dataconn-ftp labd: TYPE A with --ascii" {
	server_start labd
	type_a
}

@test "dataconn-ftp labd: IPv6 on ::1: EPSV and EPRT |2|" {
	ftp-dataconn -6 -l -w 1 2>/dev/null </dev/null || [ $? -eq 75 ] ||
		skip "no IPv6 loopback here"
	server_start labd -6
	ctl_cmd EPSV
	ctl_expect 229
	ctl_send "RETR 1m.bin"
	read -r host port < <(ftp-pasv-calc -H ::1 "$CTL_REPLY")
	ftp-dataconn "$host" "$port" </dev/null >"$T/epsv.bin"
	transfer_replies
	cmp "$D/1m.bin" "$T/epsv.bin"
	retr_active 1m.bin "$T/eprt.bin" -6
	[[ $DC_LINE == "EPRT |2|::1|"* ]]
	cmp "$D/1m.bin" "$T/eprt.bin"
}

@test "dataconn-ftp labd: --from refuses the server's connection from another address" {
	server_start labd
	# the server connects from 127.0.0.1; we expect only 127.0.0.2
	dc_listen -r -w 3 --from 127.0.0.2 </dev/null >"$T/got"
	ctl_cmd "$DC_LINE"
	ctl_expect 200
	ctl_send "RETR 1m.bin"
	dc_wait "$DC_PID"
	[ "$DC_STATUS" -eq 75 ]
	grep -q '^ftp-dataconn: refused a connection from 127.0.0.1 port [0-9]*: only 127.0.0.2 may connect (--from)$' "$DC_ERR"
	[ ! -s "$T/got" ]
}

@test "dataconn-ftp labd: --source 127.0.0.2 steals at the PASV port: refused, the client still gets the file" {
	server_start labd
	ctl_pasv
	ctl_send "RETR 1m.bin"
	# the thief: another address of this machine, first at the port
	run --separate-stderr ftp-dataconn -v --source 127.0.0.2 \
		"$DATA_HOST" "$DATA_PORT" </dev/null
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[[ $stderr == *"local 127.0.0.2 port "* ]]
	[[ $stderr == *"received 0 bytes"* ]]
	ftp-dataconn "$DATA_HOST" "$DATA_PORT" </dev/null >"$T/got"
	transfer_replies
	cmp "$D/1m.bin" "$T/got"
	grep -q "data: refused 127.0.0.2:[0-9]*: not the client's address 127.0.0.1 (connection theft)" "$LABD_LOG"
}

# ---- pyftpdlib ----

@test "dataconn-ftp pyftpdlib: passive RETR of 0 B, 1 B, 1 MiB" {
	server_start pyftpdlib
	sizes_retr
}

@test "dataconn-ftp pyftpdlib: passive STOR of 0 B, 1 B, 1 MiB, and from a pipe" {
	server_start pyftpdlib
	sizes_stor
}

@test "dataconn-ftp pyftpdlib: LIST" {
	server_start pyftpdlib
	list_names_files
}

@test "dataconn-ftp pyftpdlib: RETR ends with stdin open for ever" {
	server_start pyftpdlib
	retr_stdin_never_ends
}

@test "dataconn-ftp pyftpdlib: active mode via PORT and EPRT" {
	server_start pyftpdlib
	active_port_and_eprt
}

@test "dataconn-ftp pyftpdlib: TYPE A with --ascii" {
	server_start pyftpdlib
	type_a
}

# ---- vsftpd ----

@test "dataconn-ftp vsftpd: the seed's two windows, ftp-raw and ftp-dataconn" {
	server_start vsftpd
	ctl_close
	two_windows
}

@test "dataconn-ftp vsftpd: passive RETR of 0 B, 1 B, 1 MiB" {
	server_start vsftpd
	sizes_retr
}

@test "dataconn-ftp vsftpd: passive STOR of 0 B, 1 B, 1 MiB, and from a pipe" {
	server_start vsftpd
	sizes_stor
}

@test "dataconn-ftp vsftpd: 100 MiB down and up, checksums equal" {
	server_start vsftpd
	big_both_ways
}

@test "dataconn-ftp vsftpd: LIST" {
	server_start vsftpd
	list_names_files
}

@test "dataconn-ftp vsftpd: RETR ends with stdin open for ever" {
	server_start vsftpd
	retr_stdin_never_ends
}

@test "dataconn-ftp vsftpd: active mode via PORT and EPRT" {
	server_start vsftpd
	active_port_and_eprt
}

@test "dataconn-ftp vsftpd: --source 127.0.0.2 at the PASV port: 425 Security: Bad IP" {
	server_start vsftpd
	ctl_pasv
	ctl_send "RETR 1m.bin"
	run --separate-stderr ftp-dataconn -v --source 127.0.0.2 \
		"$DATA_HOST" "$DATA_PORT" </dev/null
	echo "$stderr"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	# vsftpd (pasv_promiscuous=NO) ends the transfer instead of waiting on
	ctl_reply
	ctl_expect 425
	[[ $CTL_REPLY == *"Bad IP"* ]]
}

# ---- proftpd ----
# proftpd sends 226 only after the client closed the data connection (a
# lingering close): ftp-dataconn closes as soon as the server's FIN came.

@test "dataconn-ftp proftpd: the seed's two windows, ftp-raw and ftp-dataconn" {
	server_start proftpd
	ctl_close
	two_windows
}

@test "dataconn-ftp proftpd: passive RETR of 0 B, 1 B, 1 MiB" {
	server_start proftpd
	sizes_retr
}

@test "dataconn-ftp proftpd: passive STOR of 0 B, 1 B, 1 MiB, and from a pipe" {
	server_start proftpd
	sizes_stor
}

@test "dataconn-ftp proftpd: LIST" {
	server_start proftpd
	list_names_files
}

@test "dataconn-ftp proftpd: RETR ends with stdin open for ever" {
	server_start proftpd
	retr_stdin_never_ends
}

@test "dataconn-ftp proftpd: active mode via PORT and EPRT" {
	server_start proftpd
	active_port_and_eprt
}

@test "dataconn-ftp proftpd: TYPE A with --ascii" {
	server_start proftpd
	type_a
}
