/* core/list.h - intrusive doubly linked lists, the shape of Linux's list_head.
 * Used for task children/thread lists. Not thread-safe: owned by the tracer thread. */
#ifndef PERSONA_LIST_H
#define PERSONA_LIST_H
#include <stddef.h>

struct list_head { struct list_head *next, *prev; };

#define LIST_HEAD_INIT(name) { &(name), &(name) }
#define container_of(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))
#define list_entry(ptr, type, member) container_of(ptr, type, member)
#define list_for_each_safe(pos, n, head) \
	for (pos = (head)->next, n = pos->next; pos != (head); pos = n, n = pos->next)
#define list_for_each(pos, head) for (pos = (head)->next; pos != (head); pos = pos->next)

static inline void list_init(struct list_head *h) { h->next = h->prev = h; }
static inline int list_empty(const struct list_head *h) { return h->next == h; }
static inline void list_add_tail(struct list_head *n, struct list_head *h)
{
	n->prev = h->prev; n->next = h;
	h->prev->next = n; h->prev = n;
}
static inline void list_del_init(struct list_head *n)
{
	n->prev->next = n->next; n->next->prev = n->prev;
	list_init(n);
}
#endif
