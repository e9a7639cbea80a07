/* core/dispatch.h - calls a syscall's handler from the table with its natural C
 * prototype, through libffi.
 *
 * A handler for a row with argument types (A_PID, A_SIG) is declared
 *     long sys_kill(struct sysreq *req, pid_t pid, int sig);
 * dispatch_call() converts the six raw 64-bit registers to each declared C type
 * (truncating and sign-extending as the kernel's SYSCALL_DEFINE wrappers do), and
 * calls the handler. Guest pointers arrive as uint64_t guest addresses, never as
 * host pointers. The return value is a reply (sysreq.h).
 *
 * Thread: tracer thread. */
#ifndef PERSONA_DISPATCH_H
#define PERSONA_DISPATCH_H
#include "core/sysreq.h"
#include "core/syscall_table.h"

/* C type a handler receives for an argument type */
enum arg_ctype { CT_INT, CT_UINT, CT_LONG, CT_ULONG, CT_GPTR };
enum arg_ctype arg_ctype(enum arg_type t);

/* Prepares one libffi call interface per handler. 0 or -errno. */
int dispatch_init(void);
/* Calls the handler of req->nr (which must have one) and returns its reply. */
long dispatch_call(struct sysreq *req);
#endif
