# tshark.bash - reading a pcap file with tshark, as the pcap tests judge
# one: `load lib/tshark` (after lib/common), then set PCAP to the file.
#
# Checksums are verified (tshark does not by default), so a bad one is an
# error of the expert system; tshark's stderr (a note when run as root)
# goes to a file in the test's temp dir.
#
# tshark costs about half a CPU second to start, and a test asks a
# capture many things: each capture is read once (ts_load), every field
# below for each frame and then the statistics (expert, conversations,
# Follow TCP Stream), and the helpers answer from that text.

# The fields kept of each frame.  In the conditions and expressions of
# ts_where and ts_count each is an awk variable, named with _ for . and -
# (tcp.flags.syn is tcp_flags_syn, ftp-data.command ftp_data_command);
# a field the frame does not have is "".  tshark escapes tabs and line
# ends within a field, so a frame is one line.
TS_FIELDS=(frame.number frame.protocols frame.len frame.cap_len
	ip.checksum.status tcp.checksum.status tcp.stream tcp.srcport
	tcp.dstport tcp.len tcp.flags.syn tcp.flags.ack tcp.flags.fin
	tcp.flags.reset tcp.payload ftp.request.command ftp.request.arg
	ftp.response.code ftp.passive.port ftp.epsv.port ftp.active.port
	ftp.eprt.port ftp-data.setup-method ftp-data.command _ws.col.Info)
# Follow TCP Stream is read for streams 0 to TS_STREAMS-1 (tshark must be
# told which; one that is not there costs nothing).
TS_STREAMS=8

TS_ARGS=(-T fields -z "expert,warn" -z "conv,tcp")
TS_AWK_VARS=
ts_i=0
for ts_field in "${TS_FIELDS[@]}"; do
	ts_i=$((ts_i + 1))
	TS_ARGS+=(-e "$ts_field")
	TS_AWK_VARS+="${ts_field//[.-]/_} = \$$ts_i; "
done
for ((ts_i = 0; ts_i < TS_STREAMS; ts_i++)); do
	TS_ARGS+=(-z "follow,tcp,raw,$ts_i")
done
unset ts_i ts_field

# ts ARGS...: tshark on $PCAP with IPv4 and TCP checksums verified.  With
# TS_FTP_PORT set, that port is decoded as FTP too (tshark knows FTP by
# port 21 only: Wireshark's "Decode As").
ts() {
	tshark -r "$PCAP" -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE \
		${TS_FTP_PORT:+-d "tcp.port==$TS_FTP_PORT,ftp"} \
		"$@" 2>>"$BATS_TEST_TMPDIR/tshark.err"
}

# ts_load: TS_CACHE names tshark's reading of $PCAP (with TS_ARGS: one
# line per frame, then the statistics), read again when the capture has
# changed since (a pcap written after the reading is not older than it);
# its status is tshark's.
ts_load() {
	TS_CACHE=$BATS_TEST_TMPDIR/tshark-${TS_FTP_PORT:-21}${PCAP//\//%}
	if [ ! -e "$PCAP" ] || [ ! "$TS_CACHE" -nt "$PCAP" ]; then
		ts "${TS_ARGS[@]}" >"$TS_CACHE"
		echo "$?" >"$TS_CACHE.status"
	fi
	local status
	read -r status <"$TS_CACHE.status"
	return "$status"
}

# ts_scan COND ACTION [END]: awk's ACTION on each frame for which the awk
# condition COND holds, then END; has("PROTO") is true of a frame that
# holds that protocol (what -Y PROTO shows).  The status is awk's if it
# failed, else tshark's.
ts_scan() {
	ts_load
	local status=$?
	awk -F '\t' -v OFS='\t' "
		function has(p) { return index(\":\" frame_protocols \":\", \":\" p \":\") }
		NF == ${#TS_FIELDS[@]} && /^[0-9]+\t/ { $TS_AWK_VARS if ($1) { $2 } }
		END { ${3:-} }" "$TS_CACHE" || return
	return "$status"
}

# ts_where COND EXPR...: the EXPRs (fields, or any awk expression of them)
# of each frame where COND holds, one frame a line, tab between, as
# `tshark -Y FILTER -T fields -e FIELD...` prints them:
#   ts_where 'tcp_flags_syn == 1 && tcp_stream == 1' tcp_dstport
ts_where() {
	local cond=$1 exprs
	shift
	printf -v exprs '%s, ' "$@"
	ts_scan "$cond" "print ${exprs%, }"
}

# ts_count COND: how many frames COND holds for (ts_count 1: all).
ts_count() {
	ts_scan "$1" 'n++' 'print n + 0'
}

# The FTP commands, one "VERB ARG" a line, and the reply codes on one
# line, as tshark decodes them.
ts_commands() {
	ts_where 'ftp_request_command != ""' \
		'ftp_request_command (ftp_request_arg == "" ? "" : " " ftp_request_arg)'
}
ts_codes() {
	ts_where 'ftp_response_code != ""' ftp_response_code | tr '\n' ' '
}

# ts_follow STREAM SIDE: the bytes one side sent on a TCP stream, as
# "Follow TCP Stream" shows them; SIDE 0 is the side that connected, 1
# the side that accepted (tshark indents its lines with a tab).
ts_follow() {
	if (($1 >= TS_STREAMS)); then
		echo "ts_follow: only streams below $TS_STREAMS are read (TS_STREAMS)" >&2
		return 1
	fi
	ts_load
	local status=$? indent=
	[ "$2" = 1 ] && indent=$'\t'
	TS_STREAM=$1 TS_INDENT=$indent perl -ne '
		if (/^Filter: tcp\.stream eq (\d+)$/) { $on = $1 == $ENV{TS_STREAM} }
		elsif (/^=+$/) { $on = 0 }
		elsif ($on && /^\Q$ENV{TS_INDENT}\E([0-9a-f]+)$/) { print pack("H*", $1) }' \
		"$TS_CACHE" || return
	return "$status"
}

# The expert system's warnings and errors, one a line (bad checksums and
# malformed packets are errors); nothing when the capture is clean.  Its
# rows are the only lines of the reading that begin with spaces and a
# number (a frame's begins with its number, a followed stream's with hex
# or a tab, a conversation's with an address).
ts_warnings() {
	ts_load
	local status=$?
	grep -E '^ +[0-9]+ ' "$TS_CACHE"
	local found=$?
	((status == 0)) || return "$status"
	return "$found"
}

# The TCP conversations, one a line ("A <-> B" and its counts).
ts_conversations() {
	ts_load
	local status=$?
	awk '/^TCP Conversations$/ { on = 1 } /^=+$/ { on = 0 } on && /<->/' "$TS_CACHE" ||
		return
	return "$status"
}
