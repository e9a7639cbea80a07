/* core/control.h - the control socket: `persona ctl PID COMMAND` talks to a running
 * supervisor. The socket is an abstract Unix socket, "@persona-ctl-PID"; accepting a
 * connection is an interrupt (IRQ_CONTROL) of the event loop's ring, and the command
 * is served on the tracer thread. Connections from the supervisor's own guests are
 * refused (SO_PEERCRED): a guest does not steer its kernel.
 *
 * Commands: "status" (tasks, guests, kernel threads, jiffies, plugin), "stats" (what
 * --stats prints), "sched" (the plugin in use), "sched NAME" (hot swap: every task moves
 * to plugin NAME), "help".
 * Thread: tracer thread. */
#ifndef PERSONA_CONTROL_H
#define PERSONA_CONTROL_H
#include <sys/types.h>

/* Creates the listening socket; returns its fd or -errno. */
int control_init(void);
/* Serves one accepted connection (after IRQ_CONTROL). */
void control_serve(int fd);
void control_shutdown(void);
/* The client: sends argv joined by spaces to supervisor `pid`, copies the answer to
 * stdout. Returns persona's exit code (0, 1 no such supervisor, 2 usage). */
int control_client(pid_t pid, int argc, char **argv);
#endif
