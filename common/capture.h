/* capture.h - each session's packets kept in memory, for the web view's
 * "capture (.pcap)" link: the same records common/pcap writes to a
 * --pcap file, kept by session.
 *
 *	common/pcap --keep--> capture_keep (in the session's thread)
 *	common/web  --> capture_copy (one session's pcap file, on request)
 *
 * What is kept is bounded, and a cut is made the way a capture tool
 * makes one, so the file never shows a byte that did not cross the wire
 * and always says what it left out:
 *  - a packet whose bytes are not all kept is cut (its captured length
 *    less than its length on the wire): Wireshark marks it "Packet size
 *    limited during capture";
 *  - a password: a client's PASS or ACCT line is cut where its argument
 *    starts, as common/trace finds it for the narration (Telnet commands
 *    in the verb, blanks before it, a tab after it), unless the server
 *    shows passwords (--show-passwords);
 *  - data connections: the first CAPTURE_DATA_BYTES of payload a session
 *    moves are kept whole, later packets only up to their TCP header;
 *  - past CAPTURE_MAX bytes of records (data connections' past
 *    CAPTURE_DATA_MAX) a session's packets are not kept: Wireshark then
 *    says "previous segment not captured" where they were.
 * CAPTURE_SESSIONS sessions are kept; a new one pushes out the oldest.
 */
#ifndef RAWFTP_CAPTURE_H
#define RAWFTP_CAPTURE_H

#include <stddef.h>

#include "pcap.h"

#define CAPTURE_SESSIONS 200
#define CAPTURE_MAX (128 * 1024)	/* bytes of records, a session */
#define CAPTURE_DATA_MAX (96 * 1024)	/* of them, data connections' */
#define CAPTURE_DATA_BYTES (32 * 1024)	/* data payload kept whole */

/* Keep the records of pf, from now on (before any session starts);
 * show_passwords: PASS and ACCT lines kept whole. */
void capture_start(struct pcap_file *pf, int show_passwords);

/* The keeper (pcap_keep_fn), for the tests. */
void capture_keep(const struct pcap_record *r);

/* Session id's capture, a whole pcap file (its header first), into buf
 * of cap bytes: its length; -1 when nothing of id is kept, or it does not
 * fit. */
long capture_copy(unsigned id, unsigned char *buf, size_t cap);

#endif
