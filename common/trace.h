/* trace.h - the shared look of transcripts: relative timestamps, as in
 * Wireshark's Time column, and commands with passwords masked. */
#ifndef RAWFTP_TRACE_H
#define RAWFTP_TRACE_H

#include <stddef.h>

#include "telnet.h"

/* Marks time zero; later stamps are relative to it. */
void trace_start(void);

/* "  12.345678" seconds since trace_start (fixed width, no newline). */
void trace_stamp(char *buf, size_t len);

/* The length of a stamp and the one blank after it at the start of line
 * (as ftp-raw -T writes them), or 0 when the line does not start with
 * one: lets a reader of a transcript take stamped and plain lines alike. */
size_t trace_stamp_length(const char *line, size_t len);

/* Copies text[0..len) into buf with every byte outside printable ASCII
 * (0x20-0x7e) shown as \xNN, NUL-terminated; cut at a whole byte when buf
 * is short.  Returns the length written.  Every narration line passes
 * through it (common/narrate), so no peer's control byte reaches a
 * terminal or a log. */
size_t trace_printable(const char *text, size_t len, char *buf,
    size_t buflen);

/* Where a secret starts in a client's command line: the one place that
 * decides, for the narration (trace_mask) and the web view's capture
 * (common/capture), which bytes are a password.  The line is fed one
 * byte at a time, as it may arrive one key a packet:
 *
 *	" pa<IAC NOP>ss\tsecret\r\n"
 *	 ^ blanks before the verb are skipped
 *	   ^^^^^^^^^^^ Telnet commands inside the verb are skipped
 *	              ^ one blank after the verb is kept
 *	               ^^^^^^^^^^^^ the secret: every byte to the end of line
 *
 * The verb is PASS or ACCT, any case, followed by anything but a letter
 * (PASSIVE is not a secret): the server may refuse the line (500 for
 * " PASS x"), but what was typed is a password all the same. */
struct trace_secret {
	struct telnet tn;	/* the Telnet commands skipped */
	int state;		/* before, in or after the verb */
	size_t verb_len;	/* its letters so far */
	char verb[4];
};

void trace_secret_init(struct trace_secret *ts);

/* Feeds c, the next byte of the line (LF ends it): 1 if c is part of a
 * secret, else 0. */
int trace_secret_byte(struct trace_secret *ts, unsigned char c);

/* Copies the command in cmd[0..len) into buf, without its line ending,
 * with the argument of PASS or ACCT (any case, as trace_secret_byte
 * finds it) replaced by XXXX, as BSD ftp -d shows it.  Bytes outside
 * printable ASCII are shown as \xNN.  A line longer than buf is cut,
 * and ends in "..." to say so. */
void trace_mask(const char *cmd, size_t len, char *buf, size_t buflen);

/* trace_mask without the mask: the line as it was, made printable. */
void trace_escape(const char *cmd, size_t len, char *buf, size_t buflen);

/* The line as it crossed the wire: trace_mask (mask nonzero) or
 * trace_escape, then its ending made visible, CR as \r and LF as \n:
 * "PASS XXXX\r\n", "USER ann\n".  A line longer than buf is cut before
 * its ending, which is still shown: "CWD AAAA...\r\n". */
void trace_wire(const char *cmd, size_t len, char *buf, size_t buflen,
    int mask);

/* Nonzero if colour may be written to fd: a terminal and no NO_COLOR. */
int trace_color_wanted(int fd);

#endif
