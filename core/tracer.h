/* core/tracer.h - the supervisor's event loop: waits for ptrace stops of every guest
 * task and turns each into a request (seccomp stop), a lifecycle event, a signal
 * delivery or a group stop.
 *
 * Thread: the tracer thread is the thread that spawned the first guest; it alone
 * issues ptrace requests (Linux ties a tracee to the thread that attached it).
 * Services running on other threads hand results to it (sysreq_complete is called on
 * the tracer thread). */
#ifndef PERSONA_TRACER_H
#define PERSONA_TRACER_H
#include <sys/types.h>

/* Runs until init has exited and every guest is gone. Returns init's wait status. */
int tracer_run(void);
/* Handles one wait status for host tid `tid` (exposed for tests). */
void tracer_handle(pid_t tid, int status);
#endif
