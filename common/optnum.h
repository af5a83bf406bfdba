/* optnum.h - numbers given as option arguments (-w 30, --max-sessions 50).
 *
 * A whole decimal number within a range, or a usage error that names the
 * option and the range: "-w: 'soon' is not a number from 1 to 86400",
 * exit 64.  Every program's numeric options go through here so they all
 * accept and refuse the same things.
 */
#ifndef RAWFTP_OPTNUM_H
#define RAWFTP_OPTNUM_H

unsigned long long opt_number(const char *opt, const char *text,
    unsigned long long lo, unsigned long long hi);

/* The same test without dying, for numbers that come over the network
 * (REST): 0 and *out set, or -1. */
int parse_number(const char *text, unsigned long long lo,
    unsigned long long hi, unsigned long long *out);

#endif
