# peers.bash - real FTP servers from Debian, for interop tests: `load lib/peers`.
#
# Each *_start serves a fresh folder on 127.0.0.1 (anonymous login, uploads
# allowed), on a port taken from a free-port probe, and sets PEER_PID,
# PEER_PORT and PEER_ROOT; the test is skipped with a message when the peer
# is not installed.  Each *_stop kills the server by its PID.
# shellcheck disable=SC2034 # the variables set here are for the tests

# A TCP port nobody listens on now (bounded number of tries), below the
# kernel's ephemeral range (32768 and up on Linux) so an outgoing connection
# cannot take it, and leaving the 200 ports above it for passive mode.
free_port() {
	local port i
	for ((i = 0; i < 50; i++)); do
		port=$((10000 + RANDOM % 22000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			echo "$port"
			return 0
		fi
	done
	return 1
}

# Wait (at most 5 s, times RAWFTP_WAIT_SCALE) until something accepts on
# 127.0.0.1:$1; gives up at once when process $2 (if given) has ended.
wait_for_port() {
	local i
	for ((i = 0; i < 50 * ${RAWFTP_WAIT_SCALE:-3}; i++)); do
		(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
		[ -z "${2:-}" ] || kill -0 "$2" 2>/dev/null || return 1
		nap 0.1
	done
	return 1
}

# peer_wait LOG: the server just started in the background ($!) is
# remembered for peer_stop and answers on $PEER_PORT; else LOG is shown.
peer_wait() {
	PEER_PID=$!
	export PEER_PID PEER_PORT PEER_ROOT
	wait_for_port "$PEER_PORT" "$PEER_PID" && return 0
	cat "$1" >&2
	return 1
}

# peer_dirs [ROOT]: the served folder, $BATS_TEST_TMPDIR/peer-root unless
# named, with a folder upload in it that everyone may write.
peer_dirs() {
	PEER_ROOT=${1:-$BATS_TEST_TMPDIR/peer-root}
	mkdir -p "$PEER_ROOT/upload"
	chmod 755 "$PEER_ROOT"
	chmod 777 "$PEER_ROOT/upload"
}

# vsftpd_start [extra vsftpd.conf lines...]
# Anonymous users read $PEER_ROOT and may write in $PEER_ROOT/upload.
vsftpd_start() {
	local conf
	[ -x /usr/sbin/vsftpd ] ||
		skip "vsftpd is not installed (.ci/run installs it)"
	[ "$EUID" -eq 0 ] || skip "vsftpd needs root to start"
	peer_dirs
	PEER_PORT=$(free_port) || skip "no free port"
	mkdir -p /var/run/vsftpd/empty
	conf=$BATS_TEST_TMPDIR/vsftpd.conf
	cat >"$conf" <<-CONF
		listen=YES
		listen_ipv6=NO
		listen_address=127.0.0.1
		listen_port=$PEER_PORT
		background=NO
		anonymous_enable=YES
		local_enable=NO
		no_anon_password=YES
		anon_root=$PEER_ROOT
		write_enable=YES
		anon_upload_enable=YES
		anon_mkdir_write_enable=YES
		anon_other_write_enable=YES
		anon_umask=022
		allow_writeable_chroot=YES
		seccomp_sandbox=NO
		pasv_enable=YES
		pasv_address=127.0.0.1
		pasv_min_port=$((PEER_PORT + 1))
		pasv_max_port=$((PEER_PORT + 200))
		port_enable=YES
		connect_from_port_20=NO
		xferlog_enable=NO
		secure_chroot_dir=/var/run/vsftpd/empty
		ftpd_banner=vsftpd test server ready.
	CONF
	local line
	for line in "$@"; do echo "$line" >>"$conf"; done
	/usr/sbin/vsftpd "$conf" 2>"$BATS_TEST_TMPDIR/vsftpd.log" &
	peer_wait "$BATS_TEST_TMPDIR/vsftpd.log"
}

# proftpd_start: proftpd from the .deb .ci/run unpacks into build/peers
# (Debian's proftpd and vsftpd packages conflict), or RAWFTP_PROFTPD.
# Anonymous users read $PEER_ROOT and may write in $PEER_ROOT/upload.
proftpd_start() {
	local bin=${RAWFTP_PROFTPD:-$REPO_ROOT/build/peers/proftpd/usr/sbin/proftpd}
	local conf=$BATS_TEST_TMPDIR/proftpd.conf
	[ -x "$bin" ] ||
		skip "proftpd is not unpacked in build/peers/proftpd (.ci/run does it)"
	"$bin" --version >/dev/null 2>&1 ||
		skip "$bin does not run (its libraries are missing)"
	[ "$EUID" -eq 0 ] || skip "proftpd needs root to start"
	peer_dirs
	# proftpd enters the root as user nobody: the folders above it must
	# let others through (search permission only, not listing); found by
	# bash, changed by one chmod
	local d=$PEER_ROOT above=()
	while [[ $d == /*/* ]]; do
		d=${d%/*}
		above+=("$d")
	done
	[ ${#above[@]} -eq 0 ] || chmod o+x "${above[@]}"
	PEER_PORT=$(free_port) || skip "no free port"
	cat >"$conf" <<-CONF
		ServerType standalone
		ServerName "proftpd test"
		ServerIdent on "proftpd test server ready."
		Port $PEER_PORT
		DefaultAddress 127.0.0.1
		SocketBindTight on
		UseIPv6 off
		User nobody
		Group nogroup
		PidFile $BATS_TEST_TMPDIR/proftpd.pid
		ScoreboardFile $BATS_TEST_TMPDIR/proftpd.scoreboard
		SystemLog $BATS_TEST_TMPDIR/proftpd.log
		TransferLog none
		WtmpLog off
		DelayEngine off
		AuthPAM off
		AuthOrder mod_auth_unix.c
		UseFtpUsers off
		UseReverseDNS off
		PassivePorts $((PEER_PORT + 1)) $((PEER_PORT + 200))
		Umask 022
		<Anonymous $PEER_ROOT>
			User nobody
			Group nogroup
			UserAlias anonymous nobody
			RequireValidShell off
			<Directory upload>
				# APPE and REST+STOR, as vsftpd and pyftpdlib allow
				AllowStoreRestart on
				<Limit WRITE>
					AllowAll
				</Limit>
			</Directory>
		</Anonymous>
	CONF
	"$bin" -n -q -c "$conf" 2>"$BATS_TEST_TMPDIR/proftpd.err" &
	peer_wait "$BATS_TEST_TMPDIR/proftpd.err"
}

# pyftpdlib_start: anonymous users may write everywhere in $PEER_ROOT.
# Whether pyftpdlib is installed is learnt from the server's own start (a
# python started only to import it first was a tenth of a CPU second).
pyftpdlib_start() {
	local log=$BATS_TEST_TMPDIR/pyftpdlib.log
	[ -x /usr/bin/python3 ] || skip "/usr/bin/python3 is not installed"
	peer_dirs
	PEER_PORT=$(free_port) || skip "no free port"
	/usr/bin/python3 -m pyftpdlib -i 127.0.0.1 -p "$PEER_PORT" -w \
		-d "$PEER_ROOT" -r "$((PEER_PORT + 1))-$((PEER_PORT + 200))" \
		2>"$log" &
	peer_wait "$log" && return 0
	if has_line "$log" '/usr/bin/python3: No module named pyftpdlib'; then
		wait "$PEER_PID" || true	# (ended: no PID left to stop)
		PEER_PID=
		skip "pyftpdlib is not installed (Debian package python3-pyftpdlib)"
	fi
	return 1
}

# pureftpd_start: pure-ftpd from the .deb .ci/run unpacks into build/peers
# (Debian's pure-ftpd and vsftpd packages conflict), or RAWFTP_PUREFTPD.
# pure-ftpd has no option for the anonymous root: it is always the home of
# the system account "ftp" (.ci/run makes it when missing).  So PEER_ROOT
# is a fresh folder inside that home, and PEER_DIR its name as the
# anonymous user sees it; pureftpd_stop removes it.  Anonymous users read
# $PEER_DIR and may write in $PEER_DIR/upload.
pureftpd_start() {
	local bin=${RAWFTP_PUREFTPD:-$REPO_ROOT/build/peers/pure-ftpd/usr/sbin/pure-ftpd}
	local home
	[ -x "$bin" ] ||
		skip "pure-ftpd is not unpacked in build/peers/pure-ftpd (.ci/run does it)"
	"$bin" --help >/dev/null 2>&1 ||
		skip "$bin does not run (its libraries are missing)"
	[ "$EUID" -eq 0 ] || skip "pure-ftpd needs root to start"
	home=$(getent passwd ftp | cut -d: -f6)
	{ [ -n "$home" ] && [ -d "$home" ]; } ||
		skip "pure-ftpd needs the system account 'ftp' and its home (.ci/run makes them)"
	peer_dirs "$(mktemp -d "$home/rawftp-test.XXXXXX")"
	PEER_DIR=${PEER_ROOT##*/}
	PEER_PORT=$(free_port) || skip "no free port"
	# -e anonymous only (uploads are allowed unless -i), -M they may also
	# make folders, -H no reverse DNS, -f none no syslog; it stays in the
	# foreground unless -B.
	"$bin" -e -M -H -f none -S "127.0.0.1,$PEER_PORT" \
		-p "$((PEER_PORT + 1)):$((PEER_PORT + 200))" \
		2>"$BATS_TEST_TMPDIR/pure-ftpd.log" &
	peer_wait "$BATS_TEST_TMPDIR/pure-ftpd.log"
}

pureftpd_stop() {
	peer_stop
	# only the folder pureftpd_start made
	[[ ${PEER_ROOT:-} == */rawftp-test.?????? ]] && rm -rf "$PEER_ROOT"
	PEER_ROOT= PEER_DIR=
}

# Stops whichever peer was started, by PID; bounded wait.
peer_stop() {
	local i
	[ -n "${PEER_PID:-}" ] || return 0
	kill "$PEER_PID" 2>/dev/null
	for ((i = 0; i < 50; i++)); do
		kill -0 "$PEER_PID" 2>/dev/null || break
		nap 0.1
	done
	kill -9 "$PEER_PID" 2>/dev/null
	wait "$PEER_PID" 2>/dev/null
	PEER_PID=
}
vsftpd_stop() { peer_stop; }
proftpd_stop() { peer_stop; }
pyftpdlib_stop() { peer_stop; }
