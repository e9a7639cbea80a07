/* loader/elf_cmd.h - `persona elf PROGRAM`: an executable's ELF header, program
 * headers, and where execve would put each segment in the address space. */
#ifndef PERSONA_LOADER_ELF_CMD_H
#define PERSONA_LOADER_ELF_CMD_H
/* argv[0] is "elf". Exit status: 0, 1 for a file that is missing or not a valid
 * executable (the parse error's reason on stderr), 2 for a usage error. */
int elf_cmd_main(int argc, char **argv);
#endif
