/* core/compat.h - docs/compat.md, generated from the syscall table. */
#ifndef PERSONA_COMPAT_H
#define PERSONA_COMPAT_H
#include <stdio.h>
/* Prints the Markdown compatibility page. Returns 0. */
int compat_print(FILE *f);
#endif
