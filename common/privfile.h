/* privfile.h - opening a file that will hold passwords or someone's
 * traffic: --log FILE, each log of --log-dir, --pcap FILE.
 *
 * Whoever can put a file of theirs where such a file goes could read
 * what is written to it: a link to a file they read, a hard link, a file
 * of their own (its owner can chmod it back), or any of these planted
 * later in a folder they can write.  So one guard, for every option:
 *
 *	the folder    written by its owner only, and that owner you or root;
 *	              for one file opened at start, a sticky folder such
 *	              as /tmp too (others cannot remove or rename it)
 *	the file      new, or yours (or root's: /dev/null) with no other
 *	              name; never a symbolic link
 *
 * The same guard for such a file that is read (the accounts of
 * ftp-labd --class-file): whoever else could write it could have chosen
 * the passwords in it, whoever else could read it knows them.
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

#include <stddef.h>

/* path (its folder and its name) opened for writing, created mode 0600;
 * flags: O_APPEND or O_TRUNC.  option names it in a refusal. */
int privfile_open(const char *option, const char *path, int flags);

/* The same for name in the folder dir (a descriptor); where is what the
 * user gave (--log-dir DIR), for the messages. */
int privfile_open_in(const char *option, const char *where, int dir,
    const char *name, int flags);

/* path, an existing file that holds passwords, about to be read: the
 * same checks, and no group or other permission bits either. */
void privfile_check(const char *option, const char *path);

/* The folder of path into folder ("." when it names none, "/" for
 * "/x"); returns where its last name starts. */
const char *privfile_folder(const char *path, char *folder, size_t len);

/* An existing regular file made 0600, once it has been written (or for a
 * log, at once): a file that cannot be written, such as /proc/version,
 * keeps its mode.  A device or a pipe is left as it is.  Dies 73 when
 * the mode cannot be changed. */
void privfile_seal(int fd, const char *option, const char *where);

#endif
