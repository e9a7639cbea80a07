/* core/stats.h - `persona run --stats`: what the kernel machinery did during the run:
 * interrupts and softirqs per CPU, tasklets, work items, kernel threads, timers. */
#ifndef PERSONA_STATS_H
#define PERSONA_STATS_H
#include <stdio.h>
void stats_print(FILE *f);
#endif
