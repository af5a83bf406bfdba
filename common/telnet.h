/* telnet.h - the Telnet layer under the FTP control channel (RFC 854).
 *
 * FTP's control connection speaks the Telnet protocol: byte 255 (IAC) starts
 * a command.  Servers rarely negotiate, but a client must refuse options it
 * is offered, and a server must see "IAC IP IAC DM" (interrupt, then the
 * synch mark) that clients send before ABOR.  The filter removes every
 * command from the data stream in place, keeps IAC IAC as one 255 byte, and
 * records what a program has to act on.
 */
#ifndef RAWFTP_TELNET_H
#define RAWFTP_TELNET_H

#include <stddef.h>

enum telnet_byte {
	TELNET_SE = 240, TELNET_NOP = 241, TELNET_DM = 242, TELNET_BRK = 243,
	TELNET_IP = 244, TELNET_AO = 245, TELNET_AYT = 246, TELNET_EC = 247,
	TELNET_EL = 248, TELNET_GA = 249, TELNET_SB = 250, TELNET_WILL = 251,
	TELNET_WONT = 252, TELNET_DO = 253, TELNET_DONT = 254, TELNET_IAC = 255
};

struct telnet {
	int state;		/* where in an IAC sequence the stream is */
	unsigned char verb;	/* WILL/WONT/DO/DONT awaiting its option */
	unsigned char answered[2][32];	/* options refused, WILL and DO */
	unsigned char reply[96];	/* refusals waiting to be sent */
	size_t reply_len;
	unsigned interrupts;	/* IAC IP seen */
	unsigned synchs;	/* IAC DM seen */
	unsigned commands;	/* every IAC command removed */
};

void telnet_init(struct telnet *t);

/* Removes Telnet commands from buf in place; returns the data length left.
 * Each WILL gets DONT and each DO gets WONT, once per option, appended to
 * t->reply for the caller to send (then set reply_len to 0). */
size_t telnet_filter(struct telnet *t, unsigned char *buf, size_t len);

/* linebuf filter hook: ctx is a struct telnet. */
size_t telnet_filter_hook(void *ctx, char *buf, size_t len);

/* What RFC 959 section 4.1.3 says a user sends before ABOR (and a STAT
 * during a transfer): Telnet IP, then Synch, which is IAC DM with the TCP
 * urgent mark on it, so a server busy with a transfer is told at once.
 * The IAC before DM goes as the urgent byte (BSD ftp does the same), the
 * DM in the normal stream; the command follows.  0, or -1 with errno. */
int telnet_send_interrupt(int fd);

/* Copies in to out doubling every 255 byte, as replies must (RFC 854).
 * Returns the length written, or (size_t)-1 if out is too small. */
size_t telnet_escape(const char *in, size_t len, char *out, size_t outlen);

#endif
