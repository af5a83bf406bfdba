# tshark.bash - reading a pcap file with tshark, as the pcap tests judge
# one: `load lib/tshark` (after lib/common), then set PCAP to the file.
#
# Checksums are verified (tshark does not by default), so a bad one is an
# error of the expert system; tshark's stderr (a note when run as root)
# goes to a file in the test's temp dir.

# ts ARGS...: tshark on $PCAP with IPv4 and TCP checksums verified.  With
# TS_FTP_PORT set, that port is decoded as FTP too (tshark knows FTP by
# port 21 only: Wireshark's "Decode As").
ts() {
	tshark -r "$PCAP" -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE \
		${TS_FTP_PORT:+-d "tcp.port==$TS_FTP_PORT,ftp"} \
		"$@" 2>>"$BATS_TEST_TMPDIR/tshark.err"
}

# The FTP commands, one "VERB ARG" a line, and the reply codes on one
# line, as tshark decodes them.
ts_commands() {
	ts -Y ftp.request.command -T fields -e ftp.request.command -e ftp.request.arg |
		sed 's/\t$//; s/\t/ /'
}
ts_codes() {
	ts -Y ftp.response.code -T fields -e ftp.response.code | tr '\n' ' '
}

# ts_follow STREAM SIDE: the bytes one side sent on a TCP stream, as
# "Follow TCP Stream" shows them; SIDE 0 is the side that connected, 1
# the side that accepted.
ts_follow() {
	local indent=
	[ "$2" = 1 ] && indent=$'\t'
	ts -q -z "follow,tcp,raw,$1" | sed -n "s/^$indent\([0-9a-f][0-9a-f]*\)\$/\1/p" |
		perl -ne 'chomp; print pack("H*", $_)'
}

# The expert system's warnings and errors, one a line (bad checksums and
# malformed packets are errors); nothing when the capture is clean.
ts_warnings() {
	ts -q -z expert,warn | grep -E '^ +[0-9]+ '
}
