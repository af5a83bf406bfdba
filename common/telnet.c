/* telnet.c - strip and answer Telnet commands; see telnet.h. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "telnet.h"

enum { DATA, SAW_IAC, SAW_VERB, IN_SB, SB_IAC };

void
telnet_init(struct telnet *t)
{
	memset(t, 0, sizeof *t);
}

/* Refuse an option once; repeating a refusal could loop (RFC 854). */
static void
refuse(struct telnet *t, unsigned char verb, unsigned char option)
{
	int offered_will = verb == TELNET_WILL;
	unsigned char *seen = t->answered[offered_will ? 0 : 1];
	unsigned char bit = (unsigned char)(1u << (option % 8));

	if (verb != TELNET_WILL && verb != TELNET_DO)
		return;		/* WONT and DONT need no answer */
	if (seen[option / 8] & bit || t->reply_len + 3 > sizeof t->reply)
		return;
	seen[option / 8] |= bit;
	t->reply[t->reply_len++] = TELNET_IAC;
	t->reply[t->reply_len++] = offered_will ? TELNET_DONT : TELNET_WONT;
	t->reply[t->reply_len++] = option;
}

size_t
telnet_filter(struct telnet *t, unsigned char *buf, size_t len)
{
	size_t in, out = 0;

	for (in = 0; in < len; in++) {
		unsigned char c = buf[in];

		switch (t->state) {
		case DATA:
			if (c == TELNET_IAC)
				t->state = SAW_IAC;
			else
				buf[out++] = c;
			break;
		case SAW_IAC:
			t->state = DATA;
			if (c == TELNET_IAC) {	/* escaped data byte 255 */
				buf[out++] = c;
				break;
			}
			t->commands++;
			if (c >= TELNET_WILL) {
				t->verb = c;
				t->state = SAW_VERB;
			} else if (c == TELNET_SB) {
				t->state = IN_SB;
			} else if (c == TELNET_IP) {
				t->interrupts++;
			} else if (c == TELNET_DM) {
				t->synchs++;
			}
			break;
		case SAW_VERB:
			refuse(t, t->verb, c);
			t->state = DATA;
			break;
		case IN_SB:	/* subnegotiation: skip to IAC SE */
			if (c == TELNET_IAC)
				t->state = SB_IAC;
			break;
		case SB_IAC:
			t->state = c == TELNET_SE ? DATA : IN_SB;
			break;
		}
	}
	return out;
}

size_t
telnet_filter_hook(void *ctx, char *buf, size_t len)
{
	return telnet_filter(ctx, (unsigned char *)buf, len);
}

size_t
telnet_escape(const char *in, size_t len, char *out, size_t outlen)
{
	size_t i, o = 0;

	for (i = 0; i < len; i++) {
		int doubled = (unsigned char)in[i] == TELNET_IAC;
		if (o + 1 + (size_t)doubled > outlen)
			return (size_t)-1;
		out[o++] = in[i];
		if (doubled)
			out[o++] = in[i];
	}
	return o;
}

/* send(2) all of buf with flags; a signal or a short send is retried. */
static int
send_all(int fd, const unsigned char *buf, size_t len, int flags)
{
	ssize_t n;

	while (len > 0) {
		n = send(fd, buf, len, flags);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

int
telnet_send_interrupt(int fd)
{
	static const unsigned char ip_and_iac[] = {
		TELNET_IAC, TELNET_IP, TELNET_IAC
	};
	static const unsigned char dm[] = { TELNET_DM };

	/* MSG_OOB marks the last byte sent, the IAC, as urgent */
	if (send_all(fd, ip_and_iac, sizeof ip_and_iac, MSG_OOB) < 0)
		return -1;
	return send_all(fd, dm, sizeof dm, 0);
}
