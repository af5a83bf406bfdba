# coproc.bash - reading replies from ftp-raw run as a bash coprocess:
# `load lib/coproc`.  The test sets RAW_OUT (the coprocess's stdout) and
# TRANSCRIPT (a file that collects every line read).
# shellcheck disable=SC2034 # the variables set here are for the tests

# One reply from the coprocess: all its lines into $TRANSCRIPT, the last in
# REPLY_LAST.  Multi-line replies end at "NNN " with the opening code.
read_reply() {
	local line code=
	while IFS= read -r -t 10 line <&"$RAW_OUT"; do
		line=${line%$'\r'}
		echo "$line" >>"$TRANSCRIPT"
		[ -n "$code" ] || code=${line:0:3}
		[[ $line == "$code "* || $line == "$code" ]] || continue
		REPLY_LAST=$line
		[[ $code == 1* ]] || return 0
		code=		# preliminary: the final reply follows
	done
	echo "no complete reply; transcript so far:" >&2
	cat "$TRANSCRIPT" >&2
	return 1
}
