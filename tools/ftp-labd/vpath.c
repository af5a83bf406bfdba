/* vpath.c - the client's view of the file tree: virtual paths.
 *
 * A client names files relative to its working directory or from "/",
 * which is ROOT.  vpath_resolve() joins and normalises that name by text
 * alone: empty and "." components vanish, ".." removes the previous one
 * and stops at "/".  This is only for display and bookkeeping; it is NOT
 * the confinement.  fsroot.c opens the result beneath the ROOT descriptor,
 * where the kernel (or a no-symlink walk) enforces it, so a mistake here
 * could show a wrong path but never reach outside ROOT.
 */
#include <string.h>

#include "labd.h"

/* Appends component comp[0..n) to out (which holds "/..." of length
 * *olen), or drops the last component for "..".  -1 if out is full. */
static int
push_component(char *out, size_t *olen, size_t cap, const char *comp,
    size_t n)
{
	if (n == 0 || (n == 1 && comp[0] == '.'))
		return 0;
	if (n == 2 && comp[0] == '.' && comp[1] == '.') {
		while (*olen > 1 && out[*olen - 1] != '/')
			(*olen)--;
		if (*olen > 1)
			(*olen)--;	/* the slash before it, unless root */
		out[*olen] = '\0';
		return 0;
	}
	if (*olen + (*olen > 1) + n + 1 > cap)
		return -1;
	if (*olen > 1)
		out[(*olen)++] = '/';
	memcpy(out + *olen, comp, n);
	*olen += n;
	out[*olen] = '\0';
	return 0;
}

static int
push_path(char *out, size_t *olen, size_t cap, const char *path)
{
	while (*path != '\0') {
		size_t n = strcspn(path, "/");
		if (push_component(out, olen, cap, path, n) < 0)
			return -1;
		path += n;
		path += strspn(path, "/");
	}
	return 0;
}

/* out gets the normalised absolute virtual path of arg seen from cwd
 * (itself absolute and normalised).  0, or -1 when longer than len. */
int
vpath_resolve(const char *cwd, const char *arg, char *out, size_t len)
{
	size_t olen = 1;

	if (len < 2)
		return -1;
	out[0] = '/';
	out[1] = '\0';
	if (arg[0] != '/' && push_path(out, &olen, len, cwd) < 0)
		return -1;
	return push_path(out, &olen, len, arg);
}

/* Does path, walked from depth (the components above it), take a ".."
 * above "/"?  *depth is left at the depth reached. */
static int
climbs_from(const char *path, size_t *depth)
{
	int above = 0;

	while (*path != '\0') {
		size_t n = strcspn(path, "/");
		if (n == 2 && path[0] == '.' && path[1] == '.') {
			if (*depth == 0)
				above = 1;
			else
				(*depth)--;
		} else if (n > 0 && !(n == 1 && path[0] == '.')) {
			(*depth)++;
		}
		path += n;
		path += strspn(path, "/");
	}
	return above;
}

/* Does arg, seen from cwd, climb above "/" ("../student08" from "/")?
 * vpath_resolve() stops such a ".." at "/"; this says that it did, so a
 * probe out of a home can be narrated. */
int
vpath_climbs(const char *cwd, const char *arg)
{
	size_t depth = 0;

	if (arg[0] != '/')
		(void)climbs_from(cwd, &depth);
	return climbs_from(arg, &depth);
}

/* The last component of a normalised path ("/" for the root). */
const char *
vpath_base(const char *vpath)
{
	const char *slash = strrchr(vpath, '/');

	return slash == NULL || slash[1] == '\0' ? vpath : slash + 1;
}
