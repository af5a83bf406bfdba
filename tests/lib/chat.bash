# chat.bash - a scripted FTP session with the running ftp-labd:
# `load lib/chat`, then `run chat <<-S ... S` after labd_start.  The script
# language (plain lines, !pasv, !get, !abort...) is described at the top
# of tests/lib/ftpchat.py; every reply line comes out on stdout.
chat() {
	/usr/bin/python3 "$REPO_ROOT/tests/lib/ftpchat.py" "$LABD_HOST" \
		"$LABD_PORT"
}
