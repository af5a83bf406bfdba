/* ladder.h - the narration drawn as a sequence diagram, for a projector.
 *
 * One vertical lane for the client, one for the server's control port,
 * and one for each data connection while it lives; time runs down the
 * screen, one row per event, with an arrow between the lanes it concerns
 * and its text in a column on the right:
 *
 *	    time client     server   data
 *	         :40000     :2121
 *	   0.001 |--------->|           connect 127.0.0.1:40000 > :2121
 *	   0.002 |<---------|           220 ftp-labd 0.1.0 ready.
 *	   0.030 |          |        +  :50069 PASV listening on ...
 *	   0.041 |------------------>|  connect 127.0.0.1:40002
 *	   0.043 |<==================|  sent 1234 bytes, closed
 *
 * Rows fit LADDER_WIDTH columns; a text that does not is cut and ends in
 * "...".  Colour (commands, replies, data, TCP events, refusals) only
 * when ladder_start is told so.  A row goes out in one write(2), under a
 * lock, so threads may draw at once; a session drawn after another one's
 * rows gets its lane headers again.  common/narrate calls these in its
 * ladder mode; a program does not need to.
 */
#ifndef RAWFTP_LADDER_H
#define RAWFTP_LADDER_H

#include <stddef.h>

#include "hostport.h"

#define LADDER_WIDTH 80

enum ladder_lane { LADDER_CLIENT, LADDER_SERVER, LADDER_DATA };

enum ladder_style {
	LADDER_COMMAND,		/* ----> */
	LADDER_REPLY,		/* <---- */
	LADDER_CONNECT,		/* ----> a connection opened */
	LADDER_BYTES,		/* ====> data */
	LADDER_TCP,		/* ....> FIN, RST */
	LADDER_REFUSED		/* ---x  refused */
};

/* Draw on fd (-1: nothing), with ANSI colour if color. */
void ladder_start(int fd, int color);

/* A new control connection: a header with both ends, then its connect
 * arrow from the client to the server. */
void ladder_session(unsigned id, const struct hostport *client,
    const struct hostport *server);
/* The control connection ended: its lanes end. */
void ladder_session_end(unsigned id, const char *text);

/* A relay (ftp-tap) connected onward to the server, from its own end
 * from: a row with text beside the lanes (the server is beyond them),
 * and a "control tap FROM -> server SERVER" row in the table. */
void ladder_onward(unsigned id, const struct hostport *from,
    const struct hostport *server, const char *text);

/* An arrow from one lane to another, text beside it.  LADDER_DATA is the
 * session's newest data lane. */
void ladder_arrow(unsigned id, enum ladder_lane from, enum ladder_lane to,
    enum ladder_style style, const char *text);

/* A data connection's lane begins, headed by its port (the one PASV,
 * EPSV, PORT or EPRT named: verb); text beside it. */
void ladder_data_open(unsigned id, const char *verb, unsigned port,
    const char *text);
/* The data connection came: from the client (to NULL: from connected to
 * the lane's port) or from the server (from connected to to).  In a
 * relay's session (ladder_onward): to NULL, a peer connected to the
 * relay's port; else the relay connected from to to. */
void ladder_data_connect(unsigned id, const struct hostport *from,
    const struct hostport *to, const char *text);
/* The newest data lane ends, with an arrow from -> to and text. */
void ladder_data_close(unsigned id, enum ladder_lane from,
    enum ladder_lane to, const char *text);

/* The newest data lane ends, with text and no arrow (a relay's data
 * port, whose legs' ends the relay narrates itself). */
void ladder_data_end(unsigned id, const char *text);

/* Text on a row of its own, lanes drawn (id 0: the program's own). */
void ladder_note(unsigned id, const char *text);

/* A table of every connection drawn so far, with its ports: one screen
 * (the newest LADDER_SUMMARY_ROWS). */
void ladder_summary(void);

#define LADDER_SUMMARY_ROWS 16

#endif
