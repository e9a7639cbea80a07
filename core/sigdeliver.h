/* core/sigdeliver.h - signals entering a guest.
 * Every signal reaches a traced guest through a signal-delivery-stop. There the
 * sender's pid in the siginfo (kill, tgkill, sigqueue, SIGCHLD, mq_notify) is a host
 * pid; it is rewritten to the sender's virtual pid, or 0 for senders outside the
 * namespace, as Linux does across pid namespaces.
 *
 * Thread: tracer thread only. */
#ifndef PERSONA_SIGDELIVER_H
#define PERSONA_SIGDELIVER_H
#include <signal.h>
#include <stdbool.h>
#include "core/task.h"

/* At t's signal-delivery-stop for `sig`: fixes the siginfo; returns the signal to
 * deliver (0 to suppress). */
int sigdeliver_prepare(struct task *t, int sig);
/* Sends si->si_signo from the supervisor to task `t` (to its thread when `thread`,
 * else to its process), such that the guest receives exactly `si` (e.g. SI_TIMER with
 * si_timerid, or SI_KERNEL for an expired ITIMER_REAL): the kernel only lets another
 * process queue si_code < 0, so the siginfo is put in place at the signal-delivery
 * stop. 0 or -errno. Tracer thread only. */
int sigdeliver_send(struct task *t, const siginfo_t *si, bool thread);
/* Whether a siginfo carries a sender pid (si_pid valid) */
bool siginfo_has_pid(const siginfo_t *si);
#endif
