/* wire.c - what --wire narrates and --pcap captures of the connections:
 * the glue between a session and common/wireview.
 *
 * The control connection: its raw bytes in (before the Telnet filter
 * changes them), every write out, and how it ended.  A data connection:
 * who connected, the bytes (counted from the pump, or seen one chunk at
 * a time when a capture needs them: transfer.c) and how it ended.
 *
 * Who sent the first FIN is known for sure only when it is seen: the
 * client's as end of file (but for the one sessions_stop() makes), the
 * server's as its shutdown(2).  When the
 * server closes first, wireview_closing() waits a bounded time for the
 * client's FIN, so both are narrated in their order.
 * Without --wire and --pcap none of this runs.
 */
#include <sys/socket.h>
#include <unistd.h>

#include "labd.h"
#include "net.h"
#include "sockq.h"

static int
watching(void)
{
	return serve_watching(&cfg.serve);
}

void
wire_ctrl_open(struct session *s)
{
	if (!watching())
		return;
	wireview_open(&s->ctrl_wire, cfg.pcap, s->id, 0, NARRATE_DIRECT,
	    NARRATE_CLIENT, &s->peer, &s->local);
	wireview_attach(&s->ctrl_wire, s->ctrl, NARRATE_SERVER);
}

/* The linebuf filter of the control connection: the bytes as they came,
 * then the Telnet filter (telnet.h). */
size_t
wire_filter_hook(void *ctx, char *buf, size_t len)
{
	struct session *s = ctx;

	wireview_bytes(&s->ctrl_wire, NARRATE_CLIENT, buf, len);
	return telnet_filter_hook(&s->tn, buf, len);
}

void
wire_ctrl_sent(struct session *s, const void *bytes, size_t len)
{
	wireview_bytes(&s->ctrl_wire, NARRATE_SERVER, bytes, len);
}

/* The server closes the connection; who closed first, in order. */
static void
server_closes(int fd, struct wireview *w)
{
	wireview_closing(w, fd, NARRATE_SERVER, WIREVIEW_CLOSE_MS);
}

/* The end of file the session read is the client's FIN, unless
 * sessions_stop() shut the reading side to wake the session: the
 * kernel's TCP state says which. */
static int
client_fin(const struct session *s)
{
	return s->lb.eof && sockq_eof_is_fin(s->ctrl) != 0;
}

/* Before the session closes its control connection. */
void
wire_ctrl_end(struct session *s)
{
	if (!watching())
		return;
	if (s->ctrl_reset)
		wireview_rst(&s->ctrl_wire, NARRATE_CLIENT);
	else if (client_fin(s))
		wireview_close(&s->ctrl_wire, NARRATE_CLIENT);
	else
		server_closes(s->ctrl, &s->ctrl_wire);
}

/* The data connection fd is made: connector says who made it; client is
 * the client's end, server the server's when known (else NULL: the
 * kernel is asked). */
void
wire_data_open(struct session *s, int fd, enum narrate_side connector,
    const struct hostport *client, const struct hostport *server)
{
	struct hostport local;

	if (!watching() || (server == NULL && net_local(fd, &local) < 0))
		return;
	wireview_open(&s->data_wire, cfg.pcap, s->id, 1, NARRATE_DIRECT,
	    connector, client, server != NULL ? server : &local);
	wireview_attach(&s->data_wire, fd, NARRATE_SERVER);
}

/* A connection to the passive port lfd that was turned away (theft): it
 * was made, then closed by the server. */
void
wire_data_refused(struct session *s, int lfd, const struct hostport *thief)
{
	struct wireview w;
	struct hostport server;

	if (!watching() || net_local(lfd, &server) < 0)
		return;
	wireview_open(&w, cfg.pcap, s->id, 1, NARRATE_DIRECT, NARRATE_CLIENT,
	    thief, &server);
	wireview_close(&w, NARRATE_SERVER);
}

/* A transfer moved n bytes, in the direction sending says, without an
 * observer (there is one only with --pcap): count them for --wire. */
void
wire_data_moved(struct session *s, int sending, uint64_t n)
{
	if (cfg.pcap == NULL)
		wireview_bytes(&s->data_wire, sending ? NARRATE_SERVER :
		    NARRATE_CLIENT, NULL, (size_t)n);
}

/* Before the transfer closes the data connection fd. */
void
wire_data_end(struct session *s, int fd, enum wire_end how)
{
	if (!watching())
		return;
	switch (how) {
	case WIRE_SENT:
		server_closes(fd, &s->data_wire);
		break;
	case WIRE_RECEIVED:
		wireview_close(&s->data_wire, NARRATE_CLIENT);
		break;
	case WIRE_CLIENT_RESET:
		wireview_rst(&s->data_wire, NARRATE_CLIENT);
		break;
	case WIRE_ABORTED:	/* a RST, as the narration says */
		wireview_resetting(&s->data_wire, fd, NARRATE_SERVER);
		break;
	}
}
