/* wireview.h - one TCP connection as the wire view sees it: its events
 * narrated (common/narrate, --wire) and written to a capture file
 * (common/pcap, --pcap), from the same calls.
 *
 * A serving program knows when each connection opened, every byte it
 * read and wrote, and how each side closed.  It tells one struct
 * wireview per connection, from the thread that owns the connection:
 *
 *	wireview_open(&w, pf, id, 1, NARRATE_DIRECT, NARRATE_CLIENT,
 *	    &client, &server);
 *	wireview_bytes(&w, NARRATE_SERVER, buf, n);	after each write
 *	wireview_fin(&w, NARRATE_SERVER);		shutdown or close
 *	wireview_fin(&w, NARRATE_CLIENT);		read returned 0
 *
 * pf NULL: narration only.  Calls on a view never opened, or after both
 * FINs or a RST, do nothing, so a close path may call them freely.
 *
 * What a program writes is in its socket, not yet on the wire: a peer
 * that resets may never get it.  A program that attaches its own end
 *
 *	wireview_attach(&w, fd, NARRATE_SERVER);	after wireview_open
 *
 * has its bytes and its FIN shown only once the kernel has sent them
 * (SIOCOUTQNSD: written, not yet sent), so neither the capture nor the
 * narration shows what never crossed the wire.  When that cannot be known
 * (the program let go with bytes still unsent, or the other side's FIN
 * did not come in time) the connection's capture stops there: no FIN or
 * RST is made up.  Without wireview_attach (ftp-tap so far), what was
 * written counts as sent, and a FIN not seen in time as sent too.
 */
#ifndef RAWFTP_WIREVIEW_H
#define RAWFTP_WIREVIEW_H

#include <stddef.h>

#include "hostport.h"
#include "narrate.h"
#include "pcap.h"

struct wireview {
	int open;			/* wireview_open was called */
	enum narrate_side connector;	/* who called connect(2) */
	struct narrate_tcp tcp;
	struct pcap_file *pf;		/* NULL: no capture */
	struct pcap_flow flow;
	/* wireview_attach: the program's own end */
	int attached;
	int fd;
	enum narrate_side me;
	int bounded;		/* TCP_NOTSENT_LOWAT set (wireview_attach) */
	int fin_queued;		/* me shut down: its FIN waits behind the data */
	int stopped;		/* the rest is not known: nothing more shown */
	size_t held;		/* bytes me wrote that are not sent yet */
	char *held_bytes;	/* those bytes, with a capture; malloc'd */
	size_t held_cap;
};

/* The connection is made: connector connected (client or server); data
 * is 0 for the control connection; leg is NARRATE_DIRECT but in a relay
 * (narrate.h). */
void wireview_open(struct wireview *w, struct pcap_file *pf, unsigned id,
    int data, enum narrate_leg leg, enum narrate_side connector,
    const struct hostport *client, const struct hostport *server);

/* The program's end of the connection is fd, on side me (see above).
 * With a capture, once more than WIREVIEW_HELD_FEW bytes are held
 * unsent, the kernel keeps at most WIREVIEW_UNSENT_MAX bytes unsent
 * (TCP_NOTSENT_LOWAT): the bytes held until they are sent stay few. */
#define WIREVIEW_UNSENT_MAX (256 * 1024)
#define WIREVIEW_HELD_FEW (64 * 1024)
void wireview_attach(struct wireview *w, int fd, enum narrate_side me);

/* len bytes that from sent, as one read or write saw them.  bytes may be
 * NULL without a capture: they are only counted. */
void wireview_bytes(struct wireview *w, enum narrate_side from,
    const void *bytes, size_t len);

/* who sent its FIN (shutdown(2), close(2), or read returned 0). */
void wireview_fin(struct wireview *w, enum narrate_side who);

/* who reset the connection (ECONNRESET read, or an abortive close). */
void wireview_rst(struct wireview *w, enum narrate_side who);

/* me resets its end fd: SO_LINGER 0 is set, so the close(2) that follows
 * sends a RST.  That RST acknowledges all the other side's bytes that
 * arrived, read or not: those still unread are read now (and dropped),
 * so the view shows them before the RST.  The caller then closes fd. */
void wireview_resetting(struct wireview *w, int fd, enum narrate_side me);

/* The connection is gone: FINs from both sides, first from first, for
 * those not yet sent. */
void wireview_close(struct wireview *w, enum narrate_side first);

/* me closes its end fd: its FIN (shutdown(2), unless sent), then the
 * other side's FIN awaited up to wait_ms (as TCP's FIN-WAIT does), its
 * bytes read and dropped, so both are narrated in their order.  A FIN
 * already waiting unread goes first.  Not seen in time: attached, the
 * view stops there; not attached, the other side is taken to close when
 * its process does.  The caller then closes fd.  A program with more to
 * serve on the same thread (the tap: its control channel) waits 0. */
#define WIREVIEW_CLOSE_MS 500
void wireview_closing(struct wireview *w, int fd, enum narrate_side me,
    int wait_ms);

/* The option --pcap FILE of a serving program: FILE created (or
 * emptied) now, so a bad path stops the start (dies 73), and its header
 * written.  NULL for a path NULL: no capture. */
struct pcap_file *wireview_pcap_option(const char *path);

/* The capture complete, at the program's end (dies 74 when a write
 * failed: the file is incomplete).  pf NULL: nothing to do. */
void wireview_pcap_end(struct pcap_file *pf);

/* A pump_observer (common/pump) for a data connection: ctx is a struct
 * wireview_pump; the bytes the wire carried are counted and captured. */
struct wireview_pump {
	struct wireview *w;
	int sending;		/* the server writes to the data connection */
};
void wireview_observe(void *ctx, int written, const char *bytes,
    size_t len);

#endif
