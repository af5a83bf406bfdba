/* narrate.c - the narration lines; see narrate.h. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "narrate.h"
#include "trace.h"

static int narrate_fd = -1;	/* set once by narrate_start */
static int narrate_flags;

void
narrate_start(int fd, int flags)
{
	narrate_fd = fd;
	narrate_flags = flags;
	trace_start();
}

int
narrate_log_fd(const char *path, int quiet)
{
	int fd;

	if (path == NULL)
		return quiet ? -1 : 2;
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0)
		die_errno(EXIT_CANTCREAT, "--log %s", path);
	return fd;
}

/* ---- for a classroom: who is speaking, and when by the clock ---- */

static _Thread_local const char *thread_user;	/* narrate_as_user */
static _Thread_local int thread_fd = -1;

void
narrate_as_user(const char *name, int fd)
{
	thread_user = name;
	thread_fd = fd;
}

/* " [ID] " or " [ID NAME] ". */
static int
label(unsigned id, char *buf, size_t len)
{
	if (thread_user != NULL && id != 0)
		return snprintf(buf, len, " [%u %s] ", id, thread_user);
	return snprintf(buf, len, " [%u] ", id);
}

/* "  12.345678" since the start, or "16:33:05.123456" by the clock. */
static void
stamp(char *buf, size_t len)
{
	struct timespec now;
	struct tm tm;

	if (!(narrate_flags & NARRATE_CLOCK)) {
		trace_stamp(buf, len);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &now);
	localtime_r(&now.tv_sec, &tm);
	snprintf(buf, len, "%02d:%02d:%02d.%06ld", tm.tm_hour, tm.tm_min,
	    tm.tm_sec, now.tv_nsec / 1000);
}

static void
also_to_user_log(const char *line, size_t len)
{
	if (thread_fd >= 0)
		(void)!write(thread_fd, line, len);
}

void
narrate_vprintf(unsigned id, const char *fmt, va_list ap)
{
	char line[NARRATE_MAX];
	int n, m;

	if (narrate_fd < 0)
		return;
	stamp(line, 32);
	n = (int)strlen(line);
	m = label(id, line + n, sizeof line - (size_t)n);
	n += m > 0 ? m : 0;
	m = vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
	if (m < 0)
		m = 0;
	n += m;
	if ((size_t)n > sizeof line - 5) {	/* cut, and say so */
		n = (int)sizeof line - 5;
		memcpy(line + n, "...", 3);
		n += 3;
	}
	line[n++] = '\n';
	(void)!write(narrate_fd, line, (size_t)n);
	also_to_user_log(line, (size_t)n);
}

void
narrate_printf(unsigned id, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	narrate_vprintf(id, fmt, ap);
	va_end(ap);
}

void
narrate_wire(unsigned id, const char *dir, const char *line, size_t len)
{
	char shown[NARRATE_MAX - 64];

	if (narrate_fd < 0)
		return;
	if (narrate_flags & NARRATE_MASK)
		trace_mask(line, len, shown, sizeof shown);
	else
		trace_escape(line, len, shown, sizeof shown);
	narrate_printf(id, "%s %s", dir, shown);
}

/* "127.0.0.1:43210" or "[::1]:43210": an IPv6 address needs brackets
 * before its port can be told apart from the address. */
struct endpoint { char text[HP_HOSTLEN + 8]; };

static struct endpoint
endpoint(const struct hostport *hp)
{
	struct endpoint ep;

	if (hp_format(hp, HP_STYLE_COLON, ep.text, sizeof ep.text) < 0)
		snprintf(ep.text, sizeof ep.text, "?");
	return ep;
}

void
narrate_connect(unsigned id, const struct hostport *peer,
    const struct hostport *local)
{
	narrate_printf(id, "connect from %s port %u to %s port %u",
	    peer->host, peer->port, local->host, local->port);
}

void
narrate_refuse(unsigned id, const struct hostport *peer, const char *why)
{
	narrate_printf(id, "connect from %s port %u refused: %s", peer->host,
	    peer->port, why);
}

void
narrate_close(unsigned id)
{
	narrate_printf(id, "closed");
}

void
narrate_command(unsigned id, const char *line, size_t len)
{
	narrate_wire(id, ">", line, len);
}

void
narrate_reply(unsigned id, const char *text, size_t len)
{
	const char *p = text, *end = text + len;

	while (p < end) {
		const char *lf = memchr(p, '\n', (size_t)(end - p));
		size_t l = lf ? (size_t)(lf - p) + 1 : (size_t)(end - p);

		narrate_wire(id, "<", p, l);
		p += l;
	}
}

void
narrate_data_listen(unsigned id, const char *verb,
    const struct hostport *where)
{
	if (strcmp(verb, "PASV") == 0)
		narrate_printf(id, "data: %s listening on %s = %u*256+%u",
		    verb, endpoint(where).text, where->port / 256,
		    where->port % 256);
	else
		narrate_printf(id, "data: %s listening on %s", verb,
		    endpoint(where).text);
}

void
narrate_data_target(unsigned id, const char *verb,
    const struct hostport *target)
{
	narrate_printf(id, "data: %s %s port %u = %u*256+%u", verb,
	    target->host, target->port, target->port / 256,
	    target->port % 256);
}

void
narrate_data_connect(unsigned id, const struct hostport *to,
    const struct hostport *from)
{
	if (from == NULL)
		narrate_printf(id, "data: %s connected", endpoint(to).text);
	else
		narrate_printf(id, "data: connected to %s from %s",
		    endpoint(to).text, endpoint(from).text);
}

void
narrate_data_close(unsigned id, const char *verb, uint64_t bytes)
{
	narrate_printf(id, "data: %s %llu bytes, closed", verb,
	    (unsigned long long)bytes);
}

void
narrate_data_refuse(unsigned id, const char *who, const char *why)
{
	narrate_printf(id, "data: refused %s: %s", who, why);
}
