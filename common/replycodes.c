/* replycodes.c - the reply-code table; see replycodes.h.
 *
 * Meanings follow the wording of RFC 959 section 4.2.1 and of the RFCs
 * that added codes later (2228 security, 2428 IPv6, 1639 long addresses);
 * explanations are ours.  Keep the table sorted by code: the generated
 * page lists it in this order.
 */

#include "replycodes.h"

static const struct reply_code_info table[] = {
	{ 110, "Restart marker reply",
	    "the server tells where a transfer may restart (REST); rare today",
	    "RFC 959" },
	{ 120, "Service ready in nnn minutes",
	    "the server is not ready yet; wait for the 220 that follows",
	    "RFC 959" },
	{ 125, "Data connection already open; transfer starting",
	    "the data connection you opened is used now; watch it for the data",
	    "RFC 959" },
	{ 150, "File status okay; about to open data connection",
	    "the transfer starts on the data connection; a final reply (226) "
	    "comes when it ends",
	    "RFC 959" },
	{ 200, "Command okay",
	    "done (TYPE, PORT, MODE, NOOP...); send the next command",
	    "RFC 959" },
	{ 202, "Command not implemented, superfluous at this site",
	    "accepted but ignored: the server has no use for it",
	    "RFC 959" },
	{ 211, "System status, or system help reply",
	    "status or feature list (STAT, FEAT); often a multi-line reply",
	    "RFC 959" },
	{ 212, "Directory status",
	    "status of a directory, as asked with STAT",
	    "RFC 959" },
	{ 213, "File status",
	    "status of a file: its SIZE or MDTM, or STAT output",
	    "RFC 959" },
	{ 214, "Help message",
	    "help text for a person, often multi-line: the commands the server "
	    "knows",
	    "RFC 959" },
	{ 215, "NAME system type",
	    "the server's system type (SYST), e.g. UNIX Type: L8",
	    "RFC 959" },
	{ 220, "Service ready for new user",
	    "the greeting: the server is ready; log in with USER",
	    "RFC 959" },
	{ 221, "Service closing control connection",
	    "goodbye (after QUIT): the server closes the connection now",
	    "RFC 959" },
	{ 225, "Data connection open; no transfer in progress",
	    "the data connection is open and idle",
	    "RFC 959" },
	{ 226, "Closing data connection",
	    "the transfer on the data connection is complete",
	    "RFC 959" },
	{ 227, "Entering Passive Mode (h1,h2,h3,h4,p1,p2)",
	    "PASV worked: connect to host h1.h2.h3.h4, port p1*256+p2",
	    "RFC 959" },
	{ 228, "Entering Long Passive Mode",
	    "LPSV worked: the data address in the long format",
	    "RFC 1639" },
	{ 229, "Entering Extended Passive Mode (|||port|)",
	    "EPSV worked: connect to the control connection's host, this port",
	    "RFC 2428" },
	{ 230, "User logged in, proceed",
	    "login complete: file commands work now",
	    "RFC 959" },
	{ 232, "User logged in, authorized by security data exchange",
	    "login complete, vouched for by the security exchange (no PASS)",
	    "RFC 2228" },
	{ 234, "Security data exchange complete",
	    "AUTH accepted: the TLS or other security handshake starts now",
	    "RFC 2228" },
	{ 235, "Security data exchange completed successfully",
	    "ADAT accepted: the security exchange is done",
	    "RFC 2228" },
	{ 250, "Requested file action okay, completed",
	    "done (CWD, DELE, RMD...); send the next command",
	    "RFC 959" },
	{ 257, "\"PATHNAME\" created",
	    "the quoted path is the directory you made (MKD) or are in (PWD)",
	    "RFC 959" },
	{ 331, "User name okay, need password",
	    "the server knows the name; send PASS with the password next",
	    "RFC 959" },
	{ 332, "Need account for login",
	    "this server also wants ACCT with an account name",
	    "RFC 959" },
	{ 334, "Security mechanism accepted; ADAT data required",
	    "AUTH is accepted; the security exchange continues with ADAT",
	    "RFC 2228" },
	{ 335, "Security data is acceptable; more is required",
	    "the security exchange needs another ADAT",
	    "RFC 2228" },
	{ 336, "Username okay, need password; challenge follows",
	    "answer the challenge in the reply, then send PASS",
	    "RFC 2228" },
	{ 350, "Requested file action pending further information",
	    "half done: send the second command (RNTO after RNFR, or the "
	    "transfer after REST)",
	    "RFC 959" },
	{ 421, "Service not available, closing control connection",
	    "the server is closing the connection (often an idle timeout); "
	    "reconnect",
	    "RFC 959" },
	{ 425, "Can't open data connection",
	    "the data connection did not come: wrong port, too slow, or a "
	    "firewall",
	    "RFC 959" },
	{ 426, "Connection closed; transfer aborted",
	    "the data connection broke or was aborted before the end",
	    "RFC 959" },
	{ 431, "Need some unavailable resource to process security",
	    "the server cannot do the security exchange right now",
	    "RFC 2228" },
	{ 450, "Requested file action not taken",
	    "the file is busy or unavailable for now; try again later",
	    "RFC 959" },
	{ 451, "Requested action aborted: local error in processing",
	    "the server hit an error of its own; try again later",
	    "RFC 959" },
	{ 452, "Requested action not taken; insufficient storage space",
	    "the server's disk is full for now",
	    "RFC 959" },
	{ 500, "Syntax error, command unrecognized",
	    "the server does not know this command: check its spelling",
	    "RFC 959" },
	{ 501, "Syntax error in parameters or arguments",
	    "the command is known but its argument is wrong or missing",
	    "RFC 959" },
	{ 502, "Command not implemented",
	    "this server does not do that command",
	    "RFC 959" },
	{ 503, "Bad sequence of commands",
	    "wrong order: e.g. PASS before USER, RNTO without RNFR",
	    "RFC 959" },
	{ 504, "Command not implemented for that parameter",
	    "the command is known but not with this argument (e.g. TYPE E, "
	    "MODE B)",
	    "RFC 959" },
	{ 522, "Network protocol not supported",
	    "this address family is not usable here (EPRT or EPSV: the "
	    "server lists the ones it can; PASV: IPv4 only)",
	    "RFC 2428" },
	{ 530, "Not logged in",
	    "log in first (USER, then PASS), or the login was refused",
	    "RFC 959" },
	{ 532, "Need account for storing files",
	    "send ACCT before storing files",
	    "RFC 959" },
	{ 533, "Command protection level denied for policy reasons",
	    "the server refuses commands at this protection level",
	    "RFC 2228" },
	{ 534, "Request denied for policy reasons",
	    "the server's policy refuses this (often: TLS required or refused)",
	    "RFC 2228" },
	{ 535, "Failed security check",
	    "a protected command failed its integrity check",
	    "RFC 2228" },
	{ 536, "Requested PROT level not supported by mechanism",
	    "the security mechanism cannot give that protection level",
	    "RFC 2228" },
	{ 537, "Command protection level not supported by security mechanism",
	    "the security mechanism cannot protect commands that way",
	    "RFC 2228" },
	{ 550, "Requested action not taken; file unavailable",
	    "no such file or directory, or no permission",
	    "RFC 959" },
	{ 551, "Requested action aborted: page type unknown",
	    "the server cannot handle the page structure asked for",
	    "RFC 959" },
	{ 552, "Requested file action aborted; exceeded storage allocation",
	    "the file is too big for your quota or the server's limit",
	    "RFC 959" },
	{ 553, "Requested action not taken; file name not allowed",
	    "the file name is refused: bad characters or a forbidden place",
	    "RFC 959" },
	{ 631, "Integrity protected reply",
	    "a reply wrapped by the security mechanism (integrity only)",
	    "RFC 2228" },
	{ 632, "Confidentiality and integrity protected reply",
	    "a reply wrapped by the security mechanism (encrypted)",
	    "RFC 2228" },
	{ 633, "Confidentiality protected reply",
	    "a reply wrapped by the security mechanism (confidential)",
	    "RFC 2228" },
};

#define TABLE_LEN (sizeof table / sizeof table[0])

static const char *const class_meaning[] = {
	NULL,
	"positive preliminary: wait, another reply follows",
	"positive completion: done, send the next command",
	"positive intermediate: send the next command of the sequence",
	"transient negative: failed this time, may work if tried again",
	"permanent negative: failed, do not repeat it as it is",
	"protected reply (RFC 2228): decode it with the security mechanism",
};

const struct reply_code_info *
replycode_find(int code)
{
	size_t lo = 0, hi = TABLE_LEN;

	while (lo < hi) {	/* binary search: the table is sorted */
		size_t mid = lo + (hi - lo) / 2;
		if (table[mid].code == code)
			return &table[mid];
		if (table[mid].code < code)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const char *
replycode_class_meaning(int code)
{
	int digit = code / 100;

	if (code < 100 || code > 699)
		return NULL;
	return class_meaning[digit];
}

const struct reply_code_info *
replycode_table(size_t *count)
{
	*count = TABLE_LEN;
	return table;
}
