/* sockq.h - what the kernel knows of one's own TCP connection that a
 * program does not: how much of what it wrote is not sent yet, how much
 * is not acknowledged yet, and whether the peer's FIN has come.
 *
 *	written ----------------------------------------->
 *	|  acknowledged  |  sent, not acked  |  not sent  |
 *	                 <---- sockq_unacked ------------->
 *	                                     <- unsent --->
 *
 * Only an acknowledged byte is known to have reached the peer: a byte
 * sent into a full receive window may be dropped there, and a RST
 * discards what was not acknowledged.  A FIN after the data (shutdown)
 * counts as one more byte in both figures until it is sent or acked.
 * Linux only; elsewhere every answer is -1: not known.  Used by
 * common/wireview and by ftp-labd's transfers.
 */
#ifndef RAWFTP_SOCKQ_H
#define RAWFTP_SOCKQ_H

/* Bytes written to fd and not yet sent (SIOCOUTQNSD); -1: not known. */
int sockq_unsent(int fd);

/* Bytes written to fd and not yet acknowledged by the peer (SIOCOUTQ);
 * -1: not known.  Still answered after the peer's RST. */
int sockq_unacked(int fd);

/* 1 when the peer's FIN has arrived, 0 when not, -1 not known.  Unlike
 * a read's end of file, this is not fooled by shutdown(fd, SHUT_RD),
 * after which every read sees end of file. */
int sockq_peer_fin(int fd);

/* shutdown(fd, SHUT_RD), noted: from then on every read of fd sees end
 * of file, though the peer sent no FIN. */
int sockq_shut_reading(int fd);

/* Whether a read's end of file on fd is the peer's FIN: 1 or 0, as
 * sockq_peer_fin says, -1 not known.  While the process has shut no
 * reading side (sockq_shut_reading), an end of file can be nothing else:
 * 1 without asking the kernel. */
int sockq_eof_is_fin(int fd);

/* Whether the kernel can say how much of what was written to fd is
 * unsent (sockq_unsent); asked of the first TCP socket only, since the
 * answer is the kernel's, the same for every TCP socket. */
int sockq_can_count(int fd);

#endif
