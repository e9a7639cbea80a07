/* tests/integration/suites.h - declarations of the suites listed in suites.def */
#ifndef PERSONA_TEST_SUITES_H
#define PERSONA_TEST_SUITES_H
#include <check.h>
#define SUITE(name) Suite *name##_suite(void);
#include "suites.def"
#undef SUITE
#endif
