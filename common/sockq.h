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

#endif
