/* pcap-demo - a synthetic FTP download written as a pcap file, for the
 * tests of common/pcap.c (tshark must decode it as a real capture).
 *
 *	pcap-demo [-6] [-a] [-r] [-p port] FILE OUT.pcap
 *
 * The control connection (client port 60606 to server port 21):
 *	220, USER anonymous, 331, PASS, 230, TYPE I, 200, PASV, 227,
 *	RETR FILE, 150, the data connection, 226, QUIT, 221,
 * every line ending in CR LF, then the server's FIN and the client's.
 * The data connection carries FILE's bytes, read 16 KiB at a time, from
 * the server; the server closes it first.
 *	-6	::1 instead of 127.0.0.1, and EPSV/229 or EPRT
 *	-a	active mode: PORT (or EPRT), and the server connects from
 *		port 20 to the client's port
 *	-r	the client resets the data connection halfway through the
 *		file, and the server answers 426 instead of 226
 *	-p	the data port (default 55573 = 217*256+21 passive, 50069
 *		active)
 * Timestamps are the real time of each event.
 */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "hostport.h"
#include "pcap.h"

static const char *out_name;
static struct pcap_file pf;
static struct pcap_flow ctrl;

static const struct timespec *
now(void)
{
	static struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return &ts;
}

static void
check(int rc)
{
	if (rc < 0)
		die_errno(EXIT_IOERR, "%s", out_name);
}

/* One line on the control connection, CR LF added. */
static void
line(enum pcap_side from, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof buf - 2, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof buf - 2)
		die(EXIT_SOFTWARE, "line too long");
	memcpy(buf + n, "\r\n", 2);
	check(pcap_flow_data(&ctrl, from, buf, (size_t)n + 2, now()));
}

static void
endpoint(struct hostport *hp, const char *host, unsigned port)
{
	char why[HP_WHYLEN];

	if (hp_set_host(hp, host, why, sizeof why) < 0)
		die(EXIT_SOFTWARE, "%s", why);
	hp->port = port;
}

/* The file's bytes from the data connection's server side, each read a
 * write; with rst the client resets the connection after half of them.
 * Returns 0 when all were sent. */
static int
send_file(struct pcap_flow *data, enum pcap_side sender, int in, off_t size,
    int rst)
{
	char buf[16384];
	off_t sent = 0;
	ssize_t n;

	while ((n = read(in, buf, sizeof buf)) > 0) {
		if (rst && sent + n > size / 2)
			n = (ssize_t)(size / 2 - sent);
		check(pcap_flow_data(data, sender, buf, (size_t)n, now()));
		sent += n;
		if (rst && sent >= size / 2) {
			check(pcap_flow_close(data, !sender, 1, now()));
			return -1;
		}
	}
	if (n < 0)
		die_errno(EXIT_IOERR, "reading the file");
	check(pcap_flow_close(data, sender, 0, now()));
	check(pcap_flow_close(data, !sender, 0, now()));
	return 0;
}

int
main(int argc, char **argv)
{
	struct hostport client, server, data_client, data_server;
	struct pcap_flow data;
	struct stat st;
	const char *host = "127.0.0.1", *file, *name;
	char arg[128];
	unsigned port = 0;
	int ch, v6 = 0, active = 0, rst = 0, in, out;
	enum pcap_side sender;

	err_set_progname(argv[0]);
	while ((ch = getopt(argc, argv, "6arp:")) != -1) {
		switch (ch) {
		case '6': v6 = 1; host = "::1"; break;
		case 'a': active = 1; break;
		case 'r': rst = 1; break;
		case 'p': port = (unsigned)atoi(optarg); break;
		default: die_usage("usage: pcap-demo [-6] [-a] [-r] [-p port] FILE OUT.pcap");
		}
	}
	if (argc - optind != 2)
		die_usage("FILE and OUT.pcap expected");
	file = argv[optind];
	out_name = argv[optind + 1];
	name = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
	if (port == 0)
		port = active ? 50069 : 55573;
	if ((in = open(file, O_RDONLY)) < 0 || fstat(in, &st) < 0)
		die_errno(EXIT_NOHOST, "%s", file);
	if ((out = open(out_name, O_WRONLY | O_CREAT | O_TRUNC, 0644)) < 0)
		die_errno(EXIT_CANTCREAT, "%s", out_name);
	check(pcap_open(&pf, out));

	endpoint(&client, host, 60606);
	endpoint(&server, host, 21);
	check(pcap_flow_open(&ctrl, &pf, &client, &server, now()));
	line(PCAP_ACCEPTOR, "220 ftp-labd ready.");
	line(PCAP_CONNECTOR, "USER anonymous");
	line(PCAP_ACCEPTOR, "331 Guest login ok, send your email address as password.");
	line(PCAP_CONNECTOR, "PASS student@example.com");
	line(PCAP_ACCEPTOR, "230 Guest login ok, access restrictions apply.");
	line(PCAP_CONNECTOR, "TYPE I");
	line(PCAP_ACCEPTOR, "200 Type set to I.");

	if (active) {	/* the client listens; the server connects from 20 */
		endpoint(&data_client, host, port);
		endpoint(&data_server, host, 20);
		if ((v6 ? hp_format_eprt_arg(&data_client, arg, sizeof arg) :
		    hp_format_port_arg(&data_client, arg, sizeof arg)) < 0)
			die(EXIT_SOFTWARE, "cannot format the data address");
		line(PCAP_CONNECTOR, "%s %s", v6 ? "EPRT" : "PORT", arg);
		line(PCAP_ACCEPTOR, "200 %s command successful.",
		    v6 ? "EPRT" : "PORT");
	} else {	/* the server listens; the client connects */
		endpoint(&data_client, host, 60607);
		endpoint(&data_server, host, port);
		line(PCAP_CONNECTOR, v6 ? "EPSV" : "PASV");
		if (v6)
			line(PCAP_ACCEPTOR,
			    "229 Entering Extended Passive Mode (|||%u|)", port);
		else if (hp_format_port_arg(&data_server, arg, sizeof arg) < 0)
			die(EXIT_SOFTWARE, "cannot format the data address");
		else
			line(PCAP_ACCEPTOR, "227 Entering Passive Mode (%s).",
			    arg);
	}
	line(PCAP_CONNECTOR, "RETR %s", name);
	line(PCAP_ACCEPTOR,
	    "150 Opening BINARY mode data connection for /%s (%lld bytes).",
	    name, (long long)st.st_size);

	if (active) {
		check(pcap_flow_open(&data, &pf, &data_server, &data_client,
		    now()));
		sender = PCAP_CONNECTOR;
	} else {
		check(pcap_flow_open(&data, &pf, &data_client, &data_server,
		    now()));
		sender = PCAP_ACCEPTOR;
	}
	if (send_file(&data, sender, in, st.st_size, rst) == 0)
		line(PCAP_ACCEPTOR, "226 Transfer complete.");
	else
		line(PCAP_ACCEPTOR, "426 Connection closed; transfer aborted.");
	close(in);

	line(PCAP_CONNECTOR, "QUIT");
	line(PCAP_ACCEPTOR, "221 Goodbye.");
	check(pcap_flow_close(&ctrl, PCAP_ACCEPTOR, 0, now()));
	check(pcap_flow_close(&ctrl, PCAP_CONNECTOR, 0, now()));
	check(pcap_close(&pf));
	return 0;
}
