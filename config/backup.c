/*
 * backup.c - the "backup" group: daily online backups of the database
 * (store/backup.h).
 */
#include "impl.h"

/* clang-format off */
const struct key backup_keys[] = {
	KSTR("dir", 1, OFF(backup.dir), check_nonempty),
	KINT("keep", 0, 1, 365, OFF(backup.keep)),
	KINT("hour", 0, 0, 23, OFF(backup.hour)),
	KEND,
};
/* clang-format on */
