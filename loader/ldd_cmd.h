/* loader/ldd_cmd.h - `persona ldd [--plain] PROGRAM...`: the shared libraries a
 * program needs, where glibc's ld.so will find each one, and by which rule. */
#ifndef PERSONA_LOADER_LDD_CMD_H
#define PERSONA_LOADER_LDD_CMD_H
/* argv[0] is "ldd". Exit status: 0; 1 when a program is missing, not dynamic, or
 * ld.so would fail to load its libraries (as ldd); 2 for a usage error. */
int ldd_cmd_main(int argc, char **argv);
#endif
