/* core/tracer.h - what a ptrace stop of a guest task means: a request (seccomp
 * stop), a syscall exit, a lifecycle event, a signal delivery or a group stop. The
 * event loop (core/evloop.h) waits for the stops.
 *
 * Thread: the tracer thread is the thread that spawned the first guest; it alone
 * issues ptrace requests (Linux ties a tracee to the thread that attached it).
 * Services running on other threads hand results to it (sysreq_complete is called on
 * the tracer thread). */
#ifndef PERSONA_TRACER_H
#define PERSONA_TRACER_H
#include <sys/types.h>

/* Handles one wait status (as waitpid reports it) for host tid `tid`: called by the
 * event loop (core/evloop.c) for each child event. */
void tracer_handle(pid_t tid, int status);
#endif
