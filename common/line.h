/* line.h - the end of a protocol line: CRLF, or a bare LF.
 *
 * FTP lines end in CRLF (RFC 959); many clients send LF alone.  Whoever
 * reads a line (the reply parser, the transcripts, the line reader) asks
 * here where its text ends.  This module uses no other: it sits at the
 * bottom of common/ (docs/labd-design.md draws the layers).
 */
#ifndef RAWFTP_LINE_H
#define RAWFTP_LINE_H

#include <stddef.h>

/* Length of line without its trailing CRLF or LF. */
size_t line_chomp(const char *line, size_t len);

#endif
