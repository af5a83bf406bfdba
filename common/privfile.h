/* privfile.h - opening a file that will hold passwords or someone's
 * traffic: --log FILE, each log of --log-dir, --pcap FILE.
 *
 * Whoever can put a file of theirs where such a file goes could read
 * what is written to it: a link to a file they read, a hard link, a file
 * of their own (its owner can chmod it back), or any of these planted
 * later in a folder they can write.  So one guard, for every option:
 *
 *	the folder    written by its owner only, and that owner you or root
 *	the file      new, or yours (or root's: /dev/null) with no other
 *	              name; never a symbolic link
 *
 * A refusal ends the program with exit 73 (EXIT_CANTCREAT) and one line
 * that names the option, what was found and the fix.
 *
 *	fd = privfile_open("--pcap", path, O_TRUNC);
 *	... the first write worked ...
 *	privfile_seal(fd, "--pcap", path);
 */
#ifndef RAWFTP_PRIVFILE_H
#define RAWFTP_PRIVFILE_H

/* path (its folder and its name) opened for writing, created mode 0600;
 * flags: O_APPEND or O_TRUNC.  option names it in a refusal. */
int privfile_open(const char *option, const char *path, int flags);

/* The same for name in the folder dir (a descriptor); where is what the
 * user gave (--log-dir DIR), for the messages. */
int privfile_open_in(const char *option, const char *where, int dir,
    const char *name, int flags);

/* An existing regular file made 0600, once it has been written (or for a
 * log, at once): a file that cannot be written, such as /proc/version,
 * keeps its mode.  A device or a pipe is left as it is.  Dies 73 when
 * the mode cannot be changed. */
void privfile_seal(int fd, const char *option, const char *where);

#endif
