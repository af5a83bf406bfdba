#!/usr/bin/env bats
# common/pcap.c, judged by the reader it is written for: tshark opens the
# synthetic FTP sessions of tests/helpers/pcap-demo and must decode them
# as it decodes a real capture.  Checksums are verified (lib/tshark) and
# any warning of its expert system fails a test.

load lib/common
load lib/tshark

setup() {
	DEMO=$RAWFTP_TESTBIN/pcap-demo
	PCAP=$BATS_TEST_TMPDIR/session.pcap
	# 3.5 segments of every byte value, CR and LF among them
	FILE=$BATS_TEST_TMPDIR/bytes.bin
	every_byte_value "$FILE" 5110
}

@test "pcap: tshark decodes every command and reply, each line ending in CR LF" {
	require tshark
	"$DEMO" "$FILE" "$PCAP"
	[ "$(ts_commands)" = "USER anonymous
PASS student@example.com
TYPE I
PASV
RETR bytes.bin
QUIT" ]
	[ "$(ts_codes)" = "220 331 230 200 227 150 226 221 " ]
	# the password in clear, as the seed's Wireshark showed it
	ts_where 'has("ftp")' _ws_col_Info | grep -q 'Request: PASS student@example.com'
	# every control segment ends in CR LF (0d0a), none in a bare LF
	n=0
	while read -r payload; do
		[[ $payload == *0d0a ]] || { echo "no CR LF: $payload"; return 1; }
		n=$((n + 1))
	done < <(ts_where '(tcp_srcport == 21 || tcp_dstport == 21) && tcp_len > 0' tcp_payload)
	[ "$n" -eq 14 ]
}

@test "pcap: the data connection is FTP-DATA, linked to its PASV and RETR" {
	require tshark
	"$DEMO" "$FILE" "$PCAP"
	run ts_where 'has("ftp-data")' ftp_data_setup_method ftp_data_command
	[ "$status" -eq 0 ]
	[ -n "$output" ]
	[ "$(sort -u <<<"$output")" = "PASV	RETR bytes.bin" ]
}

@test "pcap: Follow TCP Stream gives back the file byte for byte" {
	require tshark
	"$DEMO" "$FILE" "$PCAP"
	ts_follow 1 1 >"$BATS_TEST_TMPDIR/followed"
	cmp "$FILE" "$BATS_TEST_TMPDIR/followed"
	# and the client sent nothing on it
	[ -z "$(ts_follow 1 0)" ]
}

@test "pcap: the PASV reply's port is the data connection's server port" {
	require tshark
	"$DEMO" -p 50123 "$FILE" "$PCAP"
	run ts_where 'ftp_passive_port != ""' ftp_passive_port
	[ "$output" = 50123 ]
	# 50123 = 195*256+203: the six numbers of the 227
	ts_where 'ftp_response_code != ""' _ws_col_Info |
		grep -q 'Entering Passive Mode (127,0,0,1,195,203)'
	run ts_where 'tcp_flags_syn == 1 && tcp_flags_ack == 0 && tcp_stream == 1' tcp_dstport
	[ "$output" = 50123 ]
}

@test "pcap: no malformed packet, no bad checksum, no warning at all" {
	require tshark
	"$DEMO" "$FILE" "$PCAP"
	run ts_warnings
	echo "$output"
	[ -z "$output" ]
	run ts_where 1 ip_checksum_status tcp_checksum_status
	[ "$(sort -u <<<"$output")" = "1	1" ]	# 1: good
	# the handshakes and closes are there, both sides of each
	[ "$(ts_count 'tcp_flags_syn == 1')" -eq 4 ]
	[ "$(ts_count 'tcp_flags_fin == 1')" -eq 4 ]
}

@test "pcap: the checks above do see a damaged packet (one byte changed)" {
	require tshark
	"$DEMO" "$FILE" "$PCAP"
	# frame 4, the 220: record headers and IPv4 and TCP headers are
	# 24+3*56+16+40 bytes in; change the reply's first digit
	off=$((24 + 3 * (16 + 40) + 16 + 40))
	printf '9' | dd of="$PCAP" bs=1 seek="$off" conv=notrunc status=none
	run ts_warnings
	echo "$output"
	[[ $output == *"Bad checksum"* ]]
}

@test "pcap: IPv6, EPSV: decoded, linked, the 229's port, the bytes" {
	require tshark
	"$DEMO" -6 "$FILE" "$PCAP"
	[ "$(ts_count 'has("ipv6")')" -eq "$(ts_count 1)" ]
	ts_commands | grep -qx EPSV
	[ "$(ts_codes)" = "220 331 230 200 229 150 226 221 " ]
	run ts_where 'ftp_epsv_port != ""' ftp_epsv_port
	[ "$output" = 55573 ]
	run ts_where 'has("ftp-data")' ftp_data_setup_method tcp_srcport
	[ "$(sort -u <<<"$output")" = "EPASV	55573" ]
	ts_follow 1 1 >"$BATS_TEST_TMPDIR/followed"
	cmp "$FILE" "$BATS_TEST_TMPDIR/followed"
	run ts_warnings
	[ -z "$output" ]
}

@test "pcap: active mode, PORT and EPRT: the server connects from port 20" {
	require tshark
	for family in 4 6; do
		"$DEMO" -a $([ $family = 6 ] && echo -6) "$FILE" "$PCAP"
		run ts_where 'tcp_flags_syn == 1 && tcp_flags_ack == 0 && tcp_stream == 1' \
			tcp_srcport tcp_dstport
		[ "$output" = "20	50069" ]
		run ts_where 'has("ftp-data")' ftp_data_setup_method
		want=PORT
		[ $family = 6 ] && want=EPRT
		[ "$(sort -u <<<"$output")" = "$want" ]
		# the server, which connected, sent the file
		ts_follow 1 0 >"$BATS_TEST_TMPDIR/followed"
		cmp "$FILE" "$BATS_TEST_TMPDIR/followed"
		run ts_warnings
		[ -z "$output" ]
	done
	run ts_where 'ftp_eprt_port != ""' ftp_eprt_port
	[ "$output" = 50069 ]
}

@test "pcap: a reset data connection: RST, half the file, 426" {
	require tshark
	"$DEMO" -r "$FILE" "$PCAP"
	run ts_where 'tcp_flags_reset == 1' tcp_stream tcp_srcport
	[ "$output" = "1	60607" ]	# the client reset the data connection
	[ "$(ts_codes)" = "220 331 230 200 227 150 426 221 " ]
	ts_follow 1 1 >"$BATS_TEST_TMPDIR/followed"
	cmp "$BATS_TEST_TMPDIR/followed" <(head -c 2555 "$FILE")
	# the reset is the only warning
	run ts_warnings
	echo "$output"
	[[ $output == *"Connection reset (RST)"* ]]
	[ "$(grep -c '^ *[0-9]' <<<"$output")" -eq 1 ]
}

@test "pcap: a file that cannot be written is an error (74), not a short capture" {
	run "$DEMO" "$FILE" /dev/full
	echo "$output"
	[ "$status" -eq 74 ]
	[[ $output == *"/dev/full: No space left on device"* ]]
}
