/* ownports.c - the addresses this process listens on; see ownports.h. */
#include <pthread.h>

#include "ownports.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct ownport *first;

void
ownports_add(struct ownport *p, const struct hostport *at)
{
	p->at = *at;
	pthread_mutex_lock(&lock);
	p->prev = NULL;
	p->next = first;
	if (first != NULL)
		first->prev = p;
	first = p;
	p->listed = 1;
	pthread_mutex_unlock(&lock);
}

void
ownports_remove(struct ownport *p)
{
	pthread_mutex_lock(&lock);
	if (p->listed) {
		if (p->prev != NULL)
			p->prev->next = p->next;
		else
			first = p->next;
		if (p->next != NULL)
			p->next->prev = p->prev;
		p->listed = 0;
	}
	pthread_mutex_unlock(&lock);
}

int
ownports_has(const struct hostport *target)
{
	const struct ownport *p;
	int found = 0;

	pthread_mutex_lock(&lock);
	for (p = first; p != NULL && !found; p = p->next)
		found = p->at.port == target->port &&
		    (hp_is_unspecified(p->at.host) ||
		    hp_same_host(p->at.host, target->host));
	pthread_mutex_unlock(&lock);
	return found;
}
