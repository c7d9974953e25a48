/*
 * classes.c - the "classes" group: who may open and close training classes
 * besides district staff.
 */
#include "impl.h"

/* clang-format off */
const struct key classes_keys[] = {
	KSTRS("senders", 0, 1, OFF(class_senders), OFF(nclass_senders), check_phone),
	KEND,
};
/* clang-format on */
