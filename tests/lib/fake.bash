# fake.bash - the scripted fake FTP server of tests/helpers/fake-ftpd.c,
# for raw.bats and tap-control.bats: `load lib/fake` (after lib/common).
# shellcheck disable=SC2034 # the variables set here are for the tests

# fake_start: the script on stdin (fake-ftpd's language).  Sets FAKE_PID,
# FAKE_PORT and FAKE_LOG (the lines the client sent, as "C: ..." with
# \xNN escapes); fake_stop stops it by its PID.
fake_start() {
	cat >"$BATS_TEST_TMPDIR/script"
	FAKE_LOG=$BATS_TEST_TMPDIR/fake.log
	: >"$FAKE_LOG"	# (see labd_start)
	"$RAWFTP_TESTBIN/fake-ftpd" -t 20 "$BATS_TEST_TMPDIR/script" \
		>"$FAKE_LOG" 2>&1 &
	FAKE_PID=$!
	wait_until 50 has_line "$FAKE_LOG" 'listening on ' || return 1
	read -r _ _ _ _ FAKE_PORT _ <"$FAKE_LOG"	# its first line
}

# The fake ends by itself once the client is gone; wait for its log.
fake_wait() {
	wait_until 50 pid_gone "$FAKE_PID"
}

fake_stop() {
	[ -n "${FAKE_PID:-}" ] || return 0
	kill "$FAKE_PID" 2>/dev/null
	wait "$FAKE_PID" 2>/dev/null || true
	FAKE_PID=
}
