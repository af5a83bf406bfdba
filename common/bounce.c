/* bounce.c - the bounce check of RFC 2577; see bounce.h. */
#include <stdio.h>

#include "bounce.h"
#include "ownports.h"

enum bounce_verdict
bounce_check(const struct hostport *target, const char *client_host)
{
	if (!hp_same_host(target->host, client_host))
		return BOUNCE_THIRD_HOST;
	if (target->port < 1024)
		return BOUNCE_SYSTEM_PORT;
	if (ownports_has(target))
		return BOUNCE_OWN_PORT;
	return BOUNCE_OK;
}

void
bounce_words(enum bounce_verdict verdict, const struct hostport *target,
    const char *client_host, const char *refuser, const char *who_connects,
    struct bounce_words *w)
{
	char only_back[64] = "";

	snprintf(w->who, sizeof w->who, "%s port %u", target->host,
	    target->port);
	if (verdict == BOUNCE_SYSTEM_PORT) {
		snprintf(w->why, sizeof w->why, "a privileged port");
		snprintf(w->reply, sizeof w->reply, "%s: port %u is below "
		    "1024, a system service (bounce attack, RFC 2577).",
		    refuser, target->port);
		return;
	}
	if (verdict == BOUNCE_OWN_PORT) {
		snprintf(w->why, sizeof w->why, "a port this program listens "
		    "on itself");
		snprintf(w->reply, sizeof w->reply, "%s: port %u is one this "
		    "program listens on itself (it would connect to itself).",
		    refuser, target->port);
		return;
	}
	if (who_connects != NULL)
		snprintf(only_back, sizeof only_back, "; %s connects only "
		    "back to you", who_connects);
	snprintf(w->why, sizeof w->why, "not the client's address %s "
	    "(bounce attack)", client_host);
	snprintf(w->reply, sizeof w->reply, "%s: %s is not your address "
	    "%s%s (bounce attack, RFC 2577).", refuser, target->host,
	    client_host, only_back);
}
