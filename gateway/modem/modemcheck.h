/*
 * modemcheck.h - is the modem set up right?  For the administrator bringing
 * a modem up: `check-config` (cmd-config.c) reads every modem's gammurc with
 * libgammu's own INI parser and checks what libgammu would only find out
 * when connecting (the section, the connection type, the device node and
 * who may open it), without opening any device.
 */
#ifndef TINBAO_MODEMCHECK_H
#define TINBAO_MODEMCHECK_H

#include <stdio.h>

struct config;

/*
 * Checks the gammurc section of every configured modem, without opening
 * any device.  user is who will open the devices (the configuration's
 * `user`, or NULL for whoever runs this).  Each problem is printed to out as
 * "FILE:LINE: error: ..." (or "FILE: error: ..." when no line applies).  A
 * gammurc that does not exist is left to the configuration's own warning.
 * Returns the number of errors.
 */
int modemcheck_rc(const struct config *cfg, const char *user, FILE *out);

/* Whether conn is a connection type libgammu knows ("at", "at115200",
 * "fbus-nodtr", "none", ...): 1 or 0. */
int modemcheck_connection(const char *conn);

#endif
