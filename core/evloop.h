/* core/evloop.h - the supervisor's event loop, on io_uring.
 *
 * One ring waits for every interrupt source (core/irq.h): a signalfd for SIGCHLD
 * (ptrace stops and exits of guests) and the tick signal (a POSIX timer at --hz), a
 * timerfd for the one-shot high-resolution timer, an eventfd that service threads
 * write to when they need the tracer thread, and with --trap=shim a futex wait on
 * each shim channel (core/trap_shim.c). Each completion is an interrupt: its top
 * half runs in interrupt context between irq_enter() and irq_exit(), and pending
 * softirqs run on irq_exit(). Ptrace events are reaped with waitpid(WNOHANG) before
 * the loop sleeps, so a guest's stop costs one wake-up.
 *
 * Thread: the tracer thread. */
#ifndef PERSONA_EVLOOP_H
#define PERSONA_EVLOOP_H
#include <signal.h>

/* Creates the ring and its sources and blocks SIGCHLD and the tick signal (they are
 * read through the signalfd). `hz` 0 disables the tick. 0 or -errno. Call before
 * the first guest is spawned; spawn restores `evloop_saved_sigmask` in the child. */
int evloop_init(unsigned hz);
/* Runs until init has exited and every guest is gone; returns init's wait status. */
int evloop_run(void);
void evloop_shutdown(void);
/* The shim's channels (core/trap_shim.c): the ring waits until the 32-bit shared
 * futex word at addr, if it still holds val, is woken with a bitset meeting mask;
 * the completion goes to shim_channel_event(tag, res). tag must have bit 63 set.
 * evloop_cancel drops such a wait. Available when evloop_has_futex_wait(). */
#include <stdbool.h>
#include <stdint.h>
bool evloop_has_futex_wait(void);
void evloop_futex_wait(const volatile uint32_t *addr, uint32_t val, uint32_t mask, uint64_t tag);
void evloop_cancel(uint64_t tag);
/* The signal mask persona had before evloop_init (what guests inherit) */
extern sigset_t evloop_saved_sigmask;
#endif
