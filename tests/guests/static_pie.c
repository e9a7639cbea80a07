/* tests/guests/static_pie.c - a static position-independent program (built with
 * -static-pie by the Makefile): no interpreter, relocated by its own startup code,
 * loaded where the mmap area puts it. Prints facts, not addresses. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>

static int data = 42;

int main(int argc, char **argv)
{
	char *p = malloc(100000);
	memset(p, 7, 100000);
	printf("static-pie: argc %d, data %d, heap ok %d, AT_BASE %s, AT_PHNUM > 0: %s\n", argc,
	       data, p[99999] == 7, getauxval(AT_BASE) ? "set" : "0", getauxval(AT_PHNUM) > 0 ? "yes" : "no");
	printf("main inside AT_ENTRY's image: %s\n",
	       (unsigned long)main - getauxval(AT_ENTRY) < (1 << 24) || getauxval(AT_ENTRY) - (unsigned long)main < (1 << 24) ? "yes" : "no");
	return argc == 2 && !strcmp(argv[1], "x") ? 3 : 0;
}
